/**
 * Reading the practice's outbox: every message queued, kept (development, no SMTP_URL) or sent,
 * newest first. Bodies and addresses are PHI, so each read writes an audit event naming the ids.
 */
import { Type, type Static, type TSchema } from 'typebox';
import { AppError, notFound } from '../../errors/catalogue.ts';
import { isUuid } from '../../db/sql-literal.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';

const Status = Type.Union(['pending', 'sending', 'sent', 'kept', 'failed'].map((s) => Type.Literal(s)));

export const OutboxQuery = Type.Object(
  {
    status: Type.Optional(Status),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'From `nextCursor` of the previous page' })),
  },
  { additionalProperties: false },
);
export type OutboxQuery = Static<typeof OutboxQuery>;

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const OutboxEntry = Type.Object({
  id: Type.String(),
  kind: Nullable(Type.String({ description: 'Template kind it was rendered from; null for messages sent without a template' })),
  to: Type.String(),
  subject: Type.String(),
  status: Type.String({ description: '`pending`, `sending`, `sent` (SMTP), `kept` (development: not sent), `failed`' }),
  error: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  sentAt: Nullable(Type.String({ format: 'date-time' })),
});
export type OutboxEntry = Static<typeof OutboxEntry>;

export const OutboxMessage = Type.Object({
  ...OutboxEntry.properties,
  text: Type.String(),
  html: Nullable(Type.String()),
  attachments: Type.Array(
    Type.Object({
      filename: Type.String(),
      contentType: Type.String(),
      content: Type.String({ description: 'The text, or base64 of the bytes when `encoding` is `base64` (PDFs)' }),
      encoding: Type.Optional(Type.Literal('base64')),
    }),
  ),
});
export type OutboxMessage = Static<typeof OutboxMessage>;

interface Row {
  id: string;
  template_kind: string | null;
  to_address: string;
  subject: string;
  status: string;
  error: string | null;
  created_at: Date;
  sent_at: Date | null;
}

const LIST_COLUMNS = 'id, template_kind, to_address, subject, status, error, created_at, sent_at';

/**
 * The cursor keeps created_at as PostgreSQL prints it: a JavaScript Date would cut the
 * microseconds and the next page would skip rows created within the same millisecond.
 */
const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)?$/;

const toEntry = (r: Row): OutboxEntry => ({
  id: r.id,
  kind: r.template_kind,
  to: r.to_address,
  subject: r.subject,
  status: r.status,
  error: r.error,
  createdAt: new Date(r.created_at).toISOString(),
  sentAt: r.sent_at ? new Date(r.sent_at).toISOString() : null,
});

/** Messages newest first (created_at, id descending), keyset-paginated; the ids read are audited. */
export async function listOutbox(ctx: TenantContext, q: OutboxQuery): Promise<{ items: OutboxEntry[]; nextCursor: string | null }> {
  const limit = q.limit ?? 50;
  let after: [string, string] | null = null;
  if (q.cursor) {
    const [at, id] = decodeCursor(q.cursor, 2) as [string, string];
    if (!isUuid(id) || !TIMESTAMP_TEXT.test(at)) throw new AppError('invalid_cursor');
    after = [at, id];
  }
  return ctx.tx(async (tx) => {
    const res = await tx.query<Row & { created_key: string }>(
      `select ${LIST_COLUMNS}, created_at::text as created_key from email_outbox
        where tenant_id = $1 and ($2::text is null or status = $2)
          and ($3::timestamptz is null or (created_at, id) < ($3::timestamptz, $4::uuid))
        order by created_at desc, id desc limit $5`,
      [tx.tenantId, q.status ?? null, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
    );
    const rows = res.rows.slice(0, limit);
    await recordAudit(tx, ctx, { action: 'outbox.list', resourceType: 'email_message', details: { messageIds: rows.map((r) => r.id) } });
    const last = rows[rows.length - 1];
    return {
      items: rows.map(toEntry),
      nextCursor: res.rows.length > limit && last ? encodeCursor([last.created_key, last.id]) : null,
    };
  });
}

const WITHHELD = '[withheld: a password reset email carries a single-use sign-in secret meant only for its addressee]';

/** One message in full (bodies and attachments), audited; a password reset's body is withheld. */
export async function getOutboxMessage(ctx: TenantContext, id: string): Promise<OutboxMessage> {
  if (!isUuid(id)) throw notFound('message');
  return ctx.tx(async (tx) => {
    const res = await tx.query<Row & { body_text: string; body_html: string | null; attachments: OutboxMessage['attachments'] }>(
      `select ${LIST_COLUMNS}, body_text, body_html, attachments from email_outbox where tenant_id = $1 and id = $2`,
      [tx.tenantId, id],
    );
    const row = res.rows[0];
    if (!row) throw notFound('message');
    await recordAudit(tx, ctx, { action: 'outbox.read', resourceType: 'email_message', resourceId: id });
    // A password reset link sets the password of an identity other practices may share: only its addressee sees it.
    if (row.template_kind === 'password_reset') return { ...toEntry(row), text: WITHHELD, html: null, attachments: [] };
    return { ...toEntry(row), text: row.body_text, html: row.body_html, attachments: row.attachments ?? [] };
  });
}
