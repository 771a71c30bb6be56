/** The billing shapes the web app reads (see src/domain/billing/*-schemas*.ts); amounts are integer minor units. */

export type InvoiceStatus = 'draft' | 'issued' | 'partially_paid' | 'paid' | 'void';

export interface DocTax {
  readonly jurisdiction: string;
  readonly name: string;
  readonly ratePercent: string;
  readonly amount: number;
}

export interface DocLine {
  readonly description: string;
  readonly category: string;
  readonly quantity: string;
  readonly unitPrice: number;
  readonly amount: number;
  readonly discount: number;
  readonly net: number;
  readonly taxes: readonly DocTax[];
  readonly taxTotal: number;
  readonly total: number;
}

export interface BillingDocument {
  readonly kind: 'invoice' | 'credit_note';
  readonly currency: string;
  readonly issueDate: string;
  readonly lines: readonly DocLine[];
  readonly invoiceDiscounts: readonly { kind: string; value: string; reason: string; amount: number }[];
  readonly subtotal: number;
  readonly discountTotal: number;
  readonly netTotal: number;
  readonly taxTotals: readonly DocTax[];
  readonly taxTotal: number;
  readonly total: number;
}

export interface Invoice {
  readonly id: string;
  readonly number: string | null;
  readonly patientId: string;
  readonly status: InvoiceStatus;
  readonly kind: 'invoice' | 'credit_note';
  readonly creditsInvoiceId: string | null;
  readonly currency: string;
  readonly issueDate: string | null;
  readonly document: BillingDocument | null;
  readonly total: number | null;
  readonly taxTotal: number | null;
  readonly createdAt: string;
  readonly issuedAt: string | null;
  readonly voidedAt: string | null;
  readonly voidReason: string | null;
  readonly appointmentId: string | null;
}

/** A row of GET /api/invoices: the invoice and what is still owed on it. */
export interface InvoiceListItem extends Invoice {
  readonly balanceDue: number | null;
}

export type PaymentMethod = 'cash' | 'card' | 'cheque' | 'insurance';

export interface Payment {
  readonly id: string;
  readonly kind: 'payment' | 'refund';
  readonly method: PaymentMethod;
  readonly amount: number;
  readonly currency: string;
  readonly receivedOn: string;
  readonly reference: string | null;
  readonly note: string | null;
  readonly createdAt: string;
}

export interface InvoicePayments {
  readonly items: readonly Payment[];
  readonly currency: string;
  readonly total: number;
  readonly credited: number;
  readonly paid: number;
  readonly refunded: number;
  readonly balance: number;
  readonly status: string;
}

export interface PriceItem {
  readonly id: string;
  readonly code: string;
  readonly description: string;
  readonly category: string;
  readonly kind: 'service' | 'product';
  readonly active: boolean;
  readonly price?: { unitPrice: number; currency: string; effectiveFrom: string } | null;
}

export interface PatientSummary {
  readonly id: string;
  readonly mrn: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly dateOfBirth: string;
}

export const STATUS_LABELS: Record<InvoiceStatus, string> = {
  draft: 'Draft',
  issued: 'Issued',
  partially_paid: 'Partially paid',
  paid: 'Paid',
  void: 'Void',
};

export const STATUS_TONES: Record<InvoiceStatus, 'neutral' | 'good' | 'warn' | 'bad' | 'info'> = {
  draft: 'neutral',
  issued: 'info',
  partially_paid: 'warn',
  paid: 'good',
  void: 'bad',
};

export const METHOD_LABELS: Record<PaymentMethod, string> = { cash: 'Cash', card: 'Card', cheque: 'Cheque', insurance: 'Insurance' };

/** "Lastname, Firstname" for lists. */
export function patientName(p: PatientSummary | undefined): string {
  return p ? `${p.lastName}, ${p.firstName}` : 'Patient';
}

/** The document's name: its number, or "Draft" before issue; credit notes say so. */
export function invoiceTitle(inv: Pick<Invoice, 'number' | 'kind'>): string {
  const what = inv.kind === 'credit_note' ? 'Credit note' : 'Invoice';
  return inv.number ? `${what} ${inv.number}` : `Draft ${what.toLowerCase()}`;
}

/** A key for `Idempotency-Key`, made once per dialog so a retry or double click records once. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
