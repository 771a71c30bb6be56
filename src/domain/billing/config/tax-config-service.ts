/**
 * The practice's tax jurisdictions and dated rates. Rates live in `numeric(9,5)` and travel as decimal
 * strings both ways (never a JS number), so "8.875" is stored and returned exactly.
 */
import { validationError, type FieldError } from '../../../errors/catalogue.ts';
import { uuidv7 } from '../../../db/uuid.ts';
import type { TenantContext } from '../../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../../tenancy/tenant-db.ts';
import { recordAudit } from '../../audit/audit-log.ts';
import { validateJurisdictions, type Jurisdiction } from '../tax-rules.ts';
import type { TaxConfiguration } from './tax-config-schemas.ts';

/** What numeric(9,5) holds exactly: up to 4 integer digits and 5 decimals. */
const STORABLE_RATE = /^(0|[1-9][0-9]{0,3})(\.[0-9]{1,5})?$/;

/**
 * Drops the trailing zeros numeric adds ("8.87500" → "8.875", "7.00000" → "7"). A rate sent as
 * "7.0" therefore comes back as "7": the same number, in its shortest form.
 */
export function normaliseRate(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

function storableErrors(jurisdictions: readonly Jurisdiction[]): FieldError[] {
  return jurisdictions.flatMap((j, ji) =>
    j.rates.flatMap((r, ri) =>
      !r.ratePercent.startsWith('-') && !STORABLE_RATE.test(r.ratePercent)
        ? [{ field: `jurisdictions[${ji}].rates[${ri}].ratePercent`, message: 'must be below 10000 with at most 5 decimals' }]
        : [],
    ),
  );
}

/** One jurisdiction as `JURISDICTIONS_JSON_SQL` renders it (dates and rates as text). */
interface JurisdictionJson {
  code: string;
  name: string;
  exemptCategories: string[];
  compound: boolean;
  rates: { ratePercent: string; effectiveFrom: string; effectiveTo: string | null }[];
}

/**
 * SQL expression for the practice's jurisdictions, each with its rates, as one JSON array (`$1` is
 * the tenant id): one statement, so it can ride along with other settings an invoice needs.
 */
export const JURISDICTIONS_JSON_SQL = `coalesce((
  select json_agg(json_build_object(
           'code', j.code, 'name', j.name, 'exemptCategories', to_jsonb(j.exempt_categories), 'compound', j.compound,
           'rates', coalesce((select json_agg(json_build_object('ratePercent', r.rate_percent::text, 'effectiveFrom', r.effective_from::text, 'effectiveTo', r.effective_to::text)
                                        order by r.effective_from)
                                from tax_rates r where r.tenant_id = j.tenant_id and r.jurisdiction_id = j.id), '[]'::json))
           order by j.position, j.code)
    from tax_jurisdictions j where j.tenant_id = $1), '[]'::json)`;

/** The configuration from the value of `JURISDICTIONS_JSON_SQL`. */
export function jurisdictionsFromJson(value: unknown): Jurisdiction[] {
  return (value as JurisdictionJson[]).map((j) => ({
    code: j.code,
    name: j.name,
    rates: j.rates.map((r) => ({ ratePercent: normaliseRate(r.ratePercent), effectiveFrom: r.effectiveFrom, ...(r.effectiveTo ? { effectiveTo: r.effectiveTo } : {}) })),
    exemptCategories: j.exemptCategories,
    compound: j.compound,
  }));
}

export async function readConfiguration(tx: TenantTx): Promise<TaxConfiguration> {
  const res = await tx.query<{ jurisdictions: unknown }>(`select ${JURISDICTIONS_JSON_SQL} as jurisdictions`, [tx.tenantId]);
  return { jurisdictions: jurisdictionsFromJson(res.rows[0]!.jurisdictions) };
}

export async function getTaxConfiguration(ctx: TenantContext): Promise<TaxConfiguration> {
  return ctx.tx(readConfiguration);
}

/** Replaces the whole tax configuration with `config` after validating it. */
export async function replaceTaxConfiguration(ctx: TenantContext, config: TaxConfiguration): Promise<TaxConfiguration> {
  const errors = [...validateJurisdictions(config.jurisdictions), ...storableErrors(config.jurisdictions)];
  if (errors.length) throw validationError(errors);
  return ctx.tx(async (tx) => {
    // Rates go with their jurisdictions (on delete cascade).
    await tx.query('delete from tax_jurisdictions where tenant_id = $1', [tx.tenantId]);
    for (const [position, j] of config.jurisdictions.entries()) {
      const id = uuidv7();
      await tx.query(
        'insert into tax_jurisdictions (tenant_id, id, code, name, exempt_categories, compound, position) values ($1, $2, $3, $4, array(select jsonb_array_elements_text($5::jsonb)), $6, $7)',
        [tx.tenantId, id, j.code, j.name, JSON.stringify(j.exemptCategories), j.compound === true, position],
      );
      for (const r of j.rates) {
        await tx.query(
          'insert into tax_rates (tenant_id, id, jurisdiction_id, rate_percent, effective_from, effective_to) values ($1, $2, $3, $4::numeric, $5, $6)',
          [tx.tenantId, uuidv7(), id, r.ratePercent, r.effectiveFrom, r.effectiveTo ?? null],
        );
      }
    }
    await recordAudit(tx, ctx, {
      action: 'tax_configuration.replace',
      resourceType: 'tax_configuration',
      details: { jurisdictions: config.jurisdictions.map((j) => j.code) },
    });
    return readConfiguration(tx);
  });
}
