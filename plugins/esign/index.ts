// E-signature of rendered contracts: request_signatures fixes a rendered PDF's hash and sends links to signers (in
// order or all at once); signers confirm their e-mail with a one-time code and sign (typed or drawn); the last
// signature seals the PDF with a completion certificate and a PAdES signature by the instance certificate, and moves
// the contract to signed. Every step is an event of a hash chain that `verify` checks. Required by the documents pack.
import Router from '@koa/router';
import { PluginRejection, type TesseraPlugin } from '../../engine/src/plugins/plugin-api.js';
import { createMailTransport } from '../email-channel/mail-transport.js';
import { PdfPrinter } from '../rendering/pdf-printer.js';
import { loadInstanceCertificate, type InstanceCertificate } from './instance-certificate.js';
import { registerRequestAction } from './request-action.js';
import { signerRoutes } from './signer-routes.js';
import { signingSweep } from './signing-sweep.js';
import { guardSigningRecords } from './trusted-writes.js';
import { registerVerifyAction } from './verify-action.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const plugin: TesseraPlugin = {
  name: 'esign',
  version: '0.1.0',
  requires: ['rendering'],
  setup(host) {
    const mail = createMailTransport(host.settings);
    const printer = new PdfPrinter(host.settings.chromiumPath);
    host.onClose(() => printer.close());
    // Loaded (or generated) on the first completed signing, then kept for the process.
    let certificate: Promise<InstanceCertificate> | undefined;
    const completion = {
      host,
      printer,
      certificate: () =>
        (certificate ??= loadInstanceCertificate(host.settings).catch((err: unknown) => {
          certificate = undefined;
          throw err;
        })),
    };
    guardSigningRecords(host);
    // The rendered PDF a request fixed, the signed one, and drawn signatures: kept by hash, so collection keeps them.
    host.blobKeys({ entity: 'signing_request', fields: ['document_sha256', 'signed_sha256'] });
    host.blobKeys({ entity: 'signing_signer', fields: ['signature_sha256'] });
    registerRequestAction(host, mail);
    registerVerifyAction(host);
    host.job(signingSweep(mail));
    host.publicRoutes(signerRoutes(host, mail, completion));

    // The signed PDF for signed-in users who may read the request (and through it, the contract).
    const router = new Router();
    router.get('/requests/:id/signed', async (ctx) => {
      if (!UUID.test(ctx.params.id ?? '')) throw new PluginRejection('no such signing request', '', 'esign.no_request', 404);
      const request = await host.work.readAs(ctx.state, 'signing_request', ctx.params.id as string);
      await host.work.readAs(ctx.state, 'contract', String(request.contract));
      if (typeof request.signed_sha256 !== 'string')
        throw new PluginRejection('the document is signed once every signer has signed', '', 'esign.not_completed', 409);
      ctx.set('Content-Type', 'application/pdf');
      ctx.set('Content-Disposition', `attachment; filename="signed-${String(request.id)}.pdf"`);
      ctx.body = await host.blobs.open(request.signed_sha256);
    });
    host.routes(router);
  },
};

export default plugin;
