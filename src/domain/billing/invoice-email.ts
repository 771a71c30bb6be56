/**
 * Sending an issued invoice to the patient by email: the practice's `invoice` message template (its
 * own version or the default) with the invoice PDF attached, queued in the outbox in one transaction
 * with the audit event, and delivered by the `email.deliver` job. The PDF is rendered when queued, so
 * the patient gets the invoice as it stood when staff pressed Send, whatever happens later.
 */
import { createHash } from 'node:crypto';
import { Type, type Static } from 'typebox';
import { isUuid } from '../../db/sql-literal.ts';
import { uuidv7 } from '../../db/uuid.ts';
import { AppError, notFound } from '../../errors/catalogue.ts';
import type { MailAttachment } from '../../infra/mailer.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requestHash, withIdempotency } from '../idempotency.ts';
import { queueTemplatedEmail } from '../messaging/templated-email.ts';
import { renderInvoicePdf } from './invoice-pdf.ts';
import { loadView, pdfFilename } from './invoice-pdf-service.ts';
import { formatMoney } from './money.ts';
import { usableLocale } from './pdf-text.ts';

export const InvoiceSendInput = Type.Object(
  {
    to: Type.Optional(Type.String({ format: 'email', maxLength: 254, description: "Send here instead of the patient's email address (e.g. a parent or an insurer)" })),
  },
  { additionalProperties: false },
);
export type InvoiceSendInput = Static<typeof InvoiceSendInput>;

export const InvoiceSendResult = Type.Object({
  messageId: Type.String({ description: 'The queued message in the outbox (GET /api/outbox/{id})' }),
  invoiceId: Type.String(),
  to: Type.String(),
  status: Type.Literal('queued'),
});
export type InvoiceSendResult = Static<typeof InvoiceSendResult>;

/** An invoice goes out once issued and for as long as it is not void (a paid one as a receipt). */
const SENDABLE = ['issued', 'partially_paid', 'paid'];
const SEND_SCOPE = 'invoices.send';

interface InvoiceRow {
  kind: string;
  status: string;
  number: string | null;
  email: string | null;
  first_name: string;
  last_name: string;
}

async function sendIn(tx: TenantTx, ctx: TenantContext, invoiceId: string, input: InvoiceSendInput, practiceName: string, messageKey: string): Promise<InvoiceSendResult> {
  // FOR SHARE: a void or a payment committed meanwhile waits for this send, so what is sent is what was checked.
  const found = await tx.query<InvoiceRow>(
    `select i.kind, i.status, i.number, p.email, p.first_name, p.last_name
       from invoices i join patients p on p.tenant_id = i.tenant_id and p.id = i.patient_id
      where i.tenant_id = $1 and i.id = $2 for share of i`,
    [tx.tenantId, invoiceId],
  );
  const row = found.rows[0];
  if (!row) throw notFound('invoice');
  if (row.kind !== 'invoice' || !SENDABLE.includes(row.status)) {
    const what = row.kind === 'invoice' ? `Invoice ${row.number ?? invoiceId} is ${row.status}` : `${row.number ?? invoiceId} is a credit note`;
    throw new AppError('invoice_not_draft', `${what}; only an issued, partially paid or paid invoice can be sent`);
  }
  const to = input.to ?? row.email;
  if (!to) throw new AppError('patient_has_no_email', "The patient has no email address; add one to the patient or give a `to` address");

  const view = await loadView(ctx, tx, invoiceId, practiceName);
  const pdf = await renderInvoicePdf(view);
  const attachment: MailAttachment = { filename: pdfFilename(view), contentType: 'application/pdf', content: Buffer.from(pdf).toString('base64'), encoding: 'base64' };
  const currency = view.invoice.document.currency;
  const locale = usableLocale(view.locale);
  const messageId = await queueTemplatedEmail(tx, ctx.tenant, {
    kind: 'invoice',
    to,
    messageKey,
    variables: {
      patient: { firstName: row.first_name, lastName: row.last_name },
      // No patient-facing invoice page exists, so there is no link: the PDF travels with the message.
      invoice: {
        number: row.number!,
        total: formatMoney({ amount: view.invoice.document.total, currency }, locale),
        balanceDue: formatMoney({ amount: view.ledger?.balance ?? view.invoice.document.total, currency }, locale),
        url: null,
      },
    },
    attachments: [attachment],
  });
  // The address is PHI and stays in the outbox row; the audit says only whose address it was.
  await recordAudit(tx, ctx, {
    action: 'invoice.send',
    resourceType: 'invoice',
    resourceId: invoiceId,
    details: { number: row.number, messageId, recipient: input.to === undefined || input.to === row.email ? 'patient' : 'other' },
  });
  return { messageId, invoiceId, to, status: 'queued' };
}

/**
 * Queues invoice `invoiceId` to its patient (or `input.to`) with its PDF attached. Another
 * practice's id is `not_found`. With an idempotency key a retry answers the first result and queues
 * nothing more; without one every call sends again (a resend is a deliberate act).
 * @example const { result } = await sendInvoiceEmail(ctx, id, {}, { practiceName: tenant.name, idempotencyKey })
 */
export async function sendInvoiceEmail(
  ctx: TenantContext,
  invoiceId: string,
  input: InvoiceSendInput,
  options: { practiceName: string; idempotencyKey?: string | undefined },
): Promise<{ result: InvoiceSendResult; replayed: boolean }> {
  if (!isUuid(invoiceId)) throw notFound('invoice');
  const key = options.idempotencyKey;
  if (key === undefined) {
    const result = await ctx.tx((tx) => sendIn(tx, ctx, invoiceId, input, options.practiceName, `invoice.send:${invoiceId}:${uuidv7()}`));
    return { result, replayed: false };
  }
  // The message key follows the idempotency key, so even a retry after the key's TTL queues nothing new.
  const messageKey = `invoice.send:${invoiceId}:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
  const stored = await withIdempotency<InvoiceSendResult>(
    ctx,
    { scope: SEND_SCOPE, key, requestHash: requestHash({ invoiceId, ...input }) },
    async (tx) => ({ statusCode: 202, body: await sendIn(tx, ctx, invoiceId, input, options.practiceName, messageKey) }),
  );
  return { result: stored.body, replayed: stored.replayed };
}
