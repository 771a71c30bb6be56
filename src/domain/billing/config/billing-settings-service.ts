/** Reads and replaces the practice's billing settings (one row per practice; defaults until saved). */
import { validationError, type FieldError } from '../../../errors/catalogue.ts';
import type { TenantContext } from '../../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../../tenancy/tenant-db.ts';
import { recordAudit } from '../../audit/audit-log.ts';
import { minorUnitDigits } from '../money.ts';
import type { BillingSettings, BillingSettingsInput } from './billing-settings-schemas.ts';

export const DEFAULT_CURRENCY = 'USD';

const DEFAULTS: Omit<BillingSettings, 'updatedAt'> = {
  currency: DEFAULT_CURRENCY,
  pricesIncludeTax: false,
  roundingMode: 'half_up',
  roundingLevel: 'line',
  invoiceNumberFormat: 'INV-{YYYY}-{SEQ:5}',
  taxIds: [],
  autoInvoice: 'off',
};

const COLUMNS = 'currency, prices_include_tax, rounding_mode, rounding_level, invoice_number_format, tax_ids, auto_invoice, updated_at';

interface Row {
  currency: string;
  prices_include_tax: boolean;
  rounding_mode: BillingSettings['roundingMode'];
  rounding_level: BillingSettings['roundingLevel'];
  invoice_number_format: string;
  tax_ids: BillingSettings['taxIds'];
  auto_invoice: BillingSettings['autoInvoice'];
  updated_at: Date;
}

const toSettings = (r: Row | undefined): BillingSettings =>
  r === undefined
    ? { ...DEFAULTS, updatedAt: null }
    : {
        currency: r.currency,
        pricesIncludeTax: r.prices_include_tax,
        roundingMode: r.rounding_mode,
        roundingLevel: r.rounding_level,
        invoiceNumberFormat: r.invoice_number_format,
        taxIds: r.tax_ids,
        autoInvoice: r.auto_invoice,
        updatedAt: new Date(r.updated_at).toISOString(),
      };

/** A field error when `currency` is not in the minor-units table of money.ts. */
export function checkCurrency(field: string, currency: string | undefined): FieldError[] {
  return currency !== undefined && minorUnitDigits(currency) === undefined ? [{ field, message: `is not a supported currency (${currency})` }] : [];
}

const SEQ = /\{SEQ(?::[1-9][0-9]?)?\}/;

export async function getBillingSettings(ctx: TenantContext): Promise<BillingSettings> {
  const res = await ctx.statement<Row>(`select ${COLUMNS} from billing_settings where tenant_id = $1`, [ctx.tenant.id]);
  return toSettings(res.rows[0]);
}

/** The practice's currency inside a transaction (the default until settings are saved). */
export async function practiceCurrency(tx: TenantTx): Promise<string> {
  const res = await tx.query<{ currency: string }>('select currency from billing_settings where tenant_id = $1', [tx.tenantId]);
  return res.rows[0]?.currency ?? DEFAULT_CURRENCY;
}

/** Replaces the settings; optional keys left out return to their defaults. */
export async function replaceBillingSettings(ctx: TenantContext, input: BillingSettingsInput): Promise<BillingSettings> {
  const s = { ...DEFAULTS, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) } as Omit<BillingSettings, 'updatedAt'>;
  const errors = checkCurrency('currency', s.currency);
  if (!SEQ.test(s.invoiceNumberFormat)) errors.push({ field: 'invoiceNumberFormat', message: 'must contain {SEQ} or {SEQ:n}' });
  if (errors.length) throw validationError(errors);
  return ctx.tx(async (tx) => {
    const res = await tx.query<Row>(
      `insert into billing_settings (tenant_id, currency, prices_include_tax, rounding_mode, rounding_level, invoice_number_format, tax_ids, auto_invoice)
       values ($1, $2, $3, $4, $5, $6, $7, $8)
       on conflict (tenant_id) do update set currency = excluded.currency, prices_include_tax = excluded.prices_include_tax,
         rounding_mode = excluded.rounding_mode, rounding_level = excluded.rounding_level,
         invoice_number_format = excluded.invoice_number_format, tax_ids = excluded.tax_ids,
         auto_invoice = excluded.auto_invoice, updated_at = now()
       returning ${COLUMNS}`,
      [tx.tenantId, s.currency, s.pricesIncludeTax, s.roundingMode, s.roundingLevel, s.invoiceNumberFormat, JSON.stringify(s.taxIds), s.autoInvoice],
    );
    await recordAudit(tx, ctx, { action: 'billing_settings.update', resourceType: 'billing_settings', details: { keys: Object.keys(input) } });
    return toSettings(res.rows[0]);
  });
}
