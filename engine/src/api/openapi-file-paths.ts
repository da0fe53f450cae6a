// OpenAPI paths of files (file.routes.ts, share-link.routes.ts, upload-link.routes.ts): one set for every entity,
// named by an {entity} parameter, since every entity has attachments and links. Uploads are the raw body with the
// file name in `?name=`. Called by openapi-document.ts.
import { FILE_REF_SCHEMA } from '../metadata/file-field-kind.js';
import { envelope, json, problem, type Doc } from './openapi-parts.js';

const path = (name: string, format?: string) => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'string', ...(format ? { format } : {}) },
});
const RECORD = [path('entity'), path('id', 'uuid')];
const NAME = {
  name: 'name',
  in: 'query',
  required: true,
  schema: { type: 'string', maxLength: 255 },
  description: 'The file name (no path)',
};
const RAW_BODY = { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } };
const FILE_BYTES = {
  description: 'The file, streamed, with Content-Disposition naming it',
  content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
};
const UPLOAD_REFUSALS = {
  400: problem('A name with a path or control characters (file.bad_name)'),
  413: problem('Larger than the limit (storage.too_large)'),
  415: problem('A type not accepted, or one the name or Content-Type lies about (file.type_refused, file.type_mismatch)'),
};
const LINK_GONE = { 404: problem('No such link'), 410: problem('Expired, revoked or used') };
const GUARDED = { 401: problem('Needs its password'), 403: problem('Wrong password'), 429: problem('Too many wrong passwords lately') };
const op = (tag: string, operationId: string, summary: string, responses: Doc, extra: Doc = {}): Doc => ({
  tags: [tag],
  operationId,
  summary,
  responses,
  ...extra,
});
const OBJ = { type: 'object' };

export function filePaths(): Doc {
  return {
    '/api/v1/{entity}/{id}/files/{field}': {
      parameters: [...RECORD, path('field')],
      put: op(
        'files',
        'uploadFieldFile',
        'Upload into a file field (needs update access; the type is sniffed from the bytes)',
        {
          200: {
            description: 'Stored and written',
            content: envelope({ type: 'object', properties: { file: FILE_REF_SCHEMA, version: { type: 'integer' } } }),
          },
          ...UPLOAD_REFUSALS,
          404: problem('No such record in your scope, or no such file field'),
        },
        { parameters: [NAME], requestBody: RAW_BODY },
      ),
      get: op('files', 'downloadFieldFile', "Download a file field's file (needs read access)", {
        200: FILE_BYTES,
        404: problem('No such record in your scope, or no file'),
      }),
    },
    '/api/v1/{entity}/{id}/attachments': {
      parameters: RECORD,
      get: op('files', 'listAttachments', "The record's attachments (needs read access)", {
        200: { description: 'Attachments', content: envelope({ type: 'array', items: OBJ }) },
      }),
      post: op(
        'files',
        'addAttachment',
        'Attach a file (needs update access)',
        { 201: { description: 'Attached', content: envelope(OBJ) }, ...UPLOAD_REFUSALS },
        { parameters: [NAME], requestBody: RAW_BODY },
      ),
    },
    '/api/v1/{entity}/{id}/attachments/{attachment}': {
      parameters: [...RECORD, path('attachment', 'uuid')],
      delete: op('files', 'removeAttachment', 'Remove an attachment (needs update access)', {
        204: { description: 'Removed' },
        404: problem('No such attachment'),
      }),
    },
    '/api/v1/{entity}/{id}/attachments/{attachment}/content': {
      parameters: [...RECORD, path('attachment', 'uuid')],
      get: op('files', 'downloadAttachment', 'Download an attachment (needs read access)', {
        200: FILE_BYTES,
        404: problem('No such attachment'),
      }),
    },
    '/api/v1/{entity}/{id}/share-links': {
      parameters: RECORD,
      get: op('files', 'listShareLinks', "The record's share links and their use (needs update access)", {
        200: { description: 'Links', content: envelope({ type: 'array', items: OBJ }) },
      }),
      post: op(
        'files',
        'issueShareLink',
        'A link serving a file field’s current file without an account (the token is shown once)',
        {
          201: { description: 'Issued', content: envelope(OBJ) },
          422: problem('Bad field, expiry or password'),
        },
        {
          requestBody: {
            required: true,
            content: json({
              type: 'object',
              required: ['field'],
              properties: {
                field: { type: 'string' },
                expiresInHours: { type: 'integer', minimum: 1 },
                password: { type: 'string', minLength: 6 },
                once: { type: 'boolean' },
              },
            }),
          },
        },
      ),
    },
    '/api/v1/{entity}/{id}/share-links/{link}': {
      parameters: [...RECORD, path('link', 'uuid')],
      delete: op('files', 'revokeShareLink', 'Revoke a share link', { 204: { description: 'Revoked' }, 404: problem('No such link') }),
    },
    '/api/v1/{entity}/{id}/share-links/{link}/accesses': {
      parameters: [...RECORD, path('link', 'uuid')],
      get: op('files', 'shareLinkAccesses', 'Every use of a share link: when, from where, the outcome', {
        200: { description: 'The log', content: envelope({ type: 'array', items: OBJ }) },
      }),
    },
    '/api/v1/{entity}/{id}/upload-links': {
      parameters: RECORD,
      get: op('files', 'listUploadLinks', "The record's upload links: limits, files taken, revoked or not (never their tokens)", {
        200: { description: 'The links', content: envelope({ type: 'array', items: OBJ }) },
      }),
      post: op(
        'files',
        'issueUploadLink',
        'A link through which someone without an account sends files for review',
        {
          201: { description: 'Issued', content: envelope(OBJ) },
          422: problem('Bad limits'),
        },
        {
          requestBody: {
            required: false,
            content: json({
              type: 'object',
              properties: { expiresInHours: { type: 'integer' }, maxFiles: { type: 'integer' }, maxBytes: { type: 'integer' } },
            }),
          },
        },
      ),
    },
    '/api/v1/{entity}/{id}/upload-links/{link}': {
      parameters: [...RECORD, path('link', 'uuid')],
      delete: op('files', 'revokeUploadLink', 'Revoke an upload link', { 204: { description: 'Revoked' }, 404: problem('No such link') }),
    },
    '/api/v1/{entity}/{id}/submissions': {
      parameters: RECORD,
      get: op('files', 'listSubmissions', 'Files sent through upload links, with their review state and comments', {
        200: { description: 'Submissions', content: envelope({ type: 'array', items: OBJ }) },
      }),
    },
    '/api/v1/{entity}/{id}/submissions/{submission}/content': {
      parameters: [...RECORD, path('submission', 'uuid')],
      get: op('files', 'downloadSubmission', 'Download a submitted file', { 200: FILE_BYTES, 404: problem('No such submission') }),
    },
    '/api/v1/{entity}/{id}/submissions/{submission}/comments': {
      parameters: [...RECORD, path('submission', 'uuid')],
      post: op(
        'files',
        'commentSubmission',
        'Comment on a submitted file (reviewers only; the sender does not see it)',
        { 201: { description: 'Commented' }, 422: problem('Empty or too long') },
        {
          requestBody: {
            required: true,
            content: json({ type: 'object', required: ['body'], properties: { body: { type: 'string', maxLength: 4000 } } }),
          },
        },
      ),
    },
    '/api/v1/{entity}/{id}/submissions/{submission}/decision': {
      parameters: [...RECORD, path('submission', 'uuid')],
      post: op(
        'files',
        'decideSubmission',
        'Approve (it becomes an attachment) or reject a submitted file, once',
        { 200: { description: 'Decided' }, 409: problem('Already decided (review.decided)'), 422: problem('Bad decision') },
        {
          requestBody: {
            required: true,
            content: json({
              type: 'object',
              required: ['decision'],
              properties: { decision: { enum: ['approved', 'rejected'] }, note: { type: 'string', maxLength: 4000 } },
            }),
          },
        },
      ),
    },
    '/api/public/shares/{token}': {
      parameters: [path('token')],
      get: op(
        'public files',
        'openShare',
        'The shared file’s name, size, type and hash (no token needed; X-Share-Password when it has one)',
        {
          200: { description: 'The file', content: envelope(OBJ) },
          ...GUARDED,
          ...LINK_GONE,
        },
        { security: [] },
      ),
    },
    '/api/public/shares/{token}/content': {
      parameters: [path('token')],
      get: op(
        'public files',
        'downloadShare',
        'Download the shared file as it is now (no token needed)',
        { 200: FILE_BYTES, ...GUARDED, ...LINK_GONE },
        { security: [] },
      ),
    },
    '/api/public/uploads/{token}': {
      parameters: [path('token')],
      get: op(
        'public files',
        'openUploadLink',
        'The link’s limits and the outcome of each file sent through it (no token needed)',
        { 200: { description: 'The link', content: envelope(OBJ) }, ...LINK_GONE },
        { security: [] },
      ),
      post: op(
        'public files',
        'sendThroughUploadLink',
        'Send one file for review (no token needed)',
        {
          201: { description: 'Waiting in review', content: envelope(OBJ) },
          ...UPLOAD_REFUSALS,
          409: problem('The link has taken all its files'),
          ...LINK_GONE,
        },
        { security: [], parameters: [NAME], requestBody: RAW_BODY },
      ),
    },
  };
}
