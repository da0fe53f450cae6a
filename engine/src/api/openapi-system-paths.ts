// The routes that are not built from entities, for the OpenAPI document: sign-in and tokens, the admin's
// metadata and password routes (administrators only), health and meta. Their schemas sit beside them.
import { envelope, json, problem, ref, type Doc } from './openapi-parts.js';
import { MIN_PASSWORD_LENGTH } from '../security/password.js';

const NO_TOKEN: Doc[] = [];
const body = (schema: Doc) => ({ required: true, content: json(schema) });
const string = { type: 'string' };
const uuid = { type: 'string', format: 'uuid' };
const noContent = (description: string) => ({ description });
const idParam = { name: 'id', in: 'path', required: true, schema: uuid };

export const SYSTEM_SCHEMAS: Doc = {
  Session: {
    type: 'object',
    properties: {
      id: uuid,
      username: string,
      displayName: string,
      orgUnitId: { type: ['string', 'null'] },
      managerId: { type: ['string', 'null'] },
      roles: { type: 'array', items: string },
      isAdmin: { type: 'boolean' },
    },
  },
  ApiToken: {
    type: 'object',
    properties: {
      id: uuid,
      name: string,
      created_at: string,
      expires_at: { type: ['string', 'null'] },
      revoked_at: { type: ['string', 'null'] },
      last_used_at: { type: ['string', 'null'] },
    },
  },
};

function authPaths(): Doc {
  return {
    '/api/auth/login': {
      post: {
        tags: ['auth'],
        summary: 'Sign in',
        operationId: 'login',
        security: NO_TOKEN,
        requestBody: body({
          type: 'object',
          required: ['username', 'password'],
          properties: { username: { type: 'string', maxLength: 200 }, password: { type: 'string', maxLength: 1024 } },
        }),
        responses: {
          200: {
            description: 'A session token',
            content: envelope({
              type: 'object',
              properties: { token: string, expiresAt: { type: 'string', format: 'date-time' }, user: ref('Session') },
            }),
          },
          401: problem('Wrong username or password'),
          422: problem('Missing or unstorable fields'),
          429: problem('Too many attempts'),
        },
      },
    },
    '/api/auth/logout': {
      post: { tags: ['auth'], summary: 'Revoke the token used', operationId: 'logout', responses: { 204: noContent('Signed out') } },
    },
    '/api/auth/me': {
      get: {
        tags: ['auth'],
        summary: 'The signed-in user',
        operationId: 'me',
        responses: { 200: { description: 'The session', content: envelope(ref('Session')) }, 401: problem('Not signed in') },
      },
    },
    '/api/auth/password': {
      put: {
        tags: ['auth'],
        summary: 'Change your password (ends your other sessions)',
        operationId: 'changePassword',
        requestBody: body({
          type: 'object',
          required: ['currentPassword', 'newPassword'],
          properties: { currentPassword: string, newPassword: { type: 'string', minLength: MIN_PASSWORD_LENGTH } },
        }),
        responses: { 204: noContent('Changed'), 403: problem('Current password wrong'), 422: problem('Password too short') },
      },
    },
    '/api/auth/tokens': {
      get: {
        tags: ['auth'],
        summary: 'Your API tokens (without their secrets)',
        operationId: 'listApiTokens',
        responses: { 200: { description: 'Tokens', content: envelope({ type: 'array', items: ref('ApiToken') }) } },
      },
      post: {
        tags: ['auth'],
        summary: 'Create an API token (tsk_..., shown once)',
        operationId: 'createApiToken',
        requestBody: body({
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', maxLength: 200 }, expiresInDays: { type: 'integer', minimum: 1, maximum: 3650 } },
        }),
        responses: {
          201: {
            description: 'The token',
            content: envelope({ type: 'object', properties: { id: uuid, token: string, expiresAt: { type: ['string', 'null'] } } }),
          },
          422: problem('Invalid input'),
        },
      },
    },
    '/api/auth/tokens/{id}': {
      parameters: [idParam],
      delete: {
        tags: ['auth'],
        summary: 'Revoke one of your API tokens',
        operationId: 'revokeApiToken',
        responses: { 204: noContent('Revoked'), 404: problem('No such token') },
      },
    },
  };
}

function adminPaths(): Doc {
  const admin = problem('Administrators only');
  return {
    '/api/admin/users/{id}/password': {
      parameters: [idParam],
      put: {
        tags: ['admin'],
        summary: "Set a user's password (ends their sessions)",
        operationId: 'setUserPassword',
        requestBody: body({
          type: 'object',
          required: ['password'],
          properties: { password: { type: 'string', minLength: MIN_PASSWORD_LENGTH } },
        }),
        responses: { 204: noContent('Set'), 403: admin, 422: problem('Password too short') },
      },
    },
    '/api/admin/model/plan': {
      get: {
        tags: ['admin'],
        summary: 'What publishing the configured packs would do',
        operationId: 'previewPublish',
        parameters: [{ name: 'allowDestructive', in: 'query', required: false, schema: { type: 'string', enum: ['true', 'false'] } }],
        responses: {
          200: { description: 'The plan, and in meta the hash that pins it for publish', content: envelope({ type: 'object' }) },
          403: admin,
          422: problem('The packs are invalid'),
        },
      },
    },
    '/api/admin/model/publish': {
      post: {
        tags: ['admin'],
        summary: 'Publish the configured packs: plan, apply, and swap every engine to the new model',
        operationId: 'publish',
        requestBody: {
          required: false,
          content: json({
            type: 'object',
            properties: {
              allowDestructive: { type: 'boolean', default: false, description: 'Consent to steps that drop or narrow data.' },
              planHash: {
                type: 'string',
                description: 'The hash from GET /api/admin/model/plan: refuse unless that very plan is the one to apply.',
              },
            },
          }),
        },
        responses: {
          200: {
            description: 'Published',
            content: envelope({
              type: 'object',
              properties: { changed: { type: 'boolean' }, version: { type: 'integer' }, steps: { type: 'array', items: string } },
            }),
          },
          403: admin,
          409: problem('The plan changed since it was reviewed, or needs consent'),
          422: problem('The packs are invalid'),
        },
      },
    },
    '/api/admin/model/history': {
      get: {
        tags: ['admin'],
        summary: 'The schema history (every published model)',
        operationId: 'schemaHistory',
        responses: { 200: { description: 'History', content: envelope({ type: 'array', items: { type: 'object' } }) }, 403: admin },
      },
    },
  };
}

/** Paths outside the entities; the admin routes only for administrators. */
export function systemPaths(isAdmin: boolean): Doc {
  return {
    ...authPaths(),
    ...(isAdmin ? adminPaths() : {}),
    '/api/health': {
      get: {
        tags: ['system'],
        summary: 'Database and Model status',
        operationId: 'health',
        security: NO_TOKEN,
        responses: {
          200: { description: 'Healthy', content: json({ type: 'object' }) },
          503: { description: 'Database unreachable', content: json({ type: 'object' }) },
        },
      },
    },
    '/api/meta': {
      get: {
        tags: ['system'],
        summary: 'The compiled Model for the UIs',
        operationId: 'meta',
        parameters: [{ name: 'locale', in: 'query', required: false, schema: string }],
        responses: { 200: { description: 'The Model', content: json({ type: 'object' }) } },
      },
    },
  };
}
