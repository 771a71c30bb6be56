/** /api/appointments: thin HTTP over the appointment use cases. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  Appointment,
  AppointmentBook,
  AppointmentCancel,
  AppointmentListQuery,
  AppointmentPage,
  AppointmentReschedule,
} from '../../domain/scheduling/appointment-schemas.ts';
import {
  advanceAppointment,
  bookAppointment,
  cancelAppointment,
  getAppointment,
  listAppointments,
  rescheduleAppointment,
  type AppointmentStep,
} from '../../domain/scheduling/appointment-service.ts';
import { IdParams, problems } from '../schemas.ts';

const tags = ['Appointments'];

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ description: 'Any unique string (1–200 printable characters, e.g. a UUID): a retry with the same key and body returns the first booking' }),
  ),
});

const RULE_NOTE =
  'A broken practice rule answers 409 `scheduling_rule_violation` with `rule`; an overlap answers 409 `slot_taken`. ' +
  'Send `override: {reason}` to set a rule aside when the practice allows overrides (never an overlap).';

export async function appointmentRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/appointments', {
    config: { permission: 'scheduling:write' },
    schema: {
      tags,
      summary: 'Book an appointment',
      description: `Needs \`scheduling:write\`. ${RULE_NOTE} With \`Idempotency-Key\`, a retry returns the first booking (201, header \`Idempotent-Replayed: true\`); the same key with another body answers 422 \`idempotency_key_reused\`.`,
      headers: IdempotencyHeaders,
      body: AppointmentBook,
      response: { 201: Appointment, ...problems(400, 401, 403, 404, 409, 422) },
    },
  }, async (request, reply) => {
    const { appointment, replayed } = await bookAppointment(request.ctx, request.body, { idempotencyKey: request.headers['idempotency-key'] });
    if (replayed) reply.header('idempotent-replayed', 'true');
    return reply.code(201).header('location', `/api/appointments/${appointment.id}`).send(appointment);
  });

  r.get('/appointments', {
    config: { permission: 'scheduling:read' },
    schema: {
      tags,
      summary: 'List appointments',
      description: 'Appointments starting in [`from`, `to`) (at most 62 days), filters combined with AND, ordered by start then id; cursor-paginated (`limit` ≤ 500). Needs `scheduling:read`.',
      querystring: AppointmentListQuery,
      response: { 200: AppointmentPage, ...problems(400, 401, 403) },
    },
  }, async (request) => listAppointments(request.ctx, request.query));

  r.get('/appointments/:id', {
    config: { permission: 'scheduling:read' },
    schema: { tags, summary: 'Read an appointment', params: IdParams, response: { 200: Appointment, ...problems(401, 403, 404) } },
  }, async (request) => getAppointment(request.ctx, request.params.id));

  r.post('/appointments/:id/reschedule', {
    config: { permission: 'scheduling:write' },
    schema: {
      tags,
      summary: 'Reschedule an appointment',
      description: `Moves a booked appointment; provider and location may change, type and patient stay. Inside the reschedule window it needs an override. ${RULE_NOTE}`,
      params: IdParams,
      body: AppointmentReschedule,
      response: { 200: Appointment, ...problems(400, 401, 403, 404, 409) },
    },
  }, async (request) => rescheduleAppointment(request.ctx, request.params.id, request.body));

  r.post('/appointments/:id/cancel', {
    config: { permission: 'scheduling:write' },
    // Everything in the body is optional, so a bare POST (no body at all) is a plain cancellation.
    preValidation: async (request) => {
      request.body ??= {};
    },
    schema: {
      tags,
      summary: 'Cancel an appointment',
      description: 'Frees the time. Inside the cancellation window it is late: flagged (`lateCancel`), or refused with rule `cancel_window` when the practice refuses late cancellations (unless overridden).',
      params: IdParams,
      body: AppointmentCancel,
      response: { 200: Appointment, ...problems(400, 401, 403, 404, 409) },
    },
  }, async (request) => cancelAppointment(request.ctx, request.params.id, request.body));

  const steps: [string, AppointmentStep, string][] = [
    ['check-in', 'check_in', 'Check the patient in (from booked)'],
    ['complete', 'complete', 'Complete the visit (from checked in)'],
    ['no-show', 'no_show', 'Mark a no-show (from booked)'],
  ];
  for (const [path, step, summary] of steps) {
    r.post(`/appointments/:id/${path}`, {
      config: { permission: 'scheduling:write' },
      schema: {
        tags,
        summary,
        description: 'Any other starting status answers 409 `invalid_transition`.',
        params: IdParams,
        response: { 200: Appointment, ...problems(401, 403, 404, 409) },
      },
    }, async (request) => advanceAppointment(request.ctx, request.params.id, step));
  }
}
