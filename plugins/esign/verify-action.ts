// verify on a signing request: the event chain recomputed (intact, or the first event that breaks it and why), and,
// once completed, the signed PDF read back from the blob store: its hash checked against the request's and the
// chain's, and its PAdES signature rechecked (pades-check.ts) against the certificate the chain recorded.
import { createHash } from 'node:crypto';
import type { PluginHost } from '../../engine/src/plugins/plugin-api.js';
import { MAX_SIGNED_BYTES } from './completion.js';
import { verifyChain } from './event-chain.js';
import { checkPades, type PadesCheck } from './pades-check.js';
import { readChain } from './signing-events.js';

export interface SignedFileCheck {
  readonly sha256: string;
  readonly intact: boolean;
  /** Why it is not intact: every problem found, in a sentence. */
  readonly reason?: string;
  /** The PAdES signature recheck; absent when the file could not be read. */
  readonly signature?: PadesCheck;
}

/** The stored file, whole (the signature check needs every byte), or why it cannot be had. */
async function readSigned(host: PluginHost, sha256: string): Promise<Buffer | string> {
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of await host.blobs.open(sha256)) {
      size += (chunk as Buffer).length;
      if (size > MAX_SIGNED_BYTES) return `the stored signed PDF is larger than a sealed contract can be`;
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'storage.not_found') return 'the signed PDF is no longer in storage';
    throw err;
  }
}

async function checkSigned(
  host: PluginHost,
  sha256: string,
  recorded: Readonly<Record<string, unknown>> | undefined,
): Promise<SignedFileCheck> {
  const pdf = await readSigned(host, sha256);
  if (typeof pdf === 'string') return { sha256, intact: false, reason: pdf };
  const signature = checkPades(pdf, typeof recorded?.certificate_sha256 === 'string' ? recorded.certificate_sha256 : undefined);
  const actual = createHash('sha256').update(pdf).digest('hex');
  const problems = [
    ...(actual === sha256 ? [] : [`the stored signed PDF was changed: its SHA-256 is ${actual}, not the ${sha256} recorded`]),
    ...(recorded?.signed_sha256 === sha256 ? [] : ['the chain’s completed event records a different signed PDF']),
    ...(signature.intact ? [] : [`its signature is broken: ${signature.reason}`]),
  ];
  return { sha256, intact: problems.length === 0, ...(problems.length ? { reason: problems.join('; ') } : {}), signature };
}

export function registerVerifyAction(host: PluginHost): void {
  host.action({
    entity: 'signing_request',
    name: 'verify',
    label: { en: 'Verify the audit trail', 'zh-CN': '校验审计链' },
    input: { type: 'object', additionalProperties: false, properties: {} },
    async run({ id, record, db }) {
      const events = await readChain(db, id);
      const chain = verifyChain(events);
      const completed = events.find((e) => e.kind === 'completed');
      const signed = typeof record.signed_sha256 === 'string' ? await checkSigned(host, record.signed_sha256, completed?.detail) : null;
      return { chain, document_sha256: record.document_sha256, signed, intact: chain.intact && (signed === null || signed.intact) };
    },
  });
}
