/**
 * Recurring appointments: a series books each occurrence of an RRULE (expanded in the location's
 * wall time, see recurrence.ts) with the single-booking rules, all in one transaction.
 */
import { AppError, notFound } from '../../errors/catalogue.ts';
import { isUuid } from '../../db/sql-literal.ts';
import { uuidv7 } from '../../db/uuid.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requestHash, withIdempotency } from '../idempotency.ts';
import { APPOINTMENT_COLUMNS, APPOINTMENT_FROM, isoInZone, loadRules, type AppointmentRow } from './appointment-repo.ts';
import { bookIn, isLateCancellation, requireBookingReferences, writeCancellation } from './appointment-service.ts';
import { expandSeries } from './recurrence.ts';
import type { OccurrenceOutcome, Series, SeriesCancel, SeriesCancelled, SeriesCreate, SeriesCreated } from './series-schemas.ts';
import { parseIsoInstant, toZonedIso } from './time.ts';
import type { SchedulingRules } from './rules.ts';

/** The idempotency scope of series creation. */
export const SERIES_SCOPE = 'appointment_series.create';

/** Errors that make one occurrence unbookable; anything else fails the whole request. */
const OCCURRENCE_ERRORS = new Set(['scheduling_rule_violation', 'slot_taken']);

/**
 * Books every occurrence inside `tx`, each in its own savepoint so one refusal (even the exclusion
 * constraint's) leaves the others standing. With `conflicts: 'fail'` any refusal rolls everything
 * back and answers 409 `series_conflicts` listing every occurrence; with `'skip'` the refused ones
 * are reported, and only a series where none can be booked is refused.
 */
export async function createSeriesIn(tx: TenantTx, ctx: TenantContext, input: SeriesCreate): Promise<SeriesCreated> {
  await requireBookingReferences(tx, input);
  const zone = (await tx.query<{ time_zone: string }>('select time_zone from locations where tenant_id = $1 and id = $2', [tx.tenantId, input.locationId])).rows[0]!.time_zone;
  const start = parseIsoInstant(input.start)!;
  const occurrences = expandSeries({ start, rrule: input.rrule, timeZone: zone });
  const id = uuidv7();
  await tx.query('insert into appointment_series (tenant_id, id, rrule, time_zone) values ($1, $2, $3, $4)', [tx.tenantId, id, input.rrule, zone]);

  const outcomes: OccurrenceOutcome[] = [];
  for (const occurrence of occurrences) {
    if (occurrence.kind === 'nonexistent') {
      outcomes.push({ start: occurrence.wall, ok: false, rule: 'nonexistent_local_time', detail: `${occurrence.wall.replace('T', ' ')} does not exist in ${zone} (daylight saving starts)` });
      continue;
    }
    const at = toZonedIso(occurrence.start, zone);
    await tx.query('savepoint series_occurrence');
    try {
      const booked = await bookIn(
        tx,
        ctx,
        { patientId: input.patientId, typeId: input.typeId, providerId: input.providerId, locationId: input.locationId, start: at, ...(input.notes !== undefined ? { notes: input.notes } : {}) },
        { seriesId: id },
      );
      await tx.query('release savepoint series_occurrence');
      outcomes.push({ start: booked.start, ok: true, appointmentId: booked.id });
    } catch (err) {
      if (!(err instanceof AppError) || !OCCURRENCE_ERRORS.has(err.code)) throw err;
      await tx.query('rollback to savepoint series_occurrence');
      outcomes.push({ start: at, ok: false, rule: err.extra.rule ?? err.code, detail: err.detail ?? err.message });
    }
  }

  const refused = outcomes.filter((o) => !o.ok).length;
  if (refused > 0 && (input.conflicts !== 'skip' || refused === outcomes.length)) {
    throw new AppError(
      'series_conflicts',
      `${refused} of ${outcomes.length} occurrences cannot be booked; nothing was booked` + (input.conflicts === 'skip' ? '' : ' (send conflicts: "skip" to book the others)'),
      { occurrences: outcomes.map(({ appointmentId: _booked, ...o }) => o) },
    );
  }
  await recordAudit(tx, ctx, {
    action: 'appointment_series.create',
    resourceType: 'appointment_series',
    resourceId: id,
    details: {
      patientId: input.patientId,
      providerId: input.providerId,
      typeId: input.typeId,
      rrule: input.rrule,
      booked: outcomes.length - refused,
      skipped: refused,
    },
  });
  return { id, rrule: input.rrule, timeZone: zone, occurrences: outcomes };
}

/**
 * Creates a series. With an idempotency key, a retry returns the first series instead of booking again.
 * @example await createSeries(ctx, { patientId, typeId, providerId, locationId, start: '2027-03-01T09:00:00-05:00', rrule: 'FREQ=WEEKLY;COUNT=10' })
 */
export async function createSeries(
  ctx: TenantContext,
  input: SeriesCreate,
  options: { idempotencyKey?: string | undefined } = {},
): Promise<{ series: SeriesCreated; replayed: boolean }> {
  if (options.idempotencyKey === undefined) {
    return { series: await ctx.tx((tx) => createSeriesIn(tx, ctx, input)), replayed: false };
  }
  const result = await withIdempotency<SeriesCreated>(
    ctx,
    { scope: SERIES_SCOPE, key: options.idempotencyKey, requestHash: requestHash(input) },
    async (tx) => ({ statusCode: 201, body: await createSeriesIn(tx, ctx, input) }),
  );
  return { series: result.body, replayed: result.replayed };
}

interface SeriesRow {
  id: string;
  rrule: string;
  time_zone: string;
}

async function requireSeries(tx: TenantTx, id: string, lock: boolean): Promise<SeriesRow> {
  const row = isUuid(id)
    ? (await tx.query<SeriesRow>(`select id, rrule, time_zone from appointment_series where tenant_id = $1 and id = $2${lock ? ' for update' : ''}`, [tx.tenantId, id])).rows[0]
    : undefined;
  if (!row) throw notFound('appointment series');
  return row;
}

async function seriesView(tx: TenantTx, row: SeriesRow): Promise<Series> {
  const res = await tx.query<{ id: string; starts_at: Date; status: Series['occurrences'][number]['status']; time_zone: string }>(
    `select a.id, a.starts_at, a.status, l.time_zone from ${APPOINTMENT_FROM} where a.tenant_id = $1 and a.series_id = $2 order by a.starts_at, a.id`,
    [tx.tenantId, row.id],
  );
  return {
    id: row.id,
    rrule: row.rrule,
    timeZone: row.time_zone,
    occurrences: res.rows.map((a) => ({ id: a.id, start: isoInZone(a.starts_at, a.time_zone), status: a.status })),
  };
}

/** Reads a series with its appointments (audited). */
export async function getSeries(ctx: TenantContext, id: string): Promise<Series> {
  return ctx.tx(async (tx) => {
    const view = await seriesView(tx, await requireSeries(tx, id, false));
    await recordAudit(tx, ctx, { action: 'appointment_series.read', resourceType: 'appointment_series', resourceId: view.id, details: { appointmentIds: view.occurrences.map((o) => o.id) } });
    return view;
  });
}

/**
 * Cancels every still-booked occurrence starting at or after `from` (default now). Each is a normal
 * cancellation (reminder dropped, freed time offered to the waitlist) flagged `lateCancel` inside
 * the window; a series cancellation is never refused by a `refuse` late-cancel policy, because
 * ending a course of visits should not leave its next one stranded. Staff see the flag for fees.
 */
export async function cancelSeries(ctx: TenantContext, id: string, input: SeriesCancel): Promise<SeriesCancelled> {
  const from = input.from === undefined ? new Date() : parseIsoInstant(input.from)!;
  return ctx.tx(async (tx) => {
    const series = await requireSeries(tx, id, true);
    const rows = (
      await tx.query<AppointmentRow>(
        `select ${APPOINTMENT_COLUMNS} from ${APPOINTMENT_FROM}
          where a.tenant_id = $1 and a.series_id = $2 and a.status = 'booked' and a.starts_at >= $3::timestamptz
          order by a.starts_at, a.id for update of a`,
        [tx.tenantId, series.id, from.toISOString()],
      )
    ).rows;
    const rulesByType = new Map<string, SchedulingRules>();
    const cancelled: string[] = [];
    for (const row of rows) {
      let rules = rulesByType.get(row.type_id);
      if (!rules) rulesByType.set(row.type_id, (rules = await loadRules(tx, row.type_id)));
      await writeCancellation(tx, ctx, row, { late: isLateCancellation(row, rules), policy: rules.lateCancel, reason: input.reason, seriesId: series.id });
      cancelled.push(row.id);
    }
    await recordAudit(tx, ctx, {
      action: 'appointment_series.cancel',
      resourceType: 'appointment_series',
      resourceId: series.id,
      details: { from: from.toISOString(), appointmentIds: cancelled },
    });
    return { ...(await seriesView(tx, series)), cancelled };
  });
}
