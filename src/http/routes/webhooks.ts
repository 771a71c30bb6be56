/** /api/webhooks: a practice's webhook endpoints, their secrets, test events and delivery log (admins). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../services.ts';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhooks,
  rotateWebhookSecret,
  sendTestEvent,
  updateWebhook,
  type WebhookDeps,
} from '../../domain/webhooks/webhook-endpoint-service.ts';
import { listDeliveries, retryDelivery } from '../../domain/webhooks/webhook-delivery-service.ts';
import { WEBHOOK_EVENTS } from '../../domain/webhooks/webhook-events.ts';
import {
  DeliveryPage,
  DeliveryQuery,
  WebhookCreate,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
  WebhookList,
  WebhookRotate,
  WebhookUpdate,
} from '../../domain/webhooks/webhook-schemas.ts';
import { IdParams, problems } from '../schemas.ts';

const tags = ['Webhooks'];
const EVENTS = Object.entries(WEBHOOK_EVENTS)
  .map(([name, what]) => `\`${name}\` (${what.toLowerCase()})`)
  .join(', ');
const DeliveryParams = Type.Object({ id: Type.String({ description: 'Endpoint id' }), deliveryId: Type.String() });

/** Staff routes, registered inside /api; the secret box and SSRF policy come from the process. */
export function webhookRoutes(services: Services) {
  const deps: WebhookDeps = { secrets: services.secrets, allowPrivate: services.config.webhookAllowPrivate };
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    const permission = 'settings:manage' as const;

    r.post('/webhooks', {
      config: { permission, feature: 'webhooks' },
      schema: {
        tags,
        summary: 'Subscribe a webhook endpoint',
        description:
          `Events: ${EVENTS}. Deliveries are signed the Standard Webhooks way (\`webhook-id\`, \`webhook-timestamp\`, \`webhook-signature\`). ` +
          'The answer carries the signing `secret` (`whsec_…`), shown only here and on rotation. The URL must be http(s), without credentials, ' +
          'and resolve to public addresses (else 400 naming `url`); an unknown event is 400 naming `events[i]`. At most 20 endpoints: 409 `webhook_limit_reached`. Needs `settings:manage`.',
        body: WebhookCreate,
        response: { 201: WebhookEndpointWithSecret, ...problems(400, 401, 403, 409) },
      },
    }, async (request, reply) => {
      const endpoint = await createWebhook(request.ctx, deps, request.body);
      return reply.code(201).header('location', `/api/webhooks/${endpoint.id}`).send(endpoint);
    });

    r.get('/webhooks', {
      config: { permission },
      schema: { tags, summary: "The practice's webhook endpoints", description: 'Oldest first; secrets are never listed. Needs `settings:manage`.', response: { 200: WebhookList, ...problems(401, 403) } },
    }, async (request) => listWebhooks(request.ctx));

    r.get('/webhooks/:id', {
      config: { permission },
      schema: { tags, summary: 'Read a webhook endpoint', params: IdParams, response: { 200: WebhookEndpoint, ...problems(401, 403, 404) } },
    }, async (request) => getWebhook(request.ctx, request.params.id));

    r.patch('/webhooks/:id', {
      config: { permission, feature: 'webhooks' },
      schema: {
        tags,
        summary: 'Change a webhook endpoint',
        description: 'Send any of `url`, `events`, `description`, `active`. `active: true` re-enables an endpoint disabled after repeated failures. Needs `settings:manage`.',
        params: IdParams,
        body: WebhookUpdate,
        response: { 200: WebhookEndpoint, ...problems(400, 401, 403, 404) },
      },
    }, async (request) => updateWebhook(request.ctx, deps, request.params.id, request.body));

    r.delete('/webhooks/:id', {
      config: { permission },
      schema: { tags, summary: 'Remove a webhook endpoint and its delivery log', params: IdParams, response: { 204: Type.Null({ description: 'Removed' }), ...problems(401, 403, 404) } },
    }, async (request, reply) => {
      await deleteWebhook(request.ctx, request.params.id);
      return reply.code(204).send(null);
    });

    r.post('/webhooks/:id/rotate-secret', {
      config: { permission, feature: 'webhooks' },
      schema: {
        tags,
        summary: 'Replace the signing secret',
        description:
          'Returns the new `secret` (shown only now). The previous secret keeps signing next to it (a second `v1,` signature in `webhook-signature`) for `previousValidHours` (default 24, 0 to drop it at once). Needs `settings:manage`.',
        params: IdParams,
        // No body at all reaches validation as null: the options are optional as a whole.
        body: Type.Unsafe<WebhookRotate | null>({ ...WebhookRotate, type: ['object', 'null'] }),
        response: { 200: WebhookEndpointWithSecret, ...problems(400, 401, 403, 404) },
      },
    }, async (request) => rotateWebhookSecret(request.ctx, deps, request.params.id, request.body ?? {}));

    r.post('/webhooks/:id/test', {
      config: { permission, feature: 'webhooks' },
      schema: {
        tags,
        summary: 'Send a webhook.test event to this endpoint',
        description: 'Queued like any delivery (one attempt, no retries), also to an inactive endpoint; follow it in the delivery log. Needs `settings:manage`.',
        params: IdParams,
        response: { 202: WebhookDelivery, ...problems(401, 403, 404) },
      },
    }, async (request, reply) => reply.code(202).send(await sendTestEvent(request.ctx, request.params.id)));

    r.get('/webhooks/:id/deliveries', {
      config: { permission },
      schema: {
        tags,
        summary: "An endpoint's deliveries with every attempt",
        description: 'Newest first; `limit` (≤ 100, default 20) and `cursor` (`nextCursor` of the previous page); `status` filters. Needs `settings:manage`.',
        params: IdParams,
        querystring: DeliveryQuery,
        response: { 200: DeliveryPage, ...problems(400, 401, 403, 404) },
      },
    }, async (request) => listDeliveries(request.ctx, request.params.id, request.query));

    r.post('/webhooks/:id/deliveries/:deliveryId/retry', {
      config: { permission, feature: 'webhooks' },
      schema: {
        tags,
        summary: 'Retry a failed or exhausted delivery now',
        description:
          'A `failed` delivery has its scheduled retry brought forward; an `exhausted` one gets one more attempt. 409 `webhook_delivery_not_retryable` for pending or succeeded deliveries, 409 `webhook_endpoint_inactive` while the endpoint is off. Needs `settings:manage`.',
        params: DeliveryParams,
        response: { 202: WebhookDelivery, ...problems(401, 403, 404, 409) },
      },
    }, async (request, reply) => reply.code(202).send(await retryDelivery(request.ctx, request.params.id, request.params.deliveryId)));
  };
}
