// OpenAPI paths of approval flows: per entity with flows, the approval of a record and its actions (readers and
// approvers); per user, what waits for them and their standing delegations. Called by openapi-document.ts.
import type { EntityDef } from '../metadata/model.js';
import { envelope, json, problem, type Doc } from './openapi-parts.js';

const uuid = { type: 'string', format: 'uuid' };
const idParam = { name: 'id', in: 'path', required: true, schema: uuid };
const comment = { type: 'string', maxLength: 4000 };
const nullable = (type: string) => ({ type: [type, 'null'] });

const OUTCOME = {
  type: 'object',
  properties: {
    instanceId: uuid,
    flow: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'approved', 'rejected', 'withdrawn'] },
    step: nullable('string'),
  },
};

const ACTIONS: ReadonlyArray<{ action: string; summary: string; body: Doc; required?: string[]; refusals: Record<number, string> }> = [
  {
    action: 'submit',
    summary: 'Submit to an approval flow (name it when several apply); the record is locked until the flow ends',
    body: { flow: { type: 'string' } },
    refusals: { 409: 'Already waiting for approval', 422: 'Entry criteria not met, several flows apply, or a step has no approver' },
  },
  {
    action: 'approve',
    summary: 'Approve the current step',
    body: { comment },
    refusals: {
      403: 'Not waiting for you',
      409: 'Not waiting for approval',
      422: 'An effect of the final approval would save invalid data',
    },
  },
  {
    action: 'reject',
    summary: 'Reject (a comment is required)',
    body: { comment },
    required: ['comment'],
    refusals: { 403: 'Not waiting for you', 409: 'Not waiting for approval', 422: 'No comment' },
  },
  {
    action: 'withdraw',
    summary: 'Withdraw (the submitter)',
    body: { comment },
    refusals: { 403: 'Not the submitter', 409: 'Not waiting for approval' },
  },
  {
    action: 'delegate',
    summary: 'Hand your task to another user',
    body: { to: uuid, comment },
    required: ['to'],
    refusals: {
      403: 'Not waiting for you',
      409: 'Not waiting for approval',
      422: 'Not an active user, or already an approver of the step',
    },
  },
  {
    action: 'reassign',
    summary: "Move a user's open task to another user (administrators)",
    body: { from: uuid, to: uuid },
    required: ['from', 'to'],
    refusals: { 403: 'Administrators only', 409: 'Not waiting for approval', 422: 'No task of that user, or not an active user' },
  },
];

export function approvalPaths(e: EntityDef, P: string): Doc {
  if (!e.approvalFlows?.length) return {};
  const base = `/api/v1/${e.name}/{id}/approval`;
  const paths: Doc = {
    [base]: {
      parameters: [idParam],
      get: {
        tags: [e.name],
        summary: `The approval of a ${e.label.en}: its current instance with the tasks, and the history of every submission`,
        operationId: `approvalOf${P}`,
        responses: {
          200: {
            description: 'The approval',
            content: envelope({
              type: 'object',
              properties: {
                status: { type: 'string', enum: ['none', 'pending', 'approved', 'rejected', 'withdrawn'] },
                instance: { type: ['object', 'null'] },
                submissions: { type: 'array', items: { type: 'object' } },
                history: { type: 'array', items: { type: 'object' } },
              },
            }),
          },
          404: problem('No such record'),
        },
      },
    },
  };
  for (const a of ACTIONS) {
    paths[`${base}/${a.action}`] = {
      parameters: [idParam],
      post: {
        tags: [e.name],
        summary: a.summary,
        operationId: `${a.action}Approval${P}`,
        requestBody: {
          required: (a.required ?? []).length > 0,
          content: json({ type: 'object', properties: a.body, ...(a.required ? { required: a.required } : {}) }),
        },
        responses: {
          200: { description: 'Where the approval stands now', content: envelope(OUTCOME) },
          404: problem('No such record'),
          ...Object.fromEntries(Object.entries(a.refusals).map(([status, text]) => [status, problem(text)])),
        },
      },
    };
  }
  return paths;
}

const DELEGATION = {
  type: 'object',
  properties: {
    id: uuid,
    to: uuid,
    toName: nullable('string'),
    from: { type: 'string', format: 'date' },
    until: { type: 'string', format: 'date' },
    comment: nullable('string'),
  },
};

/** The caller's approvals inbox and standing delegations. */
export function myApprovalPaths(): Doc {
  return {
    '/api/v1/me/approvals': {
      get: {
        tags: ['approvals'],
        summary: 'What waits for your decision, directly or through a standing delegation, with each record’s title',
        operationId: 'myApprovals',
        responses: {
          200: {
            description: 'Open tasks, oldest first',
            content: envelope({
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  taskId: { type: 'string' },
                  entity: { type: 'string' },
                  recordId: uuid,
                  title: {},
                  flow: { type: 'string' },
                  step: { type: 'string' },
                  assignee: uuid,
                  delegatedFrom: nullable('string'),
                  via: { type: 'string', enum: ['direct', 'delegation'] },
                  assignedAt: { type: 'string' },
                },
              },
            }),
          },
        },
      },
    },
    '/api/v1/me/delegations': {
      get: {
        tags: ['approvals'],
        summary: 'Your standing delegations that have not ended',
        operationId: 'myDelegations',
        responses: { 200: { description: 'The delegations', content: envelope({ type: 'array', items: DELEGATION }) } },
      },
      post: {
        tags: ['approvals'],
        summary: 'Let another user decide your approval tasks between two dates (both included)',
        operationId: 'createDelegation',
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['to', 'from', 'until'],
            properties: { to: uuid, from: { type: 'string', format: 'date' }, until: { type: 'string', format: 'date' }, comment },
          }),
        },
        responses: {
          201: { description: 'The delegation', content: envelope(DELEGATION) },
          422: problem('Not an active user, yourself, or dates out of order'),
        },
      },
    },
    '/api/v1/me/delegations/{id}': {
      parameters: [idParam],
      delete: {
        tags: ['approvals'],
        summary: 'End a standing delegation',
        operationId: 'deleteDelegation',
        responses: { 204: { description: 'Deleted' }, 404: problem('No such delegation of yours') },
      },
    },
  };
}
