/** The practice's own scheduling rules (over the defaults), and the rules in effect. */
import { validationError } from '../../../errors/catalogue.ts';
import type { TenantContext } from '../../../tenancy/tenant-context.ts';
import { recordAudit } from '../../audit/audit-log.ts';
import { effectiveRules, type RulesPatch, type SchedulingRules } from '../rules.ts';
import { checkBookingCondition } from './booking-condition.ts';

export interface PracticeRules {
  /** What the practice set; absent keys fall back to the defaults. */
  readonly rules: RulesPatch;
  /** The defaults with the practice's settings applied (before any appointment type's overrides). */
  readonly effective: SchedulingRules;
  readonly updatedAt: string | null;
}

interface Row {
  rules: RulesPatch;
  updated_at: Date;
}

const toPracticeRules = (row: Row | undefined): PracticeRules => ({
  rules: row?.rules ?? {},
  effective: effectiveRules(row?.rules ?? {}),
  updatedAt: row ? new Date(row.updated_at).toISOString() : null,
});

export async function getPracticeRules(ctx: TenantContext): Promise<PracticeRules> {
  const res = await ctx.statement<Row>('select rules, updated_at from scheduling_settings where tenant_id = $1', [ctx.tenant.id]);
  return toPracticeRules(res.rows[0]);
}

/** Replaces the practice's rules with `rules` (keys left out return to the defaults). */
export async function replacePracticeRules(ctx: TenantContext, rules: RulesPatch): Promise<PracticeRules> {
  const errors = checkBookingCondition('bookingCondition', rules.bookingCondition);
  if (errors.length) throw validationError(errors);
  return ctx.tx(async (tx) => {
    const res = await tx.query<Row>(
      `insert into scheduling_settings (tenant_id, rules) values ($1, $2)
       on conflict (tenant_id) do update set rules = excluded.rules, updated_at = now()
       returning rules, updated_at`,
      [tx.tenantId, JSON.stringify(rules)],
    );
    await recordAudit(tx, ctx, { action: 'scheduling_rules.update', resourceType: 'scheduling_settings', details: { keys: Object.keys(rules) } });
    return toPracticeRules(res.rows[0]);
  });
}
