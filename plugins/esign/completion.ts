// When the last signer has signed: the completion certificate printed from the chain so far, appended to the bytes
// that were rendered (read back from the blob store by the hash the request fixed, and checked against it), the
// whole sealed with the instance certificate (PAdES), stored in the blob store; then the request completed, a last
// event naming the signed file's hash, and the contract moved to signed through its state machine (its `sign`
// transition), all in the signer's transaction.
import { createHash } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import type { PluginDb, PluginHost, PluginRecords } from '../../engine/src/plugins/plugin-api.js';
import type { PdfPrinter } from '../rendering/pdf-printer.js';
import { certificatePageHtml, type CertificateSigner } from './certificate-page.js';
import type { InstanceCertificate } from './instance-certificate.js';
import { sealPdf } from './signed-pdf.js';
import type { RequestRow } from './signer-access.js';
import { appendEvent, readChain } from './signing-events.js';
import { asEsign } from './trusted-writes.js';

/** The signed PDF is the rendered one plus a page or two: well under this. */
export const MAX_SIGNED_BYTES = 80 * 1024 * 1024;

export interface CompletionDeps {
  readonly host: PluginHost;
  readonly printer: PdfPrinter;
  certificate(): Promise<InstanceCertificate>;
}

async function signersOf(deps: CompletionDeps, db: PluginDb, request: string): Promise<CertificateSigner[]> {
  const rows = await db.query<{
    name: string;
    email: string;
    signed_at: string | Date;
    kind: 'typed' | 'drawn';
    text: string | null;
    png: string | null;
  }>(
    `SELECT name, email, signed_at, signature_kind::text AS kind, signature_text AS text, signature_sha256 AS png
       FROM signing_signer WHERE request_id = $1 AND deleted_at IS NULL ORDER BY position`,
    [request],
  );
  return Promise.all(
    rows.map(async (r) => ({
      name: r.name,
      email: r.email,
      signedAt: new Date(r.signed_at).toISOString(),
      kind: r.kind,
      ...(r.text ? { text: r.text } : {}),
      ...(r.png ? { png: await buffer(await deps.host.blobs.open(r.png)) } : {}),
    })),
  );
}

export async function completeSigning(deps: CompletionDeps, db: PluginDb, records: PluginRecords, request: RequestRow): Promise<string> {
  const rendered = await buffer(await deps.host.blobs.open(request.document_sha256));
  if (createHash('sha256').update(rendered).digest('hex') !== request.document_sha256)
    throw new Error(`the stored document of signing request ${request.id} does not match its hash`);
  const cert = await deps.certificate();
  const page = await deps.printer.print(
    certificatePageHtml({
      requestId: request.id,
      title: request.title,
      documentSha256: request.document_sha256,
      signers: await signersOf(deps, db, request.id),
      events: await readChain(db, request.id),
      sealedBy: { subject: cert.subject, fingerprint: cert.fingerprint },
    }),
  );
  const signedAt = new Date();
  const signed = await sealPdf(rendered, page, cert, { reason: `Signed: ${request.title}`, location: 'Tessera', signingTime: signedAt });
  const blob = await deps.host.blobs.put(signed, { maxBytes: MAX_SIGNED_BYTES });
  await asEsign(() =>
    records.update('signing_request', request.id, {
      status: 'completed',
      signed_sha256: blob.sha256,
      signed_size: blob.size,
      completed_at: signedAt.toISOString(),
    }),
  );
  await appendEvent(db, records, request.id, {
    kind: 'completed',
    actor: 'system',
    detail: { signed_sha256: blob.sha256, signed_size: blob.size, certificate_sha256: cert.fingerprint },
  });
  await records.update('contract', request.contract, { status: 'signed' });
  return blob.sha256;
}
