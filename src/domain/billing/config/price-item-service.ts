/**
 * The price list. A price change never edits a price: it adds a version from a date and closes the
 * previous open version of the same item and level the day before, so past invoices keep their price.
 */
import { AppError, notFound, validationError } from '../../../errors/catalogue.ts';
import { isUuid } from '../../../db/sql-literal.ts';
import { uuidv7 } from '../../../db/uuid.ts';
import type { TenantContext } from '../../../tenancy/tenant-context.ts';
import type { TenantTx } from '../../../tenancy/tenant-db.ts';
import { recordAudit } from '../../audit/audit-log.ts';
import { checkCurrency, practiceCurrency } from './billing-settings-service.ts';
import type { PriceAdd, PriceItem, PriceItemCreate, PriceItemDetail, PriceItemListEntry, PriceItemQuery, PriceItemUpdate, PriceVersion } from './price-item-schemas.ts';
import { assignments, sentFields } from '../../patch.ts';

const COLUMNS = 'id, code, description, category, kind, active, created_at';
// Dates as text (no time-zone shift through JS Date) and bigint as text (drivers differ on bigint).
const VERSION_COLUMNS = `id, price_level, unit_price::text as unit_price, currency, effective_from::text as effective_from, effective_to::text as effective_to`;

interface Row {
  id: string;
  code: string;
  description: string;
  category: string;
  kind: PriceItem['kind'];
  active: boolean;
  created_at: Date;
}

interface VersionRow {
  id: string;
  price_level: string;
  unit_price: string;
  currency: string;
  effective_from: string;
  effective_to: string | null;
}

const toItem = (r: Row): PriceItem => ({
  id: r.id,
  code: r.code,
  description: r.description,
  category: r.category,
  kind: r.kind,
  active: r.active,
  createdAt: new Date(r.created_at).toISOString(),
});

const toVersion = (r: VersionRow): PriceVersion => ({
  id: r.id,
  priceLevel: r.price_level,
  unitPrice: Number(r.unit_price),
  currency: r.currency,
  effectiveFrom: r.effective_from,
  effectiveTo: r.effective_to,
});

export async function createPriceItem(ctx: TenantContext, input: PriceItemCreate): Promise<PriceItem> {
  return ctx.tx(async (tx) => {
    const taken = await tx.query('select 1 from price_items where tenant_id = $1 and code = $2', [tx.tenantId, input.code]);
    if (taken.rows[0]) throw new AppError('already_exists', `A price item with code ${input.code} already exists`, { errors: [{ field: 'code', message: 'is already used' }] });
    const res = await tx.query<Row>(
      `insert into price_items (tenant_id, id, code, description, category, kind, active) values ($1, $2, $3, $4, $5, $6, $7) returning ${COLUMNS}`,
      [tx.tenantId, uuidv7(), input.code, input.description.trim(), input.category, input.kind, input.active ?? true],
    );
    const item = toItem(res.rows[0]!);
    await recordAudit(tx, ctx, { action: 'price_item.create', resourceType: 'price_item', resourceId: item.id, details: { code: item.code } });
    return item;
  });
}

/**
 * Every item by code; with `asOf`, each carries the price of `priceLevel` (default standard) in
 * force that day, or null.
 */
export async function listPriceItems(ctx: TenantContext, q: PriceItemQuery = {}): Promise<PriceItemListEntry[]> {
  const items = await ctx.statement<Row>(
    `select ${COLUMNS} from price_items where tenant_id = $1 and ($2::boolean is null or active = $2) order by code, id`,
    [ctx.tenant.id, q.active ?? null],
  );
  if (q.asOf === undefined) return items.rows.map(toItem);
  const prices = await ctx.statement<VersionRow & { item_id: string }>(
    `select item_id, ${VERSION_COLUMNS} from price_item_versions
     where tenant_id = $1 and price_level = $2 and effective_from <= $3::date and (effective_to is null or effective_to >= $3::date)`,
    [ctx.tenant.id, q.priceLevel ?? 'standard', q.asOf],
  );
  const byItem = new Map(prices.rows.map((r) => [r.item_id, r]));
  return items.rows.map((r) => {
    const v = byItem.get(r.id);
    return { ...toItem(r), price: v ? { unitPrice: Number(v.unit_price), currency: v.currency, effectiveFrom: v.effective_from } : null };
  });
}

async function detail(tx: TenantTx, item: Row): Promise<PriceItemDetail> {
  const versions = await tx.query<VersionRow>(
    `select ${VERSION_COLUMNS} from price_item_versions where tenant_id = $1 and item_id = $2 order by price_level, effective_from`,
    [tx.tenantId, item.id],
  );
  return { ...toItem(item), versions: versions.rows.map(toVersion) };
}

/** One item with every price version. */
export async function getPriceItem(ctx: TenantContext, id: string): Promise<PriceItemDetail> {
  if (!isUuid(id)) throw notFound('price item');
  return ctx.tx(async (tx) => {
    const res = await tx.query<Row>(`select ${COLUMNS} from price_items where tenant_id = $1 and id = $2`, [tx.tenantId, id]);
    if (!res.rows[0]) throw notFound('price item');
    return detail(tx, res.rows[0]);
  });
}

const UPDATE_COLUMNS: Record<keyof PriceItemUpdate, string> = { description: 'description', category: 'category', active: 'active' };

export async function updatePriceItem(ctx: TenantContext, id: string, patch: PriceItemUpdate): Promise<PriceItemDetail> {
  if (!isUuid(id)) throw notFound('price item');
  const entries = sentFields(patch);
  return ctx.tx(async (tx) => {
    const params: unknown[] = [tx.tenantId, id];
    const set = assignments(entries, UPDATE_COLUMNS, params, (_key, value) => (typeof value === 'string' ? value.trim() : value));
    const res = await tx.query<Row>(`update price_items set ${set} where tenant_id = $1 and id = $2 returning ${COLUMNS}`, params);
    if (!res.rows[0]) throw notFound('price item');
    await recordAudit(tx, ctx, { action: 'price_item.update', resourceType: 'price_item', resourceId: id, details: { fields: entries.map(([k]) => k) } });
    return detail(tx, res.rows[0]);
  });
}

/**
 * Adds a price from `effectiveFrom` and closes the open version of the same level the day before.
 * Only forward changes: a date on or before the latest version's start is refused (history is fixed).
 */
export async function addPrice(ctx: TenantContext, id: string, input: PriceAdd): Promise<PriceItemDetail> {
  if (!isUuid(id)) throw notFound('price item');
  const currencyErrors = checkCurrency('currency', input.currency);
  if (currencyErrors.length) throw validationError(currencyErrors);
  const level = input.priceLevel ?? 'standard';
  return ctx.tx(async (tx) => {
    // The row lock serialises concurrent price changes of one item.
    const item = await tx.query<Row>(`select ${COLUMNS} from price_items where tenant_id = $1 and id = $2 for update`, [tx.tenantId, id]);
    if (!item.rows[0]) throw notFound('price item');
    const latest = await tx.query<{ effective_from: string }>(
      `select effective_from::text as effective_from from price_item_versions where tenant_id = $1 and item_id = $2 and price_level = $3
       order by effective_from desc limit 1`,
      [tx.tenantId, id, level],
    );
    const last = latest.rows[0]?.effective_from;
    if (last !== undefined && input.effectiveFrom <= last) {
      throw validationError([{ field: 'effectiveFrom', message: `must be after ${last}, the start of the latest ${level} price` }]);
    }
    const currency = input.currency ?? (await practiceCurrency(tx));
    await tx.query(
      `update price_item_versions set effective_to = $4::date - 1
       where tenant_id = $1 and item_id = $2 and price_level = $3 and effective_to is null`,
      [tx.tenantId, id, level, input.effectiveFrom],
    );
    const versionId = uuidv7();
    await tx.query(
      `insert into price_item_versions (tenant_id, id, item_id, price_level, unit_price, currency, effective_from) values ($1, $2, $3, $4, $5, $6, $7)`,
      [tx.tenantId, versionId, id, level, String(input.unitPrice), currency, input.effectiveFrom],
    );
    await recordAudit(tx, ctx, {
      action: 'price_item.price_add',
      resourceType: 'price_item',
      resourceId: id,
      details: { versionId, priceLevel: level, unitPrice: input.unitPrice, currency, effectiveFrom: input.effectiveFrom },
    });
    return detail(tx, item.rows[0]);
  });
}
