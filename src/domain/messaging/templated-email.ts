/**
 * Queues a message rendered from the practice's template of its kind, in the caller's transaction
 * (so the message exists iff the change that caused it committed), and by default schedules its
 * delivery as a job.
 */
import type { TenantRef, TenantTx } from '../../tenancy/tenant-db.ts';
import type { MailAttachment } from '../../infra/mailer.ts';
import { enqueueJob } from '../../jobs/job-queue.ts';
import type { MessageKind, MessageVariables } from '../templates/message-kinds.ts';
import { renderMessage } from '../templates/render-message.ts';
import { EMAIL_DELIVER_JOB, queueEmail } from './outbox.ts';

export interface TemplatedEmail<K extends MessageKind> {
  readonly kind: K;
  readonly to: string;
  /** Idempotency of the message: queueing the same key twice keeps the first. */
  readonly messageKey: string;
  readonly variables: MessageVariables[K];
  readonly attachments?: readonly MailAttachment[];
  /** `job` (default): an `email.deliver` job sends it; `caller`: the caller delivers it itself. */
  readonly delivery?: 'job' | 'caller';
  readonly now?: Date;
}

/**
 * Renders and queues; returns the outbox message id.
 * @example await queueTemplatedEmail(tx, ctx.tenant, { kind: 'appointment_confirmation', to, messageKey: `confirm:${id}`, variables })
 */
export async function queueTemplatedEmail<K extends MessageKind>(tx: TenantTx, tenant: Pick<TenantRef, 'id' | 'slug'>, email: TemplatedEmail<K>): Promise<string> {
  const rendered = await renderMessage(tx, tenant, email.kind, email.variables);
  const messageId = await queueEmail(tx, {
    messageKey: email.messageKey,
    to: email.to,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    templateKind: email.kind,
    ...(email.attachments ? { attachments: email.attachments } : {}),
  });
  if ((email.delivery ?? 'job') === 'job') {
    await enqueueJob(tx, { tenantId: tx.tenantId, kind: EMAIL_DELIVER_JOB, payload: { messageId }, runAt: email.now ?? new Date(), dedupeKey: `email:${tx.tenantId}:${messageId}` });
  }
  return messageId;
}
