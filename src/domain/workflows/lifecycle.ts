/**
 * The core services' door to the workflow engine. Booking starts an appointment's instance; every
 * status change of an appointment or invoice goes through `followCore` in the same transaction,
 * after the core's own checks and before its update, so a refusal leaves nothing changed.
 */
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { DEFAULT_DEFINITIONS } from './defaults.ts';
import { advance, type AdvanceRequest, type Advanced } from './engine.ts';
import { startInstance } from './instance-repo.ts';

/** A transition chosen through the workflow API, handed to the core operation it causes. */
export interface WorkflowChoice {
  readonly transition: string;
  readonly note?: string | null | undefined;
}

/**
 * Starts the workflow of a new appointment in the initial state of the version in force: one
 * statement on the booking path.
 */
export function startAppointmentWorkflow(tx: TenantTx, appointmentId: string): Promise<void> {
  return startInstance(tx, 'appointment', appointmentId, DEFAULT_DEFINITIONS.appointment.initial);
}

/**
 * Moves the entity's workflow along with a status change the core is about to make: a person's
 * request (`mode: 'user'`) needs a transition the practice allows, its permission and guard; a
 * change the core already decided (`mode: 'system'`) is followed whatever the definition says.
 * @example await followCore(tx, ctx, { kind: 'appointment', entityId: id, from: 'booked', to: 'checked_in', mode: 'user', verb: 'check in' })
 */
export function followCore(tx: TenantTx, ctx: TenantContext, req: AdvanceRequest): Promise<Advanced> {
  return advance(tx, ctx, req);
}
