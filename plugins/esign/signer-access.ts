// Who a signing link belongs to and what they may do now: the token's hash looked up (a malformed or unknown token
// is the same 404, so guessing learns nothing), the request's state and expiry (410 once expired or cancelled), and,
// for acting, whether this signer still has to sign and, in sequential order, whether it is their turn.
import { hashLinkToken, isLinkTokenShaped, PluginRejection, type PluginDb } from '../../engine/src/plugins/plugin-api.js';

export interface SignerRow extends Record<string, unknown> {
  id: string;
  request: string;
  position: number;
  name: string;
  email: string;
  status: 'waiting' | 'signed';
  code_hash: string | null;
  /** No code, or its ten minutes are over (judged by the database's clock, as the expiry was). */
  code_lapsed: boolean;
  code_attempts: number;
  codes_sent: number;
}

export interface RequestRow extends Record<string, unknown> {
  id: string;
  title: string;
  contract: string;
  document: string;
  document_sha256: string;
  signing_order: 'sequential' | 'parallel';
  status: 'open' | 'completed' | 'expired' | 'cancelled';
  expires_at: string;
  /** Past its expiry by the database's clock. */
  lapsed: boolean;
  signed_sha256: string | null;
}

export interface SignerAtLink {
  readonly signer: SignerRow;
  readonly request: RequestRow;
}

const fail = (detail: string, code: string, status: number): never => {
  throw new PluginRejection(detail, '', code, status);
};

/** The signer a token names; `lock` takes their row for the rest of the transaction. */
export async function signerAtLink(db: PluginDb, token: string, lock = false): Promise<SignerAtLink> {
  if (!isLinkTokenShaped(token)) fail('this signing link does not exist', 'esign.no_link', 404);
  const [signer] = await db.query<SignerRow>(
    `SELECT id::text, request_id::text AS request, position, name, email, status::text AS status, code_hash,
            (code_expires_at IS NULL OR code_expires_at <= now()) AS code_lapsed, code_attempts, codes_sent
       FROM signing_signer WHERE token_hash = $1 AND deleted_at IS NULL ${lock ? 'FOR UPDATE' : ''}`,
    [hashLinkToken(token)],
  );
  if (!signer) return fail('this signing link does not exist', 'esign.no_link', 404);
  const [request] = await db.query<RequestRow>(
    `SELECT id::text, title, contract_id::text AS contract, document_id::text AS document, document_sha256,
            signing_order::text AS signing_order, status::text AS status, expires_at, expires_at <= now() AS lapsed,
            signed_sha256
       FROM signing_request WHERE id = $1`,
    [signer.request],
  );
  if (!request) return fail('this signing link does not exist', 'esign.no_link', 404);
  return { signer, request };
}

/** Whether the link's request still takes signatures at all (reading it is allowed after). */
export function checkOpen({ request }: SignerAtLink): void {
  if (request.status === 'expired' || (request.status === 'open' && request.lapsed))
    fail('this signing request has expired', 'esign.expired', 410);
  if (request.status === 'cancelled') fail('this signing request was cancelled', 'esign.cancelled', 410);
  if (request.status === 'completed') fail('every signer has signed already', 'esign.completed', 409);
}

/** That this signer may act now: open request, not signed yet, and their turn. */
export async function checkMayAct(db: PluginDb, at: SignerAtLink): Promise<void> {
  checkOpen(at);
  if (at.signer.status === 'signed') fail('you have signed already', 'esign.already_signed', 409);
  if (at.request.signing_order === 'sequential') {
    const [before] = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM signing_signer WHERE request_id = $1 AND position < $2 AND status <> 'signed' AND deleted_at IS NULL`,
      [at.request.id, at.signer.position],
    );
    if (Number(before?.n ?? 0) > 0) fail('the signers before you have not signed yet', 'esign.not_your_turn', 409);
  }
}
