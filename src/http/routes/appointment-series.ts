/** /api/appointment-series: thin HTTP over the recurring-series use cases. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Series, SeriesCancel, SeriesCancelled, SeriesCreate, SeriesCreated } from '../../domain/scheduling/series-schemas.ts';
import { cancelSeries, createSeries, getSeries } from '../../domain/scheduling/series-service.ts';
import { IdParams, problems } from '../schemas.ts';

const tags = ['Appointments'];

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ description: 'Any unique string (1–200 printable characters, e.g. a UUID): a retry with the same key and body returns the first series' }),
  ),
});

export async function appointmentSeriesRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/appointment-series', {
    config: { permission: 'scheduling:write', feature: 'recurring_appointments' },
    schema: {
      tags,
      summary: 'Book a recurring series of appointments',
      description:
        "Needs `scheduling:write`. The rule runs on the location's wall clock: a weekly 09:00 stays 09:00 local across daylight-saving changes, and an occurrence " +
        'in a spring-forward gap is refused with rule `nonexistent_local_time`. Each occurrence is booked with the single-booking rules (no overrides). ' +
        'With `conflicts: "fail"` (default) any refused occurrence books nothing and answers 409 `series_conflicts` listing every occurrence; with `"skip"` the others are booked ' +
        'and the refused ones reported (409 when none can be booked). An `rrule` over 52 occurrences or 2 years answers 400 naming `rrule`. ' +
        'With `Idempotency-Key`, a retry returns the first series (201, header `Idempotent-Replayed: true`).',
      headers: IdempotencyHeaders,
      body: SeriesCreate,
      response: { 201: SeriesCreated, ...problems(400, 401, 403, 404, 409, 422) },
    },
  }, async (request, reply) => {
    const { series, replayed } = await createSeries(request.ctx, request.body, { idempotencyKey: request.headers['idempotency-key'] });
    if (replayed) reply.header('idempotent-replayed', 'true');
    return reply.code(201).header('location', `/api/appointment-series/${series.id}`).send(series);
  });

  r.get('/appointment-series/:id', {
    config: { permission: 'scheduling:read', feature: 'recurring_appointments' },
    schema: { tags, summary: 'Read a recurring series and its appointments', params: IdParams, response: { 200: Series, ...problems(401, 403, 404) } },
  }, async (request) => getSeries(request.ctx, request.params.id));

  r.post('/appointment-series/:id/cancel', {
    config: { permission: 'scheduling:write', feature: 'recurring_appointments' },
    // Everything in the body is optional, so a bare POST cancels every future occurrence.
    preValidation: async (request) => {
      request.body ??= {};
    },
    schema: {
      tags,
      summary: 'Cancel the rest of a recurring series',
      description:
        'Cancels every booked occurrence starting at or after `from` (default now), each like a single cancellation (reminder dropped, freed time offered to the waitlist). ' +
        'Occurrences inside the cancellation window are flagged `lateCancel` but never refused, whatever the late-cancel policy.',
      params: IdParams,
      body: SeriesCancel,
      response: { 200: SeriesCancelled, ...problems(400, 401, 403, 404) },
    },
  }, async (request) => cancelSeries(request.ctx, request.params.id, request.body));
}
