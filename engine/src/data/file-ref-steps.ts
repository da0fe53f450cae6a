// A file value names a stored blob by its SHA-256, and whoever may read the record may download that blob. So a
// client must not write a file field to a ref of its own making — it could name a blob it has no right to (a hash
// seen in an audit trail or on a signing page) and then download it through a record of its own. New file values
// come only from trusted code: the upload route, which stored the bytes it names, and plugins. A client may send a
// record's current file value back unchanged (a form saves every field) or clear it.
import { EngineError } from '../shared/engine-error.js';
import type { WriteContext } from './write-context.js';

const REF_KEYS = ['sha256', 'name', 'size', 'contentType'] as const;

function sameRef(a: unknown, b: unknown): boolean {
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  return Object.keys(y).length === REF_KEYS.length && REF_KEYS.every((k) => x[k] === y[k]);
}

/** Refuses, before any other work, a new file value the write's caller did not store itself. */
export async function refuseUnvouchedFiles(ctx: WriteContext): Promise<void> {
  if (ctx.filesVouched) return;
  const errors = ctx.rt.entity.fields.flatMap((f) => {
    if (f.kind !== 'file' || !(f.name in ctx.changes)) return [];
    const value = ctx.changes[f.name];
    if (value === null || value === undefined || sameRef(ctx.before?.[f.name], value)) return [];
    return [
      {
        pointer: `${ctx.pointerPrefix}/${f.name}`,
        code: 'file.upload_required',
        message: `upload the file to PUT /api/v1/${ctx.rt.entity.name}/<id>/files/${f.name}; a file value cannot be written directly`,
      },
    ];
  });
  if (errors.length) throw new EngineError('validation.failed', 422, 'file fields are set by uploading the file', { fieldErrors: errors });
}
