/**
 * The practice's outgoing messages. A message is queued once per `messageKey` and delivered at most
 * once: delivery first moves it from `pending` to `sending` in its own transaction, so a retried job
 * or a second process never sends it again (a crash mid-send leaves it in `sending` for review).
 */
import type { Database } from '../../db/database.ts';
import { uuidv7 } from '../../db/uuid.ts';
import { withTenant, type TenantRef, type TenantTx } from '../../tenancy/tenant-db.ts';
import type { MailAttachment, Mailer } from '../../infra/mailer.ts';

export interface OutgoingEmail {
  readonly messageKey: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** HTML alternative of `text`; absent or null sends plain text only. */
  readonly html?: string | null;
  /** The message template kind it was rendered from (shown in the outbox view). */
  readonly templateKind?: string | null;
  readonly attachments?: readonly MailAttachment[];
}

/** The job that delivers one queued message (payload `{ messageId }`). */
export const EMAIL_DELIVER_JOB = 'email.deliver';

/** Queues a message unless one with the same key exists; returns the message id either way. */
export async function queueEmail(tx: TenantTx, email: OutgoingEmail): Promise<string> {
  const res = await tx.query<{ id: string }>(
    `with ins as (
       insert into email_outbox (tenant_id, id, message_key, to_address, subject, body_text, attachments, body_html, template_kind)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (tenant_id, message_key) do nothing returning id)
     select id from ins union all select id from email_outbox where tenant_id = $1 and message_key = $3 and not exists (select 1 from ins)`,
    [
      tx.tenantId, uuidv7(), email.messageKey, email.to, email.subject, email.text, JSON.stringify(email.attachments ?? []),
      email.html ?? null, email.templateKind ?? null,
    ],
  );
  return res.rows[0]!.id;
}

export type DeliveryOutcome = 'sent' | 'kept' | 'skipped' | 'failed';

interface OutboxRow {
  to_address: string;
  subject: string;
  body_text: string;
  body_html: string | null;
  attachments: MailAttachment[];
}

/** Delivers one pending message through the mailer (or keeps it, in development). */
export async function deliverEmail(db: Database, tenant: TenantRef, mailer: Mailer, from: string, id: string): Promise<DeliveryOutcome> {
  const claimed = await withTenant(db, tenant, (tx) =>
    tx.query<OutboxRow>(
      `update email_outbox set status = 'sending' where tenant_id = $1 and id = $2 and status = 'pending'
       returning to_address, subject, body_text, body_html, attachments`,
      [tx.tenantId, id],
    ),
  );
  const msg = claimed.rows[0];
  if (!msg) return 'skipped';
  try {
    await mailer.send({ from, to: msg.to_address, subject: msg.subject, text: msg.body_text, html: msg.body_html, attachments: msg.attachments });
  } catch (err) {
    await withTenant(db, tenant, (tx) =>
      tx.query(`update email_outbox set status = 'failed', error = $3 where tenant_id = $1 and id = $2`, [
        tx.tenantId,
        id,
        err instanceof Error ? err.message.slice(0, 500) : 'send failed',
      ]),
    );
    return 'failed';
  }
  const status = mailer.mode === 'smtp' ? 'sent' : 'kept';
  await withTenant(db, tenant, (tx) =>
    tx.query(`update email_outbox set status = $3, sent_at = now() where tenant_id = $1 and id = $2`, [tx.tenantId, id, status]),
  );
  return status;
}
