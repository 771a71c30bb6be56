/**
 * The plan catalogue: which features and limits each commercial plan includes. Plans live in code
 * (a plan change is a product decision, reviewed and deployed); which plan a practice is on, and
 * its per-practice feature overrides, live in the control plane (`platform.tenants.plan`,
 * `platform.tenant_features`).
 */

/** Every feature a plan can include. Routes name one in `config: { feature }` (see src/http/types.ts). */
export const FEATURES = {
  online_booking: 'Patients book and cancel online within the practice rules',
  waitlist: 'Waitlist with emailed offers when a slot frees up',
  recurring_appointments: 'Recurring appointment series',
  billing: 'Invoices, payments and the price book',
  intake_forms: 'Patient intake forms',
  custom_templates: 'Practice-authored email and document templates',
  custom_roles: 'Custom staff roles built from the permission catalogue',
  workflows: 'Automated workflows (rules that act on practice events)',
  webhooks: 'Outgoing webhooks to the practice’s own systems',
} as const;

export type Feature = keyof typeof FEATURES;

export const ALL_FEATURES = Object.keys(FEATURES) as Feature[];

export function isFeature(value: string): value is Feature {
  return Object.prototype.hasOwnProperty.call(FEATURES, value);
}

export interface PlanLimits {
  /** Active staff members the practice may have; adding or re-enabling beyond it is refused. */
  readonly staffSeats: number;
  /** Sustained requests per minute for the whole practice: the token bucket's refill rate. */
  readonly requestsPerMinute: number;
  /** Requests the practice may make at once above the sustained rate: the token bucket's size. */
  readonly burst: number;
  /** Requests of the practice in progress at the same time (across processes when Redis is set). */
  readonly maxConcurrentRequests: number;
}

export interface Plan {
  readonly key: string;
  readonly name: string;
  readonly description: string;
  readonly features: readonly Feature[];
  readonly limits: PlanLimits;
}

const STARTER: readonly Feature[] = ['online_booking', 'billing', 'intake_forms'];
const STANDARD: readonly Feature[] = [...STARTER, 'waitlist', 'recurring_appointments', 'custom_roles', 'custom_templates'];
const PROFESSIONAL: readonly Feature[] = [...STANDARD, 'workflows', 'webhooks'];

/** Cheapest first. */
export const PLANS = {
  starter: {
    key: 'starter',
    name: 'Starter',
    description: 'A solo practitioner or a very small practice',
    features: STARTER,
    limits: { staffSeats: 3, requestsPerMinute: 300, burst: 60, maxConcurrentRequests: 6 },
  },
  standard: {
    key: 'standard',
    name: 'Standard',
    description: 'A growing practice with a front desk',
    features: STANDARD,
    limits: { staffSeats: 25, requestsPerMinute: 1200, burst: 120, maxConcurrentRequests: 12 },
  },
  professional: {
    key: 'professional',
    name: 'Professional',
    description: 'Multi-provider practices that automate and integrate',
    features: PROFESSIONAL,
    limits: { staffSeats: 200, requestsPerMinute: 6000, burst: 300, maxConcurrentRequests: 30 },
  },
} as const satisfies Record<string, Plan>;

export type PlanKey = keyof typeof PLANS;

export const PLAN_KEYS = Object.keys(PLANS) as PlanKey[];

/** New practices get this plan; practices created before plans existed already have it. */
export const DEFAULT_PLAN: PlanKey = 'standard';

export function isPlanKey(value: string): value is PlanKey {
  return Object.prototype.hasOwnProperty.call(PLANS, value);
}

/**
 * The catalogue entry for a stored plan key. A key no longer in the catalogue (a plan retired in
 * code) falls back to the default plan rather than switching the practice's features off.
 */
export function planOf(key: string): Plan {
  return isPlanKey(key) ? PLANS[key] : PLANS[DEFAULT_PLAN];
}

/** Per-practice overrides, feature → enabled; features not named follow the plan. */
export type FeatureOverrides = Readonly<Record<string, boolean>>;

/**
 * The features a practice has: its plan's, with each override replacing the plan's answer.
 * @example effectiveFeatures('starter', { waitlist: true }) // starter's features plus waitlist
 */
export function effectiveFeatures(plan: string, overrides: FeatureOverrides): ReadonlySet<Feature> {
  const on = new Set<Feature>(planOf(plan).features);
  for (const [feature, enabled] of Object.entries(overrides)) {
    if (!isFeature(feature)) continue; // a feature retired in code: its stale override means nothing
    if (enabled) on.add(feature);
    else on.delete(feature);
  }
  return on;
}
