/**
 * What a transition does besides moving the state, run in its transaction so that nothing happens
 * for a transition that rolls back: emails queued in the outbox (delivered by a job), tasks for a
 * role, webhook events queued per subscribed endpoint. `set_field` is applied by the engine, which
 * writes the instance once. Each action reports its outcome, kept in the history entry.
 */
import { formatMoney } from '../billing/money.ts';
import { queueTemplatedEmail } from '../messaging/templated-email.ts';
import { loadAppointmentMessage } from '../scheduling/appointment-message.ts';
import type { MessageKind } from '../templates/message-kinds.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import type { WorkflowAction } from './definition-schema.ts';
import type { WorkflowKind } from './kinds.ts';
import { insertTask } from './task-repo.ts';
import { emitTransitionEvent } from './transition-event.ts';

/** The message kinds a workflow of each kind can send: those whose variables its entity provides. */
export const MESSAGES_FOR: Readonly<Record<WorkflowKind, readonly MessageKind[]>> = {
  appointment: ['appointment_confirmation', 'appointment_reminder', 'appointment_cancellation'],
  invoice: ['invoice'],
  // Intake links need a form and its link, which a workflow transition does not have.
  patient_intake: [],
};

export interface ActionEnv {
  readonly kind: WorkflowKind;
  readonly entityId: string;
  readonly instanceId: string;
  readonly historyId: string;
  readonly transition: string | null;
  readonly from: string;
  readonly to: string;
  readonly version: number;
}

type Outcome = Record<string, unknown>;

async function sendInvoiceMessage(tx: TenantTx, ctx: TenantContext, env: ActionEnv, messageKey: string): Promise<string | null> {
  const res = await tx.query<{ email: string | null; first_name: string; last_name: string; number: string | null; currency: string; total: string | null; owed: string | null }>(
    `select p.email, p.first_name, p.last_name, i.number, i.currency, i.total::text as total,
            (i.total
              + (select coalesce(sum(c.total), 0) from invoices c where c.tenant_id = i.tenant_id and c.credits_invoice_id = i.id and c.kind = 'credit_note' and c.status not in ('draft', 'void'))
              - (select coalesce(sum(case when y.kind = 'payment' then y.amount else -y.amount end), 0) from payments y where y.tenant_id = i.tenant_id and y.invoice_id = i.id))::text as owed
       from invoices i join patients p on p.tenant_id = i.tenant_id and p.id = i.patient_id
      where i.tenant_id = $1 and i.id = $2`,
    [tx.tenantId, env.entityId],
  );
  const r = res.rows[0];
  // A draft has no number or frozen total to tell the patient about.
  if (!r?.email || r.number === null || r.total === null) return null;
  const currency = r.currency.trim();
  return queueTemplatedEmail(tx, ctx.tenant, {
    kind: 'invoice',
    to: r.email,
    messageKey,
    variables: {
      patient: { firstName: r.first_name, lastName: r.last_name },
      // No patient-facing invoice page exists yet, so there is no link to give (nil: templates test it with `if`).
      invoice: { number: r.number, total: formatMoney({ amount: BigInt(r.total), currency }), balanceDue: formatMoney({ amount: BigInt(r.owed ?? r.total), currency }), url: null },
    },
  });
}

/** Queues `message` to the patient; null when there is no address (or nothing to say yet). */
async function sendEmail(tx: TenantTx, ctx: TenantContext, env: ActionEnv, message: string, index: number): Promise<string | null> {
  const messageKey = `workflow:${env.historyId}:${index}`;
  if (env.kind === 'invoice' && message === 'invoice') return sendInvoiceMessage(tx, ctx, env, messageKey);
  if (env.kind === 'appointment' && (MESSAGES_FOR.appointment as readonly string[]).includes(message)) {
    const data = await loadAppointmentMessage(tx, env.entityId);
    if (!data?.email) return null;
    return queueTemplatedEmail(tx, ctx.tenant, {
      kind: message as 'appointment_confirmation' | 'appointment_reminder' | 'appointment_cancellation',
      to: data.email,
      messageKey,
      variables: { patient: data.patient, appointment: data.appointment },
    });
  }
  // Validation refuses other combinations; a definition saved before a kind was withdrawn lands here.
  return null;
}

/** Runs the actions of a transition in order (set_field only reported) and returns their outcomes. */
export async function runActions(tx: TenantTx, ctx: TenantContext, actions: readonly WorkflowAction[], env: ActionEnv): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const [index, action] of actions.entries()) {
    switch (action.type) {
      case 'set_field':
        outcomes.push({ type: action.type, field: action.field });
        break;
      case 'send_email': {
        const messageId = await sendEmail(tx, ctx, env, action.message, index);
        outcomes.push(messageId ? { type: action.type, message: action.message, outcome: 'queued', messageId } : { type: action.type, message: action.message, outcome: 'skipped', reason: 'no email address for the patient' });
        break;
      }
      case 'create_task': {
        const dueAt = action.dueInMinutes === undefined ? null : new Date(Date.now() + action.dueInMinutes * 60_000);
        const taskId = await insertTask(tx, { instanceId: env.instanceId, historyId: env.historyId, role: action.role, title: action.title, dueAt });
        outcomes.push({ type: action.type, role: action.role, outcome: 'created', taskId });
        break;
      }
      case 'call_webhook': {
        const deliveries = await emitTransitionEvent(tx, env);
        outcomes.push({ type: action.type, outcome: deliveries > 0 ? 'queued' : 'no_subscriber', deliveries });
        break;
      }
    }
  }
  return outcomes;
}
