/**
 * The demo practices' look and money: branding with a logo, a price list with tax rules, an intake
 * form, and four weeks of history (visits, no-shows, cancellations, invoices and payments) so the
 * dashboard, billing and AR aging have something to show on first start.
 *
 * Past visits are written straight into the practice's tables (through the tenant door, so RLS
 * applies): they stand for history a practice brings with it. Booking rules only apply to
 * bookings made from now on, so the booking use case would refuse them.
 */
import { DateTime } from 'luxon';
import { uuidv7 } from '../db/uuid.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { replaceBranding, setLogo } from '../domain/branding/branding-service.ts';
import { replaceBillingSettings } from '../domain/billing/config/billing-settings-service.ts';
import { replaceTaxConfiguration } from '../domain/billing/config/tax-config-service.ts';
import { addPrice, createPriceItem } from '../domain/billing/config/price-item-service.ts';
import { insertDraft, issueIn } from '../domain/billing/invoice-service.ts';
import { recordPayment } from '../domain/billing/payment-service.ts';
import { createForm } from '../domain/forms/form-service.ts';
import { demoLogoPng } from './demo-logo.ts';

export interface DemoLook {
  readonly slug: string;
  readonly displayName: string;
  readonly tagline: string;
  readonly primaryColor: string;
  readonly accentColor: string;
  readonly address: { line1: string; city: string; region?: string; postalCode: string; country: string };
  readonly phone: string;
  readonly email: string;
  readonly website: string;
  readonly currency: 'USD' | 'EUR';
  readonly taxIds: readonly { label: string; value: string }[];
}

export interface DemoPrices {
  /** Price item code of a new-patient visit and of a follow-up (appointment types point at them). */
  readonly newVisit: string;
  readonly followUp: string;
  readonly itemIds: Readonly<Record<string, string>>;
}

/** Branding, logo, billing settings, tax rules and the price list. */
export async function seedLookAndPrices(ctx: TenantContext, look: DemoLook): Promise<DemoPrices> {
  await replaceBranding(ctx, {
    displayName: look.displayName,
    tagline: look.tagline,
    primaryColor: look.primaryColor,
    accentColor: look.accentColor,
    address: look.address,
    phone: look.phone,
    email: look.email,
    website: look.website,
  });
  await setLogo(ctx, demoLogoPng(look.primaryColor), 'image/png');
  await replaceBillingSettings(ctx, {
    currency: look.currency,
    taxIds: [...look.taxIds],
    invoiceNumberFormat: `${look.slug.slice(0, 3).toUpperCase()}-{YYYY}-{SEQ:5}`,
    autoInvoice: 'draft',
  });
  const since = DateTime.now().minus({ years: 1 }).startOf('year').toISODate()!;
  const us = look.currency === 'USD';
  await replaceTaxConfiguration(ctx, {
    jurisdictions: us
      ? [
          { code: 'US-NY', name: 'New York State sales tax', rates: [{ ratePercent: '4', effectiveFrom: since }], exemptCategories: ['medical_service'] },
          { code: 'NYC', name: 'New York City sales tax', rates: [{ ratePercent: '4.875', effectiveFrom: since }], exemptCategories: ['medical_service'] },
        ]
      : [{ code: 'DE-VAT', name: 'Umsatzsteuer', rates: [{ ratePercent: '19', effectiveFrom: since }], exemptCategories: ['medical_service'] }],
  });
  const items: [string, string, 'medical_service' | 'retail_product', 'service' | 'product', number][] = us
    ? [
        ['99203', 'New patient visit, 30-44 min', 'medical_service', 'service', 22000],
        ['99213', 'Established patient visit, 20-29 min', 'medical_service', 'service', 15000],
        ['90471', 'Immunization administration', 'medical_service', 'service', 4500],
        ['SUPP-VITD', 'Vitamin D3, 90 capsules', 'retail_product', 'product', 1899],
        ['SUPP-BRACE', 'Wrist brace', 'retail_product', 'product', 3450],
      ]
    : [
        ['PT-EVAL', 'Physiotherapy assessment', 'medical_service', 'service', 9500],
        ['PT-SESSION', 'Physiotherapy session, 30 min', 'medical_service', 'service', 6000],
        ['RET-BAND', 'Resistance band set', 'retail_product', 'product', 2490],
        ['RET-ROLL', 'Foam roller', 'retail_product', 'product', 2990],
      ];
  const itemIds: Record<string, string> = {};
  for (const [code, description, category, kind, price] of items) {
    const item = await createPriceItem(ctx, { code, description, category, kind });
    await addPrice(ctx, item.id, { unitPrice: price, effectiveFrom: since });
    itemIds[code] = item.id;
  }
  return { newVisit: items[0]![0], followUp: items[1]![0], itemIds };
}

/** A new-patient intake form (contact details, allergies, a conditional question, consent). */
export async function seedIntakeForm(ctx: TenantContext): Promise<void> {
  await createForm(ctx, {
    key: 'new-patient-intake',
    title: 'New patient intake',
    description: 'Please complete before your first visit. It takes about three minutes.',
    sections: [
      {
        id: 'contact',
        title: 'Contact details',
        fields: [
          { id: 'phone', type: 'text', label: 'Mobile phone', required: true, mapsTo: 'phone' },
          { id: 'email', type: 'text', label: 'Email address', mapsTo: 'email' },
        ],
      },
      {
        id: 'health',
        title: 'Your health',
        fields: [
          { id: 'reason', type: 'long_text', label: 'What brings you to us?', required: true },
          { id: 'smoker', type: 'yes_no', label: 'Do you smoke?', required: true },
          { id: 'packs', type: 'number', label: 'Packs per day', required: true, validation: { min: 0, max: 10 }, visibleIf: { '==': [{ var: 'smoker' }, true] } },
          {
            id: 'allergyList',
            type: 'multiple_choice',
            label: 'Known allergies',
            mapsTo: 'allergies',
            options: [
              { value: 'penicillin', label: 'Penicillin' },
              { value: 'latex', label: 'Latex' },
              { value: 'nuts', label: 'Nuts' },
            ],
          },
          { id: 'privacy', type: 'consent', label: 'Privacy notice', required: true, consent: { text: 'I agree that the practice stores my health information to treat me.' } },
        ],
      },
    ],
  });
}

export interface HistoryInput {
  readonly timeZone: string;
  readonly locationId: string;
  readonly providerIds: readonly string[];
  readonly types: readonly { id: string; minutes: number; priceItemId: string }[];
  readonly patientIds: readonly string[];
}

/** Four weeks of past visits with outcomes, invoices and payments (some still owed, for AR aging). */
export async function seedHistory(ctx: TenantContext, h: HistoryInput): Promise<void> {
  const today = DateTime.now().setZone(h.timeZone).startOf('day');
  // Deterministic variety: the same demo every time.
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const completed: { id: string; patientId: string; priceItemId: string; date: string }[] = [];
  await ctx.tx(async (tx) => {
    for (let back = 28; back >= 1; back--) {
      const day = today.minus({ days: back });
      if (day.weekday > 5) continue;
      const visits = 2 + Math.floor(next() * 4);
      for (let v = 0; v < visits; v++) {
        const type = h.types[v % h.types.length]!;
        const providerId = h.providerIds[v % h.providerIds.length]!;
        const start = day.set({ hour: 9 + Math.floor(v / h.providerIds.length) * 2, minute: 0 });
        const end = start.plus({ minutes: type.minutes });
        const roll = next();
        const status = roll < 0.1 ? 'no_show' : roll < 0.17 ? 'cancelled' : 'completed';
        const patientId = h.patientIds[Math.floor(next() * h.patientIds.length)]!;
        const id = uuidv7();
        await tx.query(
          `insert into appointments (tenant_id, id, patient_id, provider_id, location_id, type_id, starts_at, ends_at, blocked, status, late_cancel, cancel_reason, created_at, updated_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, tstzrange($7, $8), $9, $10, $11, $12, $8)`,
          [
            tx.tenantId, id, patientId, providerId, h.locationId, type.id, start.toISO(), end.toISO(), status,
            status === 'cancelled' && roll > 0.14, status === 'cancelled' ? 'Patient rescheduled by phone' : null, start.minus({ days: 7 }).toISO(),
          ],
        );
        if (status === 'completed') completed.push({ id, patientId, priceItemId: type.priceItemId, date: day.toISODate()! });
      }
    }
    // Patients joined over the same weeks (for "new patients over time").
    for (let i = 0; i < h.patientIds.length; i++) {
      await tx.query('update patients set created_at = $2 where tenant_id = $1 and id = $3', [tx.tenantId, today.minus({ days: 30 - i * 3 }).toISO(), h.patientIds[i]]);
    }
  });
  for (const [i, visit] of completed.entries()) {
    const invoice = await ctx.tx(async (tx) => {
      const draft = await insertDraft(tx, ctx, visit.patientId, { lines: [{ priceItemId: visit.priceItemId, quantity: '1' }], invoiceDiscounts: [] }, { appointmentId: visit.id });
      // Issued the day of the visit, as the practice billed it then.
      return issueIn(tx, ctx, draft.id, undefined, { reason: 'demo_history' }, { issueDate: visit.date });
    });
    const total = Number(invoice.total);
    const paidOn = DateTime.fromISO(visit.date).plus({ days: i % 4 }).toISODate()!;
    const recentEnough = paidOn <= today.toISODate()!;
    if (i % 6 === 5 || !recentEnough) continue; // still owed: the AR aging has work to show
    if (i % 5 === 4) {
      await recordPayment(ctx, invoice.id, { method: 'card', amount: Math.floor(total / 2), receivedOn: paidOn, reference: 'Partial payment' });
      continue;
    }
    await recordPayment(ctx, invoice.id, { method: i % 3 === 0 ? 'insurance' : i % 3 === 1 ? 'card' : 'cash', amount: total, receivedOn: paidOn });
  }
}
