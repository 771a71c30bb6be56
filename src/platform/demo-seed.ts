/**
 * Demo data for `npm start` on the embedded database: an operator and two practices (one pooled,
 * one with a dedicated schema), their staff and patients. Runs only when no tenant exists yet.
 */
import type { Database } from '../db/database.ts';
import { asPlatform } from '../tenancy/tenant-db.ts';
import { tenantContext } from '../tenancy/tenant-context.ts';
import { ensureOperator } from './operators.ts';
import { createTenant } from './tenant-provisioning.ts';
import { addStaffMember } from './staff-service.ts';
import { createPatient } from '../domain/patients/patient-service.ts';
import { createLocation } from '../domain/scheduling/config/location-service.ts';
import { createProvider } from '../domain/scheduling/config/provider-service.ts';
import { replaceProviderHours } from '../domain/scheduling/config/provider-hours-service.ts';
import { createResource } from '../domain/scheduling/config/resource-service.ts';
import { createAppointmentType } from '../domain/scheduling/config/appointment-type-service.ts';
import { bookAppointment } from '../domain/scheduling/appointment-service.ts';
import { searchSlots } from '../domain/scheduling/availability.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { DateTime } from 'luxon';
import { seedHistory, seedIntakeForm, seedLookAndPrices, type DemoLook, type DemoPrices, type HistoryInput } from './demo-practice-extras.ts';

export const DEMO_PASSWORD = 'healthtrack-demo';
export const DEMO_OPERATOR = 'operator@healthtrack.local';

interface DemoPractice {
  readonly slug: string;
  readonly name: string;
  readonly tier: 'pooled' | 'schema';
  readonly timeZone: string;
  readonly staff: readonly { email: string; name: string; roles: string[] }[];
  readonly patients: readonly [string, string, string, string][];
  readonly look: DemoLook;
}

export const DEMO_PRACTICES: readonly DemoPractice[] = [
  {
    slug: 'riverside',
    name: 'Riverside Family Clinic',
    tier: 'pooled',
    timeZone: 'America/New_York',
    staff: [
      { email: 'admin@riverside.test', name: 'Rita Alvarez', roles: ['admin'] },
      { email: 'dr.patel@riverside.test', name: 'Dr. Anil Patel', roles: ['provider'] },
      { email: 'desk@riverside.test', name: 'Sam Okafor', roles: ['front_desk'] },
      { email: 'billing@riverside.test', name: 'Jo Becker', roles: ['billing'] },
    ],
    patients: [
      ['Maria', 'Garcia', '1984-03-12', '(212) 555-0142'],
      ['James', 'Smith', '1979-11-02', '(212) 555-0187'],
      ['Aisha', 'Khan', '1992-06-25', '(917) 555-0110'],
      ['Robert', 'Johnson', '1958-01-30', '(646) 555-0199'],
      ['Emily', 'Chen', '2001-09-14', '(718) 555-0123'],
      ['David', 'Williams', '1966-04-08', '(212) 555-0156'],
      ['Sofia', 'Rossi', '1988-12-19', '(917) 555-0171'],
      ['Liam', "O'Brien", '2015-07-03', '(347) 555-0134'],
    ],
    look: {
      slug: 'riverside',
      displayName: 'Riverside Family Clinic',
      tagline: 'Family medicine on Main Street since 1998',
      primaryColor: '#0f5e7a',
      accentColor: '#c2410c',
      address: { line1: '120 Main Street', city: 'New York', region: 'NY', postalCode: '10001', country: 'US' },
      phone: '(212) 555-0100',
      email: 'front.desk@riverside.test',
      website: 'https://riverside.example',
      currency: 'USD',
      taxIds: [{ label: 'EIN', value: '12-3456789' }],
    },
  },
  {
    slug: 'lakeside',
    name: 'Lakeside Physiotherapy',
    tier: 'schema',
    timeZone: 'Europe/Berlin',
    staff: [
      { email: 'admin@lakeside.test', name: 'Greta Vogel', roles: ['admin'] },
      // The same person works at both practices: one identity, two memberships.
      { email: 'dr.patel@riverside.test', name: 'Dr. Anil Patel', roles: ['provider'] },
      { email: 'desk@lakeside.test', name: 'Jonas Weber', roles: ['front_desk'] },
    ],
    patients: [
      ['Lukas', 'Schmidt', '1975-05-21', '+49 30 5550 1234'],
      ['Hannah', 'Müller', '1990-02-11', '+49 30 5550 2345'],
      ['Felix', 'Wagner', '1983-08-30', '+49 30 5550 3456'],
      ['Mia', 'Becker', '1999-10-05', '+49 30 5550 4567'],
      ['Noah', 'Hoffmann', '1969-03-17', '+49 30 5550 5678'],
    ],
    look: {
      slug: 'lakeside',
      displayName: 'Lakeside Physiotherapy',
      tagline: 'Movement is medicine',
      primaryColor: '#2f6b3a',
      accentColor: '#1d4ed8',
      address: { line1: 'Seestraße 12', city: 'Berlin', postalCode: '13353', country: 'DE' },
      phone: '+49 30 5550 1000',
      email: 'praxis@lakeside.test',
      website: 'https://lakeside.example',
      currency: 'EUR',
      taxIds: [{ label: 'USt-IdNr.', value: 'DE123456789' }],
    },
  },
];

/** Seeds the demo when the database has no practices yet; returns whether it did. */
export async function seedDemo(db: Database): Promise<boolean> {
  await ensureOperator(db, { email: DEMO_OPERATOR, password: DEMO_PASSWORD, name: 'Demo Operator' });
  const existing = await asPlatform(db, (tx) => tx.query('select 1 from tenants limit 1'));
  if (existing.rowCount > 0) return false;
  for (const practice of DEMO_PRACTICES) {
    const [admin, ...others] = practice.staff;
    const { tenant } = await createTenant(db, {
      slug: practice.slug,
      name: practice.name,
      tier: practice.tier,
      timeZone: practice.timeZone,
      admin: { email: admin!.email, name: admin!.name, password: DEMO_PASSWORD },
    });
    for (const person of others) await addStaffMember(db, tenant, { ...person, password: DEMO_PASSWORD });
    const ctx = tenantContext(db, { tenant, actor: { kind: 'system', id: null } });
    const patientIds: string[] = [];
    for (const [firstName, lastName, dateOfBirth, phone] of practice.patients) {
      const email = `${firstName.toLowerCase()}.${lastName.toLowerCase().replace(/[^a-z]/g, '')}@example.test`;
      patientIds.push((await createPatient(ctx, { firstName, lastName, dateOfBirth, phone, email })).id);
    }
    const prices = await seedLookAndPrices(ctx, practice.look);
    const schedule = await seedSchedule(ctx, practice, patientIds, prices);
    await seedIntakeForm(ctx);
    await seedHistory(ctx, { timeZone: practice.timeZone, patientIds, ...schedule });
  }
  return true;
}

const WEEKDAYS: Record<string, [string, string][]> = { '1': [['09:00', '17:00']], '2': [['09:00', '17:00']], '3': [['09:00', '17:00']], '4': [['09:00', '17:00']], '5': [['09:00', '13:00']] };

/** A location, two providers with weekday hours, a room, two visit types and a few bookings next week. */
async function seedSchedule(ctx: TenantContext, practice: DemoPractice, patientIds: string[], prices: DemoPrices): Promise<Omit<HistoryInput, 'timeZone' | 'patientIds'>> {
  const location = await createLocation(ctx, {
    name: practice.tier === 'pooled' ? 'Riverside Main Street' : 'Lakeside Studio',
    timeZone: practice.timeZone,
    openingHours: { ...WEEKDAYS, '1': [['08:00', '18:00']], '2': [['08:00', '18:00']], '3': [['08:00', '18:00']], '4': [['08:00', '18:00']], '5': [['08:00', '14:00']] },
  });
  const providerIds: string[] = [];
  for (const [name, color] of [[practice.staff[1]!.name, '#2563eb'], [practice.tier === 'pooled' ? 'Dr. Mei Lin' : 'Tom Richter, PT', '#16a34a']] as const) {
    const provider = await createProvider(ctx, { displayName: name, color });
    await replaceProviderHours(ctx, provider.id, { locationId: location.id, hours: WEEKDAYS });
    providerIds.push(provider.id);
  }
  const room = await createResource(ctx, { locationId: location.id, name: 'Room 1', kind: 'room' });
  const types = [
    await createAppointmentType(ctx, { name: 'New patient visit', durationMinutes: 45, bufferAfterMinutes: 15, color: '#7c3aed', providerIds, resourceIds: [room.id], priceItemCode: prices.newVisit, onlineBooking: true }),
    await createAppointmentType(ctx, { name: 'Follow-up', durationMinutes: 20, color: '#0891b2', providerIds, priceItemCode: prices.followUp, onlineBooking: true }),
  ];
  // Book the first free slots of next week so the calendar has something to show.
  const monday = DateTime.now().setZone(practice.timeZone).startOf('week').plus({ weeks: 1 });
  for (let i = 0; i < Math.min(6, patientIds.length); i++) {
    const type = types[i % 2]!;
    const day = monday.plus({ days: i % 4 }).toISODate()!;
    const slots = await searchSlots(ctx, { typeId: type.id, locationId: location.id, providerId: providerIds[i % 2]!, from: day, to: day });
    const slot = slots.items[Math.min(slots.items.length - 1, 2 + i)];
    if (!slot) continue;
    await bookAppointment(ctx, { patientId: patientIds[i]!, typeId: type.id, providerId: slot.providerId, locationId: location.id, start: slot.start });
  }
  return {
    locationId: location.id,
    providerIds,
    types: [
      { id: types[0]!.id, minutes: 45, priceItemId: prices.itemIds[prices.newVisit]! },
      { id: types[1]!.id, minutes: 20, priceItemId: prices.itemIds[prices.followUp]! },
    ],
  };
}

/** Prints where to sign in with the demo accounts (`webUrl` is the app's address, e.g. http://localhost:3000). */
export function printDemoLogins(webUrl: string): void {
  const u = new URL(webUrl);
  const practiceUrl = (slug: string) => `${u.protocol}//${slug}.${u.host}`;
  console.log(`\nOpen ${webUrl}/login and sign in (password for every demo account: ${DEMO_PASSWORD})`);
  for (const p of DEMO_PRACTICES) {
    console.log(`  ${p.name}: practice "${p.slug}", or its own address ${practiceUrl(p.slug)}`);
    for (const s of p.staff) console.log(`    ${s.email.padEnd(26)} ${s.roles.join(', ')}`);
  }
  console.log(`  Operator console: ${webUrl}/operator   ${DEMO_OPERATOR}`);
  console.log(`  Patients book online at ${webUrl}/p/riverside/book\n`);
}
