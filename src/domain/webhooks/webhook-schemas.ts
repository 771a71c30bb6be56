/** Webhook request and response schemas: declared once, types derived, OpenAPI generated from them. */
import { Type, type Static } from 'typebox';
import { WEBHOOK_EVENTS } from './webhook-events.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(s: T) => Type.Union([Type.Null(), s]);

const EVENTS_DOC = `Event types to receive: ${Object.keys(WEBHOOK_EVENTS).map((e) => `\`${e}\``).join(', ')}`;

const Url = Type.String({ minLength: 1, maxLength: 2000, description: 'http(s) URL without credentials; must resolve to public addresses' });
const Events = Type.Array(Type.String({ maxLength: 100 }), { minItems: 1, maxItems: 20, uniqueItems: true, description: EVENTS_DOC });
const Description = Type.String({ maxLength: 500 });

export const WebhookCreate = Type.Object(
  {
    url: Url,
    events: Events,
    description: Type.Optional(Description),
    active: Type.Optional(Type.Boolean({ description: 'Default true' })),
  },
  { additionalProperties: false },
);
export type WebhookCreate = Static<typeof WebhookCreate>;

export const WebhookUpdate = Type.Object(
  {
    url: Type.Optional(Url),
    events: Type.Optional(Events),
    description: Type.Optional(Nullable(Description)),
    active: Type.Optional(Type.Boolean({ description: 'Re-activating an endpoint disabled by failures clears its reason and failure count' })),
  },
  { additionalProperties: false, minProperties: 1, description: 'Only the fields sent change; null clears the description' },
);
export type WebhookUpdate = Static<typeof WebhookUpdate>;

export const WebhookRotate = Type.Object(
  {
    previousValidHours: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 72, description: 'How long the replaced secret keeps signing next to the new one (default 24; 0 drops it now)' }),
    ),
  },
  { additionalProperties: false },
);
export type WebhookRotate = Static<typeof WebhookRotate>;

export const WebhookEndpoint = Type.Object({
  id: Type.String(),
  url: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  events: Type.Array(Type.String()),
  active: Type.Boolean(),
  disabledReason: Type.Union([Type.String(), Type.Null()], { description: 'Why deliveries disabled the endpoint (null when switched off by staff)' }),
  disabledAt: Type.Union([Type.String(), Type.Null()]),
  consecutiveFailures: Type.Integer({ description: 'Deliveries exhausted in a row since the last success' }),
  secretRotatedAt: Type.Union([Type.String(), Type.Null()]),
  previousSecretExpiresAt: Type.Union([Type.String(), Type.Null()], { description: 'Until then deliveries carry a second signature made with the previous secret' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type WebhookEndpoint = Static<typeof WebhookEndpoint>;

export const WebhookEndpointWithSecret = Type.Object({
  ...WebhookEndpoint.properties,
  secret: Type.String({ description: 'The signing secret (`whsec_…`): shown only now, store it safely' }),
});
export type WebhookEndpointWithSecret = Static<typeof WebhookEndpointWithSecret>;

export const WebhookList = Type.Object({ items: Type.Array(WebhookEndpoint) });

export const DeliveryStatus = Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('exhausted')], {
  description: '`pending` waits for an attempt, `failed` waits for its next retry (`nextAttemptAt`), `exhausted` has none left',
});

export const WebhookAttempt = Type.Object({
  attempt: Type.Integer(),
  startedAt: Type.String(),
  durationMs: Type.Integer(),
  statusCode: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  responseExcerpt: Type.Union([Type.String(), Type.Null()], { description: 'The first 1 KiB of the response body' }),
});
export type WebhookAttempt = Static<typeof WebhookAttempt>;

export const WebhookDelivery = Type.Object({
  id: Type.String(),
  endpointId: Type.String(),
  eventId: Type.String({ description: 'The `webhook-id` header: the same on every retry and at every endpoint' }),
  eventType: Type.String(),
  occurredAt: Type.String(),
  data: Type.Unknown({ description: 'The event `data` sent' }),
  status: DeliveryStatus,
  attemptCount: Type.Integer(),
  nextAttemptAt: Type.Union([Type.String(), Type.Null()]),
  lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastDurationMs: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.String(),
  deliveredAt: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Array(WebhookAttempt, { description: 'Every attempt made, oldest first' }),
});
export type WebhookDelivery = Static<typeof WebhookDelivery>;

export const DeliveryQuery = Type.Object(
  {
    status: Type.Optional(DeliveryStatus),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: '`nextCursor` of the previous page' })),
  },
  { additionalProperties: false },
);
export type DeliveryQuery = Static<typeof DeliveryQuery>;

export const DeliveryPage = Type.Object({ items: Type.Array(WebhookDelivery), nextCursor: Type.Union([Type.String(), Type.Null()]) });
export type DeliveryPage = Static<typeof DeliveryPage>;
