// Optimistic concurrency: a write names the version it read (If-Match: "3", or "version" in the body).
import { EngineError } from '../shared/engine-error.js';

export function readExpectedVersion(ifMatch: string, body: Record<string, unknown> | undefined, required: boolean): number | undefined {
  const header = ifMatch.trim();
  let version: number | undefined;
  if (header) {
    const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(header);
    if (!m) throw new EngineError('request.invalid_if_match', 400, 'If-Match must be the version number you read, e.g. "3"');
    version = Number(m[1]);
  }
  if (body && 'version' in body) {
    const v = body.version;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new EngineError('validation.failed', 422, 'version must be the version number you read', {
        fieldErrors: [{ pointer: '/version', code: 'validation.type', message: 'must be a positive whole number' }],
      });
    }
    if (version !== undefined && version !== v)
      throw new EngineError('request.version_mismatch', 400, 'If-Match and the body name different versions');
    version = v;
    delete body.version;
  }
  if (version === undefined && required) {
    throw new EngineError(
      'request.version_required',
      428,
      'say which version you read: send If-Match: "<version>" or a "version" member in the body',
    );
  }
  return version;
}
