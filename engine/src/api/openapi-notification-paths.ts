// The notification routes (api/notification.routes.ts) in the OpenAPI document: every user's own inbox, and the
// delivery states for administrators. Their schemas sit beside them.
import { DELIVERY_STATES } from '../workflow/delivery-status.js';
import { envelope, json, problem, ref, type Doc } from './openapi-parts.js';

const string = { type: 'string' };
const nullableString = { type: ['string', 'null'] };
const id = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const notFound = problem('Not a notification of yours');

export const NOTIFICATION_SCHEMAS: Doc = {
  Notification: {
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid' },
      kind: { ...string, description: 'What raised it: reminder, approval, ...' },
      title: { ...string, description: "Rendered in the recipient's locale" },
      body: string,
      entity: nullableString,
      recordId: { type: ['string', 'null'], format: 'uuid' },
      createdAt: { type: 'string', format: 'date-time' },
      shownAt: { type: 'string', format: 'date-time', description: 'Its creation, or the end of a snooze' },
      readAt: { type: ['string', 'null'], format: 'date-time' },
    },
  },
  NotificationDelivery: {
    type: 'object',
    properties: {
      notificationId: { type: 'string', format: 'uuid' },
      channel: string,
      userId: { type: 'string', format: 'uuid' },
      kind: string,
      title: string,
      state: { type: 'string', enum: [...DELIVERY_STATES] },
      attempts: { type: 'integer' },
      error: nullableString,
      updatedAt: { type: 'string', format: 'date-time' },
    },
  },
};

const one = (summary: string, operationId: string, description: string): Doc => ({
  tags: ['notifications'],
  summary,
  operationId,
  responses: { 200: { description, content: envelope(ref('Notification')) }, 404: notFound },
});

function inboxPaths(): Doc {
  return {
    '/api/v1/me/notifications': {
      get: {
        tags: ['notifications'],
        summary: 'Your notifications, newest first (not snoozed, not dismissed)',
        operationId: 'listNotifications',
        parameters: [
          { name: 'unread', in: 'query', required: false, schema: { type: 'string', enum: ['true', 'false'] } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
          { name: 'offset', in: 'query', required: false, schema: { type: 'integer', minimum: 0, default: 0 } },
        ],
        responses: {
          200: { description: 'A page', content: envelope({ type: 'array', items: ref('Notification') }) },
          400: problem('Bad paging or filter'),
        },
      },
    },
    '/api/v1/me/notifications/unread-count': {
      get: {
        tags: ['notifications'],
        summary: 'How many of your notifications are unread',
        operationId: 'countUnreadNotifications',
        responses: {
          200: { description: 'The count', content: envelope({ type: 'object', properties: { unread: { type: 'integer' } } }) },
        },
      },
    },
    '/api/v1/me/notifications/read-all': {
      post: {
        tags: ['notifications'],
        summary: 'Mark all your notifications read',
        operationId: 'readAllNotifications',
        responses: {
          200: { description: 'How many were marked', content: envelope({ type: 'object', properties: { marked: { type: 'integer' } } }) },
        },
      },
    },
    '/api/v1/me/notifications/{id}/read': { parameters: [id], post: one('Mark one read', 'readNotification', 'Read') },
    '/api/v1/me/notifications/{id}/snooze': {
      parameters: [id],
      post: {
        ...one('Hide it until a time; it then shows again, unread', 'snoozeNotification', 'Snoozed'),
        requestBody: {
          required: true,
          content: json({ type: 'object', required: ['until'], properties: { until: { type: 'string', format: 'date-time' } } }),
        },
        responses: {
          200: { description: 'Snoozed', content: envelope(ref('Notification')) },
          404: notFound,
          422: problem('until is not a future date-time'),
        },
      },
    },
    '/api/v1/me/notifications/{id}/dismiss': {
      parameters: [id],
      post: {
        tags: ['notifications'],
        summary: 'Remove it; a dismissed reminder never reminds you of that record again',
        operationId: 'dismissNotification',
        responses: { 204: { description: 'Dismissed' }, 404: notFound },
      },
    },
  };
}

export function notificationPaths(isAdmin: boolean): Doc {
  if (!isAdmin) return inboxPaths();
  return {
    ...inboxPaths(),
    '/api/admin/notifications/deliveries': {
      get: {
        tags: ['admin'],
        summary: 'External notification deliveries with their state and last error, newest first',
        operationId: 'listNotificationDeliveries',
        parameters: [
          { name: 'state', in: 'query', required: false, schema: { type: 'string', enum: [...DELIVERY_STATES] } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
        ],
        responses: {
          200: { description: 'Deliveries', content: envelope({ type: 'array', items: ref('NotificationDelivery') }) },
          400: problem('Unknown state'),
          403: problem('Administrators only'),
        },
      },
    },
  };
}
