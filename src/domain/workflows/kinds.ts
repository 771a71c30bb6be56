/**
 * What the core knows about each workflow kind: the system statuses its entities really have, which
 * status changes the core can perform (and which of those only the core may cause), and the
 * permissions that guard reading and moving an instance. Definitions are checked against this.
 */
import type { Permission } from '../access/permissions.ts';

export const WORKFLOW_KINDS = ['appointment', 'invoice', 'patient_intake'] as const;
export type WorkflowKind = (typeof WORKFLOW_KINDS)[number];

export function isWorkflowKind(value: string): value is WorkflowKind {
  return (WORKFLOW_KINDS as readonly string[]).includes(value);
}

export interface KindSpec {
  /** The entity's status column values; empty for kinds whose state is the workflow's alone. */
  readonly statuses: readonly string[];
  /** The status an entity starts in (the initial state must map to it). */
  readonly initialStatus: string | null;
  /**
   * Status changes the core performs, `from>to`. Staying in one status is always allowed (the
   * workflow state moves, the entity does not).
   */
  readonly corePairs: ReadonlySet<string>;
  /** Pairs only the core causes (payments): transitions with them must be `system: true`. */
  readonly coreOnlyPairs: ReadonlySet<string>;
  readonly read: Permission;
  readonly write: Permission;
  /** For messages: "appointment", "invoice", "patient". */
  readonly noun: string;
}

export const KIND_SPECS: Readonly<Record<WorkflowKind, KindSpec>> = {
  appointment: {
    statuses: ['booked', 'checked_in', 'completed', 'no_show', 'cancelled'],
    initialStatus: 'booked',
    corePairs: new Set(['booked>checked_in', 'booked>no_show', 'booked>cancelled', 'checked_in>completed']),
    coreOnlyPairs: new Set(),
    read: 'scheduling:read',
    write: 'scheduling:write',
    noun: 'appointment',
  },
  invoice: {
    statuses: ['draft', 'issued', 'partially_paid', 'paid', 'void'],
    initialStatus: 'draft',
    corePairs: new Set([
      'draft>issued',
      'issued>void',
      'issued>partially_paid',
      'issued>paid',
      'partially_paid>paid',
      'partially_paid>issued',
      'paid>partially_paid',
      'paid>issued',
    ]),
    // Payments and refunds move these; nobody can "declare" an invoice paid.
    coreOnlyPairs: new Set(['issued>partially_paid', 'issued>paid', 'partially_paid>paid', 'partially_paid>issued', 'paid>partially_paid', 'paid>issued']),
    read: 'billing:read',
    write: 'billing:write',
    noun: 'invoice',
  },
  patient_intake: {
    statuses: [],
    initialStatus: null,
    corePairs: new Set(),
    coreOnlyPairs: new Set(),
    read: 'patients:read',
    write: 'patients:write',
    noun: 'patient',
  },
};

/** Whether the core can move an entity of `kind` from status `from` to `to` (equal statuses always can). */
export function coreAllows(kind: WorkflowKind, from: string | null, to: string | null): boolean {
  return from === to || KIND_SPECS[kind].corePairs.has(`${from}>${to}`);
}
