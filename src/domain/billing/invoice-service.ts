/**
 * Invoices: drafts computed live, issued documents frozen. Issuing computes with the prices, rates and
 * settings in force on the issue date, stores the wire form of the document and its totals, and takes
 * the next number of the year's counter in the same transaction, so a failed issue leaves no gap.
 * Credit notes are issued documents of their own (kind `credit_note`) numbered from the same sequence.
 * Every amount is computed by the pure core (invoice-calc.ts, credit-note.ts); nothing here is a float.
 */
import { AppError, notFound, validationError, type FieldError } from '../../errors/catalogue.ts';
import { isUuid } from '../../db/sql-literal.ts';
import { uuidv7 } from '../../db/uuid.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requestHash, withIdempotency } from '../idempotency.ts';
import { followCore, type WorkflowChoice } from '../workflows/lifecycle.ts';
import { emitEvent } from '../webhooks/webhook-events.ts';
import { DEFAULT_CURRENCY } from './config/billing-settings-service.ts';
import { JURISDICTIONS_JSON_SQL, jurisdictionsFromJson } from './config/tax-config-service.ts';
import { computeCreditNote } from './credit-note.ts';
import { documentFromWire, documentToWire, type Wire } from './document-json.ts';
import { computeInvoice } from './invoice-calc.ts';
import type { BillingDocument, Discount, InvoiceLineInput } from './invoice-schemas.ts';
import type { Jurisdiction } from './tax-rules.ts';
import type { CreditNoteCreate, DraftLineInput, Invoice, InvoiceCreate, InvoiceListItem, InvoiceQuery, InvoiceUpdate, VoidInput } from './invoice-schemas-api.ts';

const ISSUE_SCOPE = 'invoices.issue';

export interface DraftInputs {
  lines: DraftLineInput[];
  invoiceDiscounts: Discount[];
}

interface Row {
  id: string;
  number: string | null;
  patient_id: string;
  status: string;
  kind: string;
  credits_invoice_id: string | null;
  currency: string;
  issue_date: string | null;
  computed: Wire<BillingDocument> | null;
  inputs: DraftInputs | { lines: { line: number; quantity: string }[] };
  total: string | null;
  tax_total: string | null;
  created_at: Date;
  issued_at: Date | null;
  voided_at: Date | null;
  void_reason: string | null;
  appointment_id: string | null;
}

// Dates and bigints as text: no time-zone shift through JS Date, no driver differences on bigint.
const COLUMNS = `id, number, patient_id, status, kind, credits_invoice_id, currency, issue_date::text as issue_date, computed, inputs,
  total::text as total, tax_total::text as tax_total, created_at, issued_at, voided_at, void_reason, appointment_id`;

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

function toInvoice(r: Row, document: unknown): Invoice {
  return {
    id: r.id,
    number: r.number,
    patientId: r.patient_id,
    status: r.status,
    kind: r.kind,
    creditsInvoiceId: r.credits_invoice_id,
    currency: r.currency.trim(),
    issueDate: r.issue_date,
    inputs: r.inputs,
    document,
    total: r.total === null ? null : Number(r.total),
    taxTotal: r.tax_total === null ? null : Number(r.tax_total),
    createdAt: new Date(r.created_at).toISOString(),
    issuedAt: iso(r.issued_at),
    voidedAt: iso(r.voided_at),
    voidReason: r.void_reason,
    appointmentId: r.appointment_id,
  };
}

interface Settings {
  currency: string;
  pricesIncludeTax: boolean;
  roundingMode: 'half_up' | 'half_even';
  roundingLevel: 'line' | 'invoice';
  numberFormat: string;
}

interface SettingsRow {
  currency: string;
  prices_include_tax: boolean;
  rounding_mode: Settings['roundingMode'];
  rounding_level: Settings['roundingLevel'];
  invoice_number_format: string;
}

function settingsFrom(r: SettingsRow | null | undefined): Settings {
  return r == null
    ? { currency: DEFAULT_CURRENCY, pricesIncludeTax: false, roundingMode: 'half_up', roundingLevel: 'line', numberFormat: 'INV-{YYYY}-{SEQ:5}' }
    : { currency: r.currency.trim(), pricesIncludeTax: r.prices_include_tax, roundingMode: r.rounding_mode, roundingLevel: r.rounding_level, numberFormat: r.invoice_number_format };
}

/** What computing (and numbering) a document needs from the practice's configuration. */
interface Pricing {
  /** Today in the practice's time zone, YYYY-MM-DD. */
  readonly today: string;
  readonly settings: Settings;
  readonly jurisdictions: Jurisdiction[];
}

/** Today, the billing settings and the tax configuration, in one statement (one round trip). */
async function pricingOf(tx: TenantTx): Promise<Pricing> {
  const res = await tx.query<{ today: string; settings: SettingsRow | null; jurisdictions: unknown }>(
    `select (now() at time zone coalesce((select time_zone from settings where tenant_id = $1), 'America/New_York'))::date::text as today,
            (select json_build_object('currency', currency, 'prices_include_tax', prices_include_tax, 'rounding_mode', rounding_mode,
                                      'rounding_level', rounding_level, 'invoice_number_format', invoice_number_format)
               from billing_settings where tenant_id = $1) as settings,
            ${JURISDICTIONS_JSON_SQL} as jurisdictions`,
    [tx.tenantId],
  );
  const r = res.rows[0]!;
  return { today: r.today, settings: settingsFrom(r.settings), jurisdictions: jurisdictionsFromJson(r.jurisdictions) };
}

/** The calculator's lines for `date`: price-list lines take the item's standard price in force that day. */
async function resolveLines(tx: TenantTx, lines: readonly DraftLineInput[], date: string, currency: string): Promise<InvoiceLineInput[]> {
  const errors: FieldError[] = [];
  const resolved: InvoiceLineInput[] = [];
  for (const [i, line] of lines.entries()) {
    const discounts = line.discounts ? { discounts: line.discounts } : {};
    if (!('priceItemId' in line)) {
      resolved.push({ description: line.description, category: line.category, quantity: line.quantity, unitPrice: line.unitPrice, ...discounts });
      continue;
    }
    const field = `lines[${i}].priceItemId`;
    const item = await tx.query<{ description: string; category: string; unit_price: string | null; currency: string | null }>(
      `select i.description, i.category, v.unit_price::text as unit_price, v.currency
         from price_items i
         left join price_item_versions v on v.tenant_id = i.tenant_id and v.item_id = i.id and v.price_level = 'standard'
          and v.effective_from <= $3::date and (v.effective_to is null or v.effective_to >= $3::date)
        where i.tenant_id = $1 and i.id = $2`,
      [tx.tenantId, line.priceItemId, date],
    );
    const r = item.rows[0];
    if (r === undefined) errors.push({ field, message: 'is not a price item of this practice' });
    else if (r.unit_price === null) errors.push({ field, message: `has no standard price in force on ${date}` });
    else if (r.currency?.trim() !== currency) errors.push({ field, message: `is priced in ${r.currency?.trim()}, not the practice currency ${currency}` });
    else resolved.push({ description: r.description, category: r.category, quantity: line.quantity, unitPrice: Number(r.unit_price), ...discounts });
  }
  if (errors.length > 0) throw validationError(errors);
  return resolved;
}

/** The document of `inputs` as it would be issued on `date`. */
async function compute(tx: TenantTx, pricing: Pricing, inputs: DraftInputs, date: string): Promise<BillingDocument> {
  const { settings, jurisdictions } = pricing;
  const lines = await resolveLines(tx, inputs.lines, date, settings.currency);
  return computeInvoice({
    currency: settings.currency,
    issueDate: date,
    pricesIncludeTax: settings.pricesIncludeTax,
    rounding: { mode: settings.roundingMode, level: settings.roundingLevel },
    jurisdictions,
    lines,
    invoiceDiscounts: inputs.invoiceDiscounts,
  });
}

/** `INV-{YYYY}-{SEQ:5}` with 2026 and 1 → `INV-2026-00001`. */
export function formatInvoiceNumber(format: string, year: string, seq: bigint): string {
  return format
    .replace(/\{YYYY\}/g, year)
    .replace(/\{SEQ(?::([1-9][0-9]?))?\}/g, (_, width: string | undefined) => seq.toString().padStart(width ? Number(width) : 0, '0'));
}

/** The next number of the year's sequence; rolls back with the transaction, so numbers stay gapless. */
async function nextNumber(tx: TenantTx, settings: Settings, date: string): Promise<string> {
  const year = date.slice(0, 4);
  const res = await tx.query<{ value: string }>(
    `insert into counters (tenant_id, name, value) values ($1, $2, 1)
     on conflict (tenant_id, name) do update set value = counters.value + 1 returning value::text as value`,
    [tx.tenantId, `invoice:${year}`],
  );
  return formatInvoiceNumber(settings.numberFormat, year, BigInt(res.rows[0]!.value));
}

async function lockInvoice(tx: TenantTx, id: string): Promise<Row> {
  if (!isUuid(id)) throw notFound('invoice');
  const res = await tx.query<Row>(`select ${COLUMNS} from invoices where tenant_id = $1 and id = $2 for update`, [tx.tenantId, id]);
  if (!res.rows[0]) throw notFound('invoice');
  return res.rows[0];
}

async function readInvoice(tx: TenantTx, id: string): Promise<Row> {
  const res = await tx.query<Row>(`select ${COLUMNS} from invoices where tenant_id = $1 and id = $2`, [tx.tenantId, id]);
  return res.rows[0]!;
}

function notDraft(r: Row, action: string): AppError {
  return new AppError('invoice_not_draft', `Invoice ${r.number ?? r.id} is ${r.status}; only a draft can be ${action}`);
}

/** Inserts a draft inside an open transaction; `appointmentId` links it to the visit it bills. */
export async function insertDraft(tx: TenantTx, ctx: TenantContext, patientId: string, inputs: DraftInputs, link: { appointmentId?: string } = {}): Promise<Invoice> {
  const pricing = await pricingOf(tx);
  const document = await compute(tx, pricing, inputs, pricing.today);
  const id = uuidv7();
  const inserted = await tx.query<Row>(
    `insert into invoices (tenant_id, id, patient_id, status, kind, currency, inputs, appointment_id) values ($1, $2, $3, 'draft', 'invoice', $4, $5, $6)
     returning ${COLUMNS}`,
    [tx.tenantId, id, patientId, document.currency, JSON.stringify(inputs), link.appointmentId ?? null],
  );
  const details = { lines: inputs.lines.length, ...(link.appointmentId ? { appointmentId: link.appointmentId } : {}) };
  await recordAudit(tx, ctx, { action: 'invoice.create', resourceType: 'invoice', resourceId: id, details });
  return toInvoice(inserted.rows[0]!, documentToWire(document));
}

export async function createInvoice(ctx: TenantContext, input: InvoiceCreate): Promise<Invoice> {
  return ctx.tx(async (tx) => {
    const patient = await tx.query('select 1 from patients where tenant_id = $1 and id = $2', [tx.tenantId, input.patientId]);
    if (!patient.rows[0]) throw validationError([{ field: 'patientId', message: 'is not a patient of this practice' }]);
    return insertDraft(tx, ctx, input.patientId, { lines: input.lines, invoiceDiscounts: input.invoiceDiscounts ?? [] });
  });
}

/** Newest first; drafts carry `document: null` here (GET one for the live computation). */
/**
 * The balance still owed, computed with the list in the same statement (the ledger of
 * payment-service: total − issued credit notes − payments + refunds; credit note totals are negative).
 */
const BALANCE_DUE = `case when i.kind = 'invoice' and i.status in ('issued', 'partially_paid', 'paid') then (i.total
    + coalesce((select sum(c.total) from invoices c
                 where c.tenant_id = i.tenant_id and c.credits_invoice_id = i.id and c.kind = 'credit_note' and c.status not in ('draft', 'void')), 0)
    - coalesce((select sum(case when p.kind = 'refund' then -p.amount else p.amount end) from payments p
                 where p.tenant_id = i.tenant_id and p.invoice_id = i.id), 0))::text end as balance_due`;

export async function listInvoices(ctx: TenantContext, q: InvoiceQuery = {}): Promise<InvoiceListItem[]> {
  const res = await ctx.statement<Row & { balance_due: string | null }>(
    `select ${COLUMNS}, ${BALANCE_DUE} from invoices i where tenant_id = $1 and ($2::text is null or status = $2) and ($3::uuid is null or patient_id = $3)
       and ($5::uuid is null or appointment_id = $5)
     order by created_at desc, id desc limit $4`,
    [ctx.tenant.id, q.status ?? null, q.patientId ?? null, q.limit ?? 50, q.appointmentId ?? null],
  );
  return res.rows.map((r) => ({ ...toInvoice(r, r.computed), balanceDue: r.balance_due === null ? null : Number(r.balance_due) }));
}

async function withDocument(tx: TenantTx, r: Row): Promise<Invoice> {
  if (r.status !== 'draft') return toInvoice(r, r.computed);
  try {
    const pricing = await pricingOf(tx);
    return toInvoice(r, documentToWire(await compute(tx, pricing, r.inputs as DraftInputs, pricing.today)));
  } catch (err) {
    // A draft whose price has since lapsed still reads; issuing it reports why it cannot be computed.
    if (err instanceof AppError && err.code === 'validation_failed') return toInvoice(r, null);
    throw err;
  }
}

export async function getInvoice(ctx: TenantContext, id: string): Promise<Invoice> {
  if (!isUuid(id)) throw notFound('invoice');
  return ctx.tx(async (tx) => {
    const res = await tx.query<Row>(`select ${COLUMNS} from invoices where tenant_id = $1 and id = $2`, [tx.tenantId, id]);
    if (!res.rows[0]) throw notFound('invoice');
    return withDocument(tx, res.rows[0]);
  });
}

export async function updateInvoice(ctx: TenantContext, id: string, patch: InvoiceUpdate): Promise<Invoice> {
  return ctx.tx(async (tx) => {
    const r = await lockInvoice(tx, id);
    if (r.status !== 'draft') throw notDraft(r, 'changed');
    const current = r.inputs as DraftInputs;
    const inputs: DraftInputs = { lines: patch.lines ?? current.lines, invoiceDiscounts: patch.invoiceDiscounts ?? current.invoiceDiscounts };
    const pricing = await pricingOf(tx);
    const document = await compute(tx, pricing, inputs, pricing.today);
    await tx.query('update invoices set inputs = $3, currency = $4 where tenant_id = $1 and id = $2', [tx.tenantId, id, JSON.stringify(inputs), document.currency]);
    await recordAudit(tx, ctx, { action: 'invoice.update', resourceType: 'invoice', resourceId: id, details: { fields: Object.keys(patch) } });
    return toInvoice(await readInvoice(tx, id), documentToWire(document));
  });
}

/**
 * Issues the draft `id` inside an open transaction (the number comes from the same transaction),
 * through the practice's workflow (`choice`: the transition chosen through the workflow API). With
 * `cause` the practice's settings decided it (auto-invoicing a completed visit), so the workflow
 * follows as a system move instead of checking the acting person's permission.
 */
export async function issueIn(
  tx: TenantTx,
  ctx: TenantContext,
  id: string,
  choice?: WorkflowChoice,
  cause?: Record<string, string>,
  history?: { readonly issueDate: string },
): Promise<Invoice> {
  const r = await lockInvoice(tx, id);
  if (r.status !== 'draft') throw notDraft(r, 'issued');
  const mode = cause ? 'system' : 'user';
  await followCore(tx, ctx, { kind: 'invoice', entityId: id, from: r.status, to: 'issued', mode, cause, transition: choice?.transition, note: choice?.note ?? null, verb: 'issue' });
  // `history` is for bringing in invoices a practice issued before it came to us (imports, the
  // demo's history): priced, numbered and dated as of that day. No API route passes it.
  const pricing = await pricingOf(tx);
  const date = history?.issueDate ?? pricing.today;
  const wire = documentToWire(await compute(tx, pricing, r.inputs as DraftInputs, date));
  const number = await nextNumber(tx, pricing.settings, date);
  const updated = await tx.query<Row>(
    `update invoices set status = 'issued', number = $3, computed = $4, total = $5, tax_total = $6, currency = $7, issue_date = $8, issued_at = now()
     where tenant_id = $1 and id = $2 returning ${COLUMNS}`,
    [tx.tenantId, id, number, JSON.stringify(wire), String(wire.total), String(wire.taxTotal), wire.currency, date],
  );
  await recordAudit(tx, ctx, { action: 'invoice.issue', resourceType: 'invoice', resourceId: id, details: { number, total: wire.total } });
  await emitEvent(tx, 'invoice.issued', { id, patientId: r.patient_id, number, issueDate: date, currency: wire.currency, total: wire.total });
  return toInvoice(updated.rows[0]!, wire);
}

/** Issues a draft; with an idempotency key a retry answers the first result (same number). */
export async function issueInvoice(ctx: TenantContext, id: string, options: { idempotencyKey?: string | undefined } = {}): Promise<{ invoice: Invoice; replayed: boolean }> {
  if (options.idempotencyKey === undefined) return { invoice: await ctx.tx((tx) => issueIn(tx, ctx, id)), replayed: false };
  const result = await withIdempotency<Invoice>(ctx, { scope: ISSUE_SCOPE, key: options.idempotencyKey, requestHash: requestHash({ id }) }, async (tx) => ({
    statusCode: 200,
    body: await issueIn(tx, ctx, id),
  }));
  return { invoice: result.body, replayed: result.replayed };
}

export async function voidInvoice(ctx: TenantContext, id: string, input: VoidInput): Promise<Invoice> {
  return ctx.tx((tx) => voidIn(tx, ctx, id, input));
}

/** Voids inside an open transaction; an invoice (not a credit note) goes through the practice's workflow. */
export async function voidIn(tx: TenantTx, ctx: TenantContext, id: string, input: VoidInput, choice?: WorkflowChoice): Promise<Invoice> {
  const r = await lockInvoice(tx, id);
  if (r.status !== 'issued') throw new AppError('invoice_not_draft', `Invoice ${r.number ?? r.id} is ${r.status}; only an issued document can be voided`);
  if (r.kind === 'invoice') {
    await followCore(tx, ctx, { kind: 'invoice', entityId: id, from: r.status, to: 'void', mode: 'user', transition: choice?.transition, note: choice?.note ?? input.reason, verb: 'void' });
  }
  await tx.query(`update invoices set status = 'void', voided_at = now(), void_reason = $3 where tenant_id = $1 and id = $2`, [tx.tenantId, id, input.reason.trim()]);
  await recordAudit(tx, ctx, { action: 'invoice.void', resourceType: 'invoice', resourceId: id, details: { number: r.number } });
  const after = await readInvoice(tx, id);
  return toInvoice(after, after.computed);
}

/** Issues a credit note for part or all of an issued invoice; over-crediting is `validation_failed`. */
export async function creditInvoice(ctx: TenantContext, id: string, input: CreditNoteCreate): Promise<Invoice> {
  return ctx.tx(async (tx) => {
    // The invoice's row lock serialises credits of one invoice, so previousCredits is complete.
    const r = await lockInvoice(tx, id);
    if (r.kind !== 'invoice' || !['issued', 'partially_paid', 'paid'].includes(r.status)) {
      throw new AppError('invoice_not_draft', `${r.kind === 'invoice' ? 'Invoice' : 'Credit note'} ${r.number ?? r.id} is ${r.status}; only an issued invoice can be credited`);
    }
    const previous = await tx.query<{ computed: Wire<BillingDocument> }>(
      `select computed from invoices where tenant_id = $1 and credits_invoice_id = $2 and status <> 'void' order by issued_at, id`,
      [tx.tenantId, id],
    );
    const pricing = await pricingOf(tx);
    const date = pricing.today;
    let credit: BillingDocument;
    try {
      credit = computeCreditNote(documentFromWire(r.computed!), input.lines, { issueDate: date, previousCredits: previous.rows.map((p) => documentFromWire(p.computed)) });
    } catch (err) {
      // The calculator names the selection; the API calls it `lines`.
      if (err instanceof AppError && err.code === 'validation_failed') {
        throw validationError((err.extra.errors ?? []).map((e) => ({ ...e, field: e.field.replace(/^selection/, 'lines') })), err.detail);
      }
      throw err;
    }
    const wire = documentToWire(credit);
    const number = await nextNumber(tx, pricing.settings, date);
    const creditId = uuidv7();
    await tx.query(
      `insert into invoices (tenant_id, id, number, patient_id, status, kind, credits_invoice_id, currency, issue_date, computed, inputs, total, tax_total, issued_at)
       values ($1, $2, $3, $4, 'issued', 'credit_note', $5, $6, $7, $8, $9, $10, $11, now())`,
      [tx.tenantId, creditId, number, r.patient_id, id, wire.currency, date, JSON.stringify(wire), JSON.stringify({ lines: input.lines }), String(wire.total), String(wire.taxTotal)],
    );
    await recordAudit(tx, ctx, { action: 'invoice.credit', resourceType: 'invoice', resourceId: creditId, details: { number, creditsInvoiceId: id, total: wire.total } });
    return toInvoice(await readInvoice(tx, creditId), wire);
  });
}
