/** Billing configuration: /api/billing/settings, /api/price-items (dated prices), /api/tax/jurisdictions. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { BillingSettings, BillingSettingsInput } from '../../domain/billing/config/billing-settings-schemas.ts';
import { getBillingSettings, replaceBillingSettings } from '../../domain/billing/config/billing-settings-service.ts';
import { PriceAdd, PriceItem, PriceItemCreate, PriceItemDetail, PriceItemListEntry, PriceItemQuery, PriceItemUpdate } from '../../domain/billing/config/price-item-schemas.ts';
import { addPrice, createPriceItem, getPriceItem, listPriceItems, updatePriceItem } from '../../domain/billing/config/price-item-service.ts';
import { TaxConfiguration } from '../../domain/billing/config/tax-config-schemas.ts';
import { getTaxConfiguration, replaceTaxConfiguration } from '../../domain/billing/config/tax-config-service.ts';
import { IdParams, problems } from '../schemas.ts';

const tags = ['Billing configuration'];

export async function billingConfigRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/billing/settings', {
    config: { permission: 'billing:read' },
    schema: { tags, summary: "The practice's billing settings", description: 'Defaults until saved (`updatedAt` null). Needs `billing:read`.', response: { 200: BillingSettings, ...problems(401, 403) } },
  }, async (request) => getBillingSettings(request.ctx));

  r.put('/billing/settings', {
    config: { permission: 'settings:manage' },
    schema: {
      tags,
      summary: "Replace the practice's billing settings",
      description: '`currency` must have known minor units; `invoiceNumberFormat` must contain `{SEQ}` or `{SEQ:n}`. Needs `settings:manage`.',
      body: BillingSettingsInput,
      response: { 200: BillingSettings, ...problems(400, 401, 403) },
    },
  }, async (request) => replaceBillingSettings(request.ctx, request.body));

  r.get('/price-items', {
    config: { permission: 'billing:read' },
    schema: {
      tags,
      summary: 'List price items',
      description: 'Ordered by code. With `asOf` (YYYY-MM-DD) each item carries `price`, the price of `priceLevel` (default `standard`) in force that day, or null. Needs `billing:read`.',
      querystring: PriceItemQuery,
      response: { 200: Type.Object({ items: Type.Array(PriceItemListEntry) }), ...problems(400, 401, 403) },
    },
  }, async (request) => ({ items: await listPriceItems(request.ctx, request.query) }));

  r.post('/price-items', {
    config: { permission: 'settings:manage' },
    schema: { tags, summary: 'Create a price item', description: 'A second item with the same `code` answers 409 `already_exists`. Needs `settings:manage`.', body: PriceItemCreate, response: { 201: PriceItem, ...problems(400, 401, 403, 409) } },
  }, async (request, reply) => reply.code(201).send(await createPriceItem(request.ctx, request.body)));

  r.get('/price-items/:id', {
    config: { permission: 'billing:read' },
    schema: { tags, summary: 'A price item with every price version', params: IdParams, response: { 200: PriceItemDetail, ...problems(401, 403, 404) } },
  }, async (request) => getPriceItem(request.ctx, request.params.id));

  r.patch('/price-items/:id', {
    config: { permission: 'settings:manage' },
    schema: { tags, summary: 'Update a price item', description: 'Code and kind are fixed. Needs `settings:manage`.', params: IdParams, body: PriceItemUpdate, response: { 200: PriceItemDetail, ...problems(400, 401, 403, 404) } },
  }, async (request) => updatePriceItem(request.ctx, request.params.id, request.body));

  r.post('/price-items/:id/prices', {
    config: { permission: 'settings:manage' },
    schema: {
      tags,
      summary: 'Add a price from a date',
      description:
        'Closes the open price of the same level the day before `effectiveFrom`. `effectiveFrom` must be after the latest price of that level (else 400 naming `effectiveFrom`). Needs `settings:manage`.',
      params: IdParams,
      body: PriceAdd,
      response: { 201: PriceItemDetail, ...problems(400, 401, 403, 404) },
    },
  }, async (request, reply) => reply.code(201).send(await addPrice(request.ctx, request.params.id, request.body)));

  r.get('/tax/jurisdictions', {
    config: { permission: 'billing:read' },
    schema: { tags, summary: "The practice's tax jurisdictions and rates", description: 'Rates are exact decimal strings without trailing zeros. Needs `billing:read`.', response: { 200: TaxConfiguration, ...problems(401, 403) } },
  }, async (request) => getTaxConfiguration(request.ctx));

  r.put('/tax/jurisdictions', {
    config: { permission: 'settings:manage' },
    schema: {
      tags,
      summary: 'Replace the whole tax configuration',
      description:
        'Jurisdictions in order (a compound tax includes those before it); codes unique; rates per jurisdiction must not overlap; `ratePercent` below 10000 with at most 5 decimals. Needs `settings:manage`.',
      body: TaxConfiguration,
      response: { 200: TaxConfiguration, ...problems(400, 401, 403) },
    },
  }, async (request) => replaceTaxConfiguration(request.ctx, request.body));
}
