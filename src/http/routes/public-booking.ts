/**
 * Online booking for patients, no login (/public): the practice's online menu and free slots by
 * slug, booking, and the manage link (its secret is the credential) to see or cancel a booking.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../services.ts';
import { requireFeature } from '../plugins/feature-gate.ts';
import { AppError } from '../../errors/catalogue.ts';
import { bookingOptions, publicSlots } from '../../domain/online-booking/booking-catalogue.ts';
import { BookingOptions, ManageParams, ManagedAppointment, OnlineBook, OnlineBooked, PublicSlotList, PublicSlotQuery, SlugParams } from '../../domain/online-booking/booking-schemas.ts';
import { bookOnline, cancelManagedAppointment, viewManagedAppointment } from '../../domain/online-booking/online-booking-service.ts';
import { problems } from '../schemas.ts';

const tags = ['Online booking'];
const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
const CancelBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 400, description: 'Optional; shown to the practice' })) }, { additionalProperties: false });

const POLICY_NOTE =
  'Cancelling inside the cancellation window follows the practice’s rule as for staff, without their override: where late cancellations are flagged the appointment is cancelled with `lateCancel: true`; where they are refused the answer is 409 `scheduling_rule_violation` (rule `cancel_window`).';

export function publicBookingRoutes(services: Services) {
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    // Unknown and suspended practices answer alike (404), as the public branding does.
    const activePractice = async (slug: string) => {
      const key = slug.toLowerCase();
      const tenant = SLUG_RE.test(key) ? await services.tenants.bySlug(key) : null;
      if (!tenant || tenant.status !== 'active') throw new AppError('not_found', 'No such practice');
      return tenant;
    };
    // A practice whose plan (or operator override) leaves online booking out takes no new bookings;
    // links to appointments already booked keep working, so patients can still see and cancel them.
    const practiceOf = async (slug: string) => {
      const tenant = await activePractice(slug);
      requireFeature(tenant, 'online_booking', 'patient');
      return tenant;
    };
    const requestOf = (request: { id: string; ip: string }) => ({ requestId: request.id, ip: request.ip });

    r.get('/public/practices/:slug/booking', {
      schema: {
        tags,
        summary: 'What patients can book online (no login)',
        description:
          'The active appointment types the practice switched on for online booking (`onlineBooking` on the appointment type), where (locations where a provider of the type works) and with whom; names only. Empty lists when nothing is bookable online. 404 for an unknown or suspended practice.',
        params: SlugParams,
        response: { 200: BookingOptions, ...problems(400, 404) },
      },
    }, async (request) => bookingOptions(services.db, await practiceOf(request.params.slug)));

    r.get('/public/practices/:slug/slots', {
      schema: {
        tags,
        summary: 'Free slots of an online appointment type on one day (no login)',
        description:
          'The staff slot search with the same rules (hours, bookings, buffers, resources, minimum notice, booking horizon) for the local `date`, at one location or every location of the type, ordered by start. A type not bookable online answers 404 like an unknown one.',
        params: SlugParams,
        querystring: PublicSlotQuery,
        response: { 200: PublicSlotList, ...problems(400, 404) },
      },
    }, async (request) => publicSlots(services.db, await practiceOf(request.params.slug), request.query));

    r.post('/public/practices/:slug/appointments', {
      schema: {
        tags,
        summary: 'Book an appointment online (no login)',
        description:
          'Books through the staff booking use case (every scheduling rule, no override; a taken slot answers 409 `slot_taken`, a broken rule 409 `scheduling_rule_violation` with `rule`). The patient is the practice’s active patient with the same email, date of birth and first name, else a new patient is registered; the answer is the same either way and an existing record is never changed. The confirmation email carries the manage link, which is also answered here (only now). Problems name `patient.<field>`.',
        params: SlugParams,
        body: OnlineBook,
        response: { 201: OnlineBooked, ...problems(400, 404, 409) },
      },
    }, async (request, reply) => {
      const tenant = await practiceOf(request.params.slug);
      return reply.code(201).send(await bookOnline(services.db, tenant, request.body, { ...requestOf(request), publicUrl: services.config.publicUrl }));
    });

    r.get('/public/appointments/:slug/:token', {
      schema: {
        tags,
        summary: 'See a booked appointment from its manage link (no login)',
        description: `Type, time, place, provider, status, whether it can still be cancelled online and the cancellation policy. Unknown link: 404; the appointment is over: 410 \`appointment_link_expired\`. ${POLICY_NOTE}`,
        params: ManageParams,
        response: { 200: ManagedAppointment, ...problems(400, 404, 410) },
      },
    }, async (request) => viewManagedAppointment(services.db, await activePractice(request.params.slug), request.params.token, requestOf(request)));

    r.post('/public/appointments/:slug/:token/cancel', {
      // A bare POST (no body) is a plain cancellation.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags,
        summary: 'Cancel a booked appointment from its manage link (no login)',
        description: `Answers the cancelled appointment. ${POLICY_NOTE} Already cancelled or visited: 409 \`invalid_transition\`; started: 409 \`scheduling_rule_violation\`. Unknown link: 404; over: 410 \`appointment_link_expired\`.`,
        params: ManageParams,
        body: CancelBody,
        response: { 200: ManagedAppointment, ...problems(400, 404, 409, 410) },
      },
    }, async (request) => cancelManagedAppointment(services.db, await activePractice(request.params.slug), request.params.token, request.body, requestOf(request)));
  };
}
