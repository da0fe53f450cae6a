// Small builders shared by the OpenAPI document's entity paths and its system paths.
import type { JsonSchema } from '../metadata/field-kinds.js';

export type Doc = Record<string, unknown>;

export const ref = (name: string): Doc => ({ $ref: `#/components/schemas/${name}` });
export const problem = (description: string): Doc => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
export const json = (schema: JsonSchema): Doc => ({ 'application/json': { schema } });
/** `{ data, meta }`, the envelope of every JSON answer. */
export const envelope = (data: JsonSchema, meta: JsonSchema = { type: 'object' }): Doc =>
  json({ type: 'object', properties: { data, meta } });
