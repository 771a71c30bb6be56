/**
 * CLI commands for plans and feature overrides (`healthtrack plans`, `healthtrack tenants
 * features|set-plan|set-feature`). A running server sees a change within its tenant-cache TTL (2 s).
 */
import type { Database } from '../db/database.ts';
import { AppError } from '../errors/catalogue.ts';
import { ALL_FEATURES, isFeature, isPlanKey, PLAN_KEYS, PLANS } from '../platform/plans.ts';
import { setTenantFeature, setTenantPlan, tenantFeatures, type TenantFeatures } from '../platform/tenant-plan.ts';

export const PLAN_HELP = `  plans                               the plan catalogue: features and limits
  tenants features <slug|id>          a practice's plan and effective features, with their source
  tenants set-plan <slug|id> --plan P move a practice to another plan
  tenants set-feature <slug|id> --feature F --enabled on|off|plan
                                      override one feature (plan: remove the override)`;

export const PLAN_SUBCOMMANDS = ['features', 'set-plan', 'set-feature'] as const;

type Flags = Record<string, string | boolean | undefined>;
type Print = (value: unknown, human: () => void) => void;

function showFeatures(view: TenantFeatures): void {
  console.log(`${view.tenant.slug}: ${view.plan.name} plan (${view.plan.limits.staffSeats} staff seats, ${view.plan.limits.requestsPerMinute} requests/min)`);
  for (const f of view.features) console.log(`  ${f.enabled ? 'on ' : 'off'}  ${f.feature.padEnd(24)} ${f.source === 'override' ? 'override' : 'plan'}`);
}

/** `healthtrack plans` */
export function listPlansCommand(print: Print): number {
  const plans = Object.values(PLANS);
  print(plans, () => {
    for (const p of plans) console.log(`${p.key.padEnd(14)} ${String(p.limits.staffSeats).padStart(4)} seats  ${String(p.limits.requestsPerMinute).padStart(5)} req/min  ${p.features.join(', ')}`);
  });
  return 0;
}

/** `healthtrack tenants features|set-plan|set-feature <slug|id> …` */
export async function tenantPlanCommand(db: Database, sub: string, tenant: string, flags: Flags, print: Print): Promise<number> {
  let view: TenantFeatures;
  if (sub === 'set-plan') {
    if (typeof flags.plan !== 'string' || !isPlanKey(flags.plan)) throw new AppError('validation_failed', `--plan must be one of ${PLAN_KEYS.join(', ')}`);
    view = (await setTenantPlan(db, tenant, flags.plan)).view;
  } else if (sub === 'set-feature') {
    const states: Record<string, boolean | null> = { on: true, off: false, plan: null };
    if (typeof flags.feature !== 'string' || !isFeature(flags.feature)) throw new AppError('validation_failed', `--feature must be one of ${ALL_FEATURES.join(', ')}`);
    if (typeof flags.enabled !== 'string' || !(flags.enabled in states)) throw new AppError('validation_failed', '--enabled must be on, off or plan');
    view = await setTenantFeature(db, tenant, flags.feature, states[flags.enabled]!);
  } else {
    view = await tenantFeatures(db, tenant);
  }
  print(view, () => showFeatures(view));
  return 0;
}
