/**
 * The built-in lifecycles as workflow definitions: in force (as version 0) until a practice saves
 * its own, and what `DELETE /api/workflows/{kind}` restores. They allow exactly what the core
 * allowed before workflows existed, with no guards, extra permissions or actions.
 */
import type { WorkflowDefinition } from './definition-schema.ts';
import type { WorkflowKind } from './kinds.ts';

const appointment: WorkflowDefinition = {
  states: [
    { key: 'booked', label: 'Booked', systemStatus: 'booked' },
    { key: 'checked_in', label: 'Checked in', systemStatus: 'checked_in' },
    { key: 'completed', label: 'Completed', systemStatus: 'completed', final: true },
    { key: 'no_show', label: 'No-show', systemStatus: 'no_show', final: true },
    { key: 'cancelled', label: 'Cancelled', systemStatus: 'cancelled', final: true },
  ],
  initial: 'booked',
  transitions: [
    { key: 'check_in', label: 'Check in', from: ['booked'], to: 'checked_in' },
    { key: 'complete', label: 'Complete', from: ['checked_in'], to: 'completed' },
    { key: 'no_show', label: 'Mark as no-show', from: ['booked'], to: 'no_show' },
    { key: 'cancel', label: 'Cancel', from: ['booked'], to: 'cancelled' },
  ],
};

const invoice: WorkflowDefinition = {
  states: [
    { key: 'draft', label: 'Draft', systemStatus: 'draft' },
    { key: 'issued', label: 'Issued', systemStatus: 'issued' },
    { key: 'partially_paid', label: 'Partially paid', systemStatus: 'partially_paid' },
    { key: 'paid', label: 'Paid', systemStatus: 'paid' },
    { key: 'void', label: 'Void', systemStatus: 'void', final: true },
  ],
  initial: 'draft',
  transitions: [
    { key: 'issue', label: 'Issue', from: ['draft'], to: 'issued' },
    { key: 'void', label: 'Void', from: ['issued'], to: 'void' },
    { key: 'part_payment', label: 'Partly paid', from: ['issued', 'paid'], to: 'partially_paid', system: true },
    { key: 'payment', label: 'Paid in full', from: ['issued', 'partially_paid'], to: 'paid', system: true },
    { key: 'refund', label: 'Refunded', from: ['partially_paid', 'paid'], to: 'issued', system: true },
  ],
};

const patientIntake: WorkflowDefinition = {
  states: [
    { key: 'awaiting_forms', label: 'Awaiting forms' },
    { key: 'in_review', label: 'In review' },
    { key: 'complete', label: 'Complete', final: true },
  ],
  initial: 'awaiting_forms',
  transitions: [
    { key: 'forms_received', label: 'Forms received', from: ['awaiting_forms'], to: 'in_review' },
    { key: 'request_changes', label: 'Request changes', from: ['in_review'], to: 'awaiting_forms' },
    { key: 'approve', label: 'Approve', from: ['in_review'], to: 'complete' },
  ],
};

export const DEFAULT_DEFINITIONS: Readonly<Record<WorkflowKind, WorkflowDefinition>> = {
  appointment,
  invoice,
  patient_intake: patientIntake,
};

/** A deep copy of the default, so callers may not change the shared one. */
export function defaultDefinition(kind: WorkflowKind): WorkflowDefinition {
  return structuredClone(DEFAULT_DEFINITIONS[kind]);
}
