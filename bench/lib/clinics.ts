/**
 * Benchmark practices: created through the real provisioning code (`createTenant`), each with a
 * little of everything a clinic day touches — a location, a provider with hours every day, a
 * visit type with a priced item, and patients — written through the same use cases as the API.
 */
import { randomBytes } from 'node:crypto';
import type { Services } from '../../src/services.ts';
import { createTenant } from '../../src/platform/tenant-provisioning.ts';
import { tenantContext } from '../../src/tenancy/tenant-context.ts';
import { signAccessToken } from '../../src/identity/access-tokens.ts';
import { createPatient } from '../../src/domain/patients/patient-service.ts';
import { createLocation } from '../../src/domain/scheduling/config/location-service.ts';
import { createProvider } from '../../src/domain/scheduling/config/provider-service.ts';
import { replaceProviderHours } from '../../src/domain/scheduling/config/provider-hours-service.ts';
import { createAppointmentType } from '../../src/domain/scheduling/config/appointment-type-service.ts';
import { addPrice, createPriceItem } from '../../src/domain/billing/config/price-item-service.ts';

/** What a simulated user of one practice needs to know (sent to the load worker). */
export interface BenchClinic {
  readonly slug: string;
  readonly token: string;
  readonly locationId: string;
  readonly providerId: string;
  readonly typeId: string;
  readonly priceItemId: string;
  readonly patientIds: readonly string[];
  /** Last-name prefixes that match patients, for searches. */
  readonly searchTerms: readonly string[];
}

const EVERY_DAY = Object.fromEntries(['1', '2', '3', '4', '5', '6', '7'].map((d) => [d, [['08:00', '18:00']] as [string, string][]]));
const LAST_NAMES = ['Garcia', 'Smith', 'Khan', 'Johnson', 'Chen', 'Williams', 'Rossi', 'Obrien', 'Nguyen', 'Muller'];

/** Creates one pooled practice with `patients` patients; its admin's access token lasts `ttlSeconds`. */
export async function createBenchClinic(services: Services, patients: number, ttlSeconds = 3600): Promise<BenchClinic> {
  const slug = `bench-${randomBytes(5).toString('hex')}`;
  const { tenant, admin } = await createTenant(services.db, {
    slug,
    name: `Bench ${slug}`,
    tier: 'pooled',
    timeZone: 'Europe/Berlin',
    currency: 'EUR',
    admin: { email: `admin@${slug}.test`, password: 'bench-password-1', name: 'Bench Admin' },
  });
  const ctx = tenantContext(services.db, { tenant, actor: { kind: 'system', id: null } });
  const location = await createLocation(ctx, { name: 'Main', timeZone: 'Europe/Berlin', openingHours: EVERY_DAY });
  const provider = await createProvider(ctx, { displayName: 'Dr. Bench', color: '#2563eb' });
  await replaceProviderHours(ctx, provider.id, { locationId: location.id, hours: EVERY_DAY });
  const item = await createPriceItem(ctx, { code: 'VISIT', description: 'Visit', category: 'medical_service', kind: 'service' });
  await addPrice(ctx, item.id, { unitPrice: 6000, effectiveFrom: '2020-01-01' });
  const type = await createAppointmentType(ctx, { name: 'Visit', durationMinutes: 20, color: '#0891b2', providerIds: [provider.id], priceItemCode: 'VISIT' });
  const patientIds: string[] = [];
  for (let i = 0; i < patients; i++) {
    const lastName = LAST_NAMES[i % LAST_NAMES.length]!;
    patientIds.push((await createPatient(ctx, { firstName: `P${i}`, lastName, dateOfBirth: '1980-01-01' })).id);
  }
  const token = await signAccessToken(services.keys, { aud: 'tenant', sub: admin.id, tid: tenant.id, roles: ['admin'] }, ttlSeconds);
  return {
    slug,
    token,
    locationId: location.id,
    providerId: provider.id,
    typeId: type.id,
    priceItemId: item.id,
    patientIds,
    searchTerms: LAST_NAMES.slice(0, Math.max(1, Math.min(patients, LAST_NAMES.length))).map((n) => n.slice(0, 3)),
  };
}

/** Creates `count` practices, `concurrency` at a time, reporting progress on stderr for long runs. */
export async function createBenchClinics(services: Services, count: number, patients: number, concurrency = 4): Promise<BenchClinic[]> {
  const clinics: BenchClinic[] = [];
  let next = 0;
  const started = Date.now();
  async function lane(): Promise<void> {
    while (next < count) {
      next++;
      clinics.push(await createBenchClinic(services, patients));
      if (clinics.length % 100 === 0) process.stderr.write(`  … ${clinics.length}/${count} practices (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return clinics;
}
