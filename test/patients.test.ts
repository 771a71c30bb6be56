/**
 * Patients over the real HTTP stack and database: create, read, update (If-Match), archive and
 * restore, search and cursor pagination, validation, MRN allocation under concurrency, per-role
 * permissions and the audit trail written in the same transaction.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { startTestApp, PASSWORD, type TestApp, type TestTenant } from './support/harness.ts';
import { addStaffMember } from '../src/platform/staff-service.ts';
import { tenantContext } from '../src/tenancy/tenant-context.ts';
import { recordAudit } from '../src/domain/audit/audit-log.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

type Body = Record<string, unknown>;

function create(tenant: TestTenant, body: Body, token = tenant.adminToken): Promise<LightMyRequestResponse> {
  return t.api(tenant, token, { method: 'POST', url: '/api/patients', payload: body });
}

async function createOk(tenant: TestTenant, body: Body): Promise<Body & { id: string; mrn: string; version: number }> {
  const res = await create(tenant, body);
  assert.equal(res.statusCode, 201, res.body);
  return res.json();
}

function search(tenant: TestTenant, query: Record<string, string>, token = tenant.adminToken): Promise<LightMyRequestResponse> {
  return t.api(tenant, token, { method: 'GET', url: '/api/patients', query });
}

async function searchIds(tenant: TestTenant, query: Record<string, string>): Promise<string[]> {
  const res = await search(tenant, query);
  assert.equal(res.statusCode, 200, res.body);
  return res.json().items.map((p: { id: string }) => p.id);
}

function patch(tenant: TestTenant, id: string, body: Body, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return t.api(tenant, tenant.adminToken, { method: 'PATCH', url: `/api/patients/${id}`, payload: body, headers });
}

function assertProblem(res: LightMyRequestResponse, status: number, code: string): Body {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const body = res.json();
  assert.equal(body.code, code, res.body);
  assert.equal(body.status, status);
  return body;
}

function assertFieldErrors(res: LightMyRequestResponse, fields: string[]): void {
  const body = assertProblem(res, 400, 'validation_failed');
  const named = (body.errors as { field: string }[]).map((e) => e.field);
  for (const field of fields) assert.ok(named.includes(field), `expected an error naming "${field}", got ${JSON.stringify(named)}`);
}

async function auditEvents(tenant: TestTenant, query: Record<string, string>): Promise<Body[]> {
  const res = await t.api(tenant, tenant.adminToken, { method: 'GET', url: '/api/audit-events', query: { limit: '200', ...query } });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().items;
}

const mrn = (n: number) => `MRN-${String(n).padStart(6, '0')}`;

describe('create and read', () => {
  test('POST answers 201 with Location, ETag and consecutive MRNs; GET returns the same patient', async () => {
    const tenant = await t.createTenant();
    const res = await create(tenant, {
      firstName: '  Ada ',
      lastName: 'Lovelace',
      dateOfBirth: '1990-12-10',
      sex: 'female',
      phone: '(212) 555-0142',
      email: 'Ada@Example.COM',
      address: { line1: '1 Analytical Way', city: 'London', country: 'GB' },
    });
    assert.equal(res.statusCode, 201, res.body);
    const p = res.json();
    assert.match(p.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(res.headers.location, `/api/patients/${p.id}`);
    assert.equal(res.headers.etag, '"1"');
    assert.equal(p.mrn, 'MRN-000001');
    assert.equal(p.firstName, 'Ada', 'names are trimmed');
    assert.equal(p.email, 'ada@example.com', 'email is lower-cased');
    assert.equal(p.status, 'active');
    assert.equal(p.version, 1);
    assert.equal(p.archivedAt, null);
    assert.deepEqual(p.address, { line1: '1 Analytical Way', city: 'London', country: 'GB' });

    const second = await createOk(tenant, { firstName: 'Charles', lastName: 'Babbage', dateOfBirth: '1971-12-26' });
    assert.equal(second.mrn, 'MRN-000002');
    const third = await createOk(tenant, { firstName: 'Mary', lastName: 'Somerville', dateOfBirth: '1980-12-26' });
    assert.equal(third.mrn, 'MRN-000003');

    const got = await t.api(tenant, tenant.adminToken, { method: 'GET', url: res.headers.location as string });
    assert.equal(got.statusCode, 200, got.body);
    assert.equal(got.headers.etag, '"1"');
    assert.deepEqual(got.json(), p);
  });

  test('an unknown or malformed id answers 404 not_found', async () => {
    const tenant = await t.createTenant();
    assertProblem(await t.api(tenant, tenant.adminToken, { method: 'GET', url: '/api/patients/0190b6a0-0000-7000-8000-000000000000' }), 404, 'not_found');
    assertProblem(await t.api(tenant, tenant.adminToken, { method: 'GET', url: '/api/patients/not-a-uuid' }), 404, 'not_found');
  });
});

describe('update', () => {
  test('PATCH changes only the fields sent, null clears an optional field, version and ETag advance', async () => {
    const tenant = await t.createTenant();
    const p = await createOk(tenant, {
      firstName: 'Grace',
      lastName: 'Hopper',
      dateOfBirth: '1986-12-09',
      phone: '+1 212 555 0100',
      email: 'grace@example.com',
      preferredName: 'Amazing',
      sex: 'female',
      address: { line1: '1 Navy Yard', city: 'Arlington', region: 'VA', country: 'US' },
    });

    const r1 = await patch(tenant, p.id, { preferredName: 'Admiral' });
    assert.equal(r1.statusCode, 200, r1.body);
    const v2 = r1.json();
    assert.equal(v2.preferredName, 'Admiral');
    assert.equal(v2.version, 2);
    assert.equal(r1.headers.etag, '"2"');
    for (const key of ['firstName', 'lastName', 'dateOfBirth', 'sex', 'phone', 'email', 'address', 'mrn', 'createdAt'] as const) {
      assert.deepEqual(v2[key], p[key], `${key} must not change`);
    }

    const r2 = await patch(tenant, p.id, { phone: null, email: null });
    assert.equal(r2.statusCode, 200, r2.body);
    const v3 = r2.json();
    assert.equal(v3.phone, null);
    assert.equal(v3.email, null);
    assert.equal(v3.preferredName, 'Admiral');
    assert.equal(v3.version, 3);

    // The cleared phone no longer matches a phone search.
    assert.deepEqual(await searchIds(tenant, { phone: '5550100' }), []);

    const r3 = await patch(tenant, p.id, { preferredName: null, sex: null, address: null });
    assert.equal(r3.statusCode, 200, r3.body);
    assert.equal(r3.json().preferredName, null, 'null clears, it does not store an empty string');
    assert.equal(r3.json().sex, null);
    assert.equal(r3.json().address, null);
    assert.equal(r3.json().version, 4);

    const stale = await patch(tenant, p.id, { firstName: 'Amazing Grace' }, { 'if-match': '"2"' });
    assertProblem(stale, 412, 'precondition_failed');
    const unchanged = await t.api(tenant, tenant.adminToken, { method: 'GET', url: `/api/patients/${p.id}` });
    assert.equal(unchanged.json().firstName, 'Grace');
    assert.equal(unchanged.json().version, 4);

    const ok = await patch(tenant, p.id, { firstName: 'Amazing Grace' }, { 'if-match': unchanged.headers.etag as string });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().firstName, 'Amazing Grace');
    assert.equal(ok.json().version, 5);
    assert.equal(ok.headers.etag, '"5"');

    assertFieldErrors(await patch(tenant, p.id, {}), ['(body)']);
    assertFieldErrors(await patch(tenant, p.id, { firstName: 'X' }, { 'if-match': 'yesterday' }), ['If-Match']);
  });
});

describe('archive and restore', () => {
  test('archived patients leave the default search, stay visible with status archived/all, and cannot be edited', async () => {
    const tenant = await t.createTenant();
    const keep = await createOk(tenant, { firstName: 'Keep', lastName: 'Active', dateOfBirth: '1970-01-01' });
    const p = await createOk(tenant, { firstName: 'Arch', lastName: 'Ived', dateOfBirth: '1970-01-02' });

    const archived = await t.api(tenant, tenant.adminToken, { method: 'POST', url: `/api/patients/${p.id}/archive` });
    assert.equal(archived.statusCode, 200, archived.body);
    assert.equal(archived.json().status, 'archived');
    assert.notEqual(archived.json().archivedAt, null);
    assert.equal(archived.json().version, 2);

    assert.deepEqual(await searchIds(tenant, {}), [keep.id]);
    assert.deepEqual(await searchIds(tenant, { status: 'active' }), [keep.id]);
    assert.deepEqual(await searchIds(tenant, { status: 'archived' }), [p.id]);
    assert.deepEqual((await searchIds(tenant, { status: 'all' })).sort(), [keep.id, p.id].sort());
    assert.deepEqual(await searchIds(tenant, { q: 'ived' }), []);
    assert.deepEqual(await searchIds(tenant, { q: 'ived', status: 'all' }), [p.id]);

    // Still readable by id while archived.
    const read = await t.api(tenant, tenant.adminToken, { method: 'GET', url: `/api/patients/${p.id}` });
    assert.equal(read.statusCode, 200);
    assert.equal(read.json().status, 'archived');

    assertProblem(await patch(tenant, p.id, { firstName: 'Changed' }), 409, 'patient_archived');

    const restored = await t.api(tenant, tenant.adminToken, { method: 'POST', url: `/api/patients/${p.id}/restore` });
    assert.equal(restored.statusCode, 200, restored.body);
    assert.equal(restored.json().status, 'active');
    assert.equal(restored.json().archivedAt, null);
    assert.deepEqual((await searchIds(tenant, {})).sort(), [keep.id, p.id].sort());
    const edited = await patch(tenant, p.id, { firstName: 'Changed' });
    assert.equal(edited.statusCode, 200, edited.body);
    assert.equal(edited.json().firstName, 'Changed');
  });
});

describe('search', () => {
  let tenant: TestTenant;
  const ids: Record<string, string> = {};
  before(async () => {
    tenant = await t.createTenant();
    const people: [string, string, string, string, string | null][] = [
      ['garcia', 'Maria', 'Garcia', '1984-03-12', '(212) 555-0142'],
      ['gartner', 'Mario', 'Gartner', '1979-11-02', '+1 646 555 0199'],
      ['smith', 'James', 'Smith', '1984-03-12', null],
      ['mariano', 'Gary', 'Mariano', '1990-01-01', '917.555.0110'],
    ];
    for (const [key, firstName, lastName, dateOfBirth, phone] of people) {
      ids[key] = (await createOk(tenant, { firstName, lastName, dateOfBirth, ...(phone ? { phone } : {}) })).id;
    }
  });

  test('name prefixes match first or last name, in any order and case, with all tokens required', async () => {
    assert.deepEqual(await searchIds(tenant, { q: 'gar' }), [ids.garcia, ids.gartner, ids.mariano]);
    assert.deepEqual(await searchIds(tenant, { q: 'GARCIA' }), [ids.garcia]);
    assert.deepEqual(await searchIds(tenant, { q: 'maria garc' }), [ids.garcia]);
    assert.deepEqual(await searchIds(tenant, { q: 'Garcia, Maria' }), [ids.garcia]);
    assert.deepEqual(await searchIds(tenant, { q: 'mar gar' }), [ids.garcia, ids.gartner, ids.mariano]);
    assert.deepEqual(await searchIds(tenant, { q: 'sMiTh' }), [ids.smith]);
    assert.deepEqual(await searchIds(tenant, { q: 'ith' }), [], 'only prefixes match');
    assert.deepEqual(await searchIds(tenant, { q: '%' }), [], 'LIKE metacharacters match literally');
    assert.deepEqual(await searchIds(tenant, { q: 'mrn-000003' }), [ids.smith], 'an MRN matches exactly');
  });

  test('date of birth and phone trailing digits in another notation', async () => {
    assert.deepEqual(await searchIds(tenant, { dateOfBirth: '1984-03-12' }), [ids.garcia, ids.smith]);
    assert.deepEqual(await searchIds(tenant, { dateOfBirth: '1984-03-12', q: 'smi' }), [ids.smith]);
    assert.deepEqual(await searchIds(tenant, { phone: '555 0142' }), [ids.garcia]);
    assert.deepEqual(await searchIds(tenant, { phone: '2125550142' }), [ids.garcia]);
    assert.deepEqual(await searchIds(tenant, { phone: '(646) 555-0199' }), [ids.gartner]);
    assert.deepEqual(await searchIds(tenant, { phone: '0110' }), [ids.mariano]);
    assert.deepEqual(await searchIds(tenant, { phone: '9999' }), []);
  });

  test('a phone filter with fewer than 4 digits is refused naming the field', async () => {
    assertFieldErrors(await search(tenant, { phone: '1-2' }), ['phone']);
    assertFieldErrors(await search(tenant, { phone: 'abc' }), ['phone']);
  });

  test('bad query parameters are refused naming the field', async () => {
    assertFieldErrors(await search(tenant, { dateOfBirth: 'yesterday' }), ['dateOfBirth']);
    assertFieldErrors(await search(tenant, { limit: '0' }), ['limit']);
    assertFieldErrors(await search(tenant, { status: 'deleted' }), ['status']);
    assertFieldErrors(await search(tenant, { colour: 'red' }), ['colour']);
  });
});

describe('cursor pagination', () => {
  test('limit 7 over 30 patients returns each once, in (lastName, firstName) order, ending with a null cursor', async () => {
    const tenant = await t.createTenant();
    const lasts = ['Zimmer', 'adams', 'Baker', 'baker', 'Clark', 'Evans', 'Young', 'Morris', 'Nash', 'Owens'];
    const firsts = ['Anna', 'bob', 'Cara'];
    const created: { id: string; firstName: string; lastName: string }[] = [];
    for (let i = 0; i < 30; i++) {
      // Two exact name duplicates make the id tiebreaker matter.
      const lastName = i >= 28 ? 'Nash' : lasts[i % lasts.length]!;
      const firstName = i >= 28 ? 'Cara' : firsts[Math.floor(i / lasts.length)]!;
      created.push((await createOk(tenant, { firstName, lastName, dateOfBirth: '1990-01-01' })) as never);
    }
    const expected = [...created]
      .sort((a, b) => {
        const k = (p: typeof a) => [p.lastName.toLowerCase(), p.firstName.toLowerCase(), p.id] as const;
        const [x, y] = [k(a), k(b)];
        for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
        return 0;
      })
      .map((p) => p.id);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await search(tenant, { limit: '7', ...(cursor ? { cursor } : {}) });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      pages++;
      assert.ok(body.items.length <= 7);
      seen.push(...body.items.map((p: { id: string }) => p.id));
      cursor = body.nextCursor;
      assert.ok(pages <= 10, 'pagination must terminate');
    } while (cursor);
    assert.equal(pages, 5);
    assert.equal(new Set(seen).size, 30);
    assert.deepEqual(seen, expected);

    // An exact multiple of the page size still ends with a null cursor, without an empty page.
    const firstPage = (await search(tenant, { limit: '15' })).json();
    const secondPage = (await search(tenant, { limit: '15', cursor: firstPage.nextCursor })).json();
    assert.equal(secondPage.items.length, 15);
    assert.equal(secondPage.nextCursor, null);
  });

  test('a tampered cursor answers 400 invalid_cursor', async () => {
    const tenant = await t.createTenant();
    for (let i = 0; i < 3; i++) await createOk(tenant, { firstName: `Ann${'a'.repeat(i)}`, lastName: 'Cursor', dateOfBirth: '1990-01-01' });
    const page = (await search(tenant, { limit: '1' })).json();
    assert.equal(typeof page.nextCursor, 'string');
    const tampered = [
      page.nextCursor.slice(0, -3) + '!!!',
      'not-a-cursor',
      Buffer.from(JSON.stringify(['cursor', 'ann'])).toString('base64url'),
      Buffer.from(JSON.stringify(['cursor', 'ann', 'not-a-uuid'])).toString('base64url'),
      Buffer.from(JSON.stringify(['cursor', 'ann', 42])).toString('base64url'),
      Buffer.from('{"a":1}').toString('base64url'),
    ];
    for (const cursor of tampered) {
      assertProblem(await search(tenant, { limit: '1', cursor }), 400, 'invalid_cursor');
    }
  });
});

describe('validation', () => {
  let tenant: TestTenant;
  before(async () => {
    tenant = await t.createTenant();
  });
  const valid = { firstName: 'Val', lastName: 'Idation', dateOfBirth: '1990-02-03' };
  const tomorrow = () => new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);

  test('missing names', async () => {
    assertFieldErrors(await create(tenant, { dateOfBirth: '1990-02-03' }), ['firstName', 'lastName']);
    assertFieldErrors(await create(tenant, { ...valid, firstName: '   ' }), ['firstName']);
  });

  test('a future date of birth', async () => {
    assertFieldErrors(await create(tenant, { ...valid, dateOfBirth: tomorrow() }), ['dateOfBirth']);
  });

  test('a date that does not exist', async () => {
    assertFieldErrors(await create(tenant, { ...valid, dateOfBirth: '1990-02-30' }), ['dateOfBirth']);
    assertFieldErrors(await create(tenant, { ...valid, dateOfBirth: '03/02/1990' }), ['dateOfBirth']);
  });

  test('an unknown field', async () => {
    assertFieldErrors(await create(tenant, { ...valid, favouriteColour: 'teal' }), ['favouriteColour']);
    assertFieldErrors(await create(tenant, { ...valid, address: { line1: 'x', city: 'y', country: 'US', floor: 3 } }), ['address.floor']);
  });

  test('a bad email and phone', async () => {
    assertFieldErrors(await create(tenant, { ...valid, email: 'not-an-email' }), ['email']);
    assertFieldErrors(await create(tenant, { ...valid, phone: '12345' }), ['phone']);
  });

  test('a bad value for a field that also takes null gets one message, the real one', async () => {
    // Its own practice: the test below expects this one to stay without patients.
    const own = await t.createTenant();
    const created = await createOk(own, valid);
    const res = await patch(own, created.id, { email: 'nope' });
    const body = assertProblem(res, 400, 'validation_failed');
    const errors = body.errors as { field: string; message: string }[];
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.equal(errors[0]!.field, 'email');
    assert.doesNotMatch(errors[0]!.message, /null|anyOf/);
  });

  test('several bad fields are all named at once, and nothing was created', async () => {
    assertFieldErrors(await create(tenant, { lastName: 'X', dateOfBirth: '1990-02-30', email: 'nope' }), ['firstName', 'dateOfBirth', 'email']);
    assertFieldErrors(await patch(tenant, '0190b6a0-0000-7000-8000-000000000000', { dateOfBirth: tomorrow() }), ['dateOfBirth']);
    assert.deepEqual(await searchIds(tenant, { status: 'all' }), []);
    // The next successful create still gets the first MRN: refused requests consume no number.
    assert.equal((await createOk(tenant, valid)).mrn, 'MRN-000001');
  });
});

describe('MRN allocation under concurrency', () => {
  for (const tier of ['pooled', 'schema'] as const) {
    test(`50 concurrent creates in a ${tier} tenant get exactly MRN-000001..MRN-000050`, async () => {
      const tenant = await t.createTenant(tier);
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) => create(tenant, { firstName: `Con${i}`, lastName: 'Current', dateOfBirth: '1990-01-01' })),
      );
      for (const res of responses) assert.equal(res.statusCode, 201, res.body);
      const mrns = responses.map((r) => r.json().mrn as string).sort();
      assert.equal(new Set(mrns).size, 50);
      assert.deepEqual(mrns, Array.from({ length: 50 }, (_, i) => mrn(i + 1)));
      assert.equal(new Set(responses.map((r) => r.json().id)).size, 50);
      const next = await createOk(tenant, { firstName: 'After', lastName: 'Wards', dateOfBirth: '1990-01-01' });
      assert.equal(next.mrn, mrn(51));
    });
  }
});

describe('permissions per built-in role', () => {
  let tenant: TestTenant;
  const tokens: Record<string, string> = {};
  let patientId: string;

  before(async () => {
    tenant = await t.createTenant();
    const ref = await t.services.tenants.bySlug(tenant.slug);
    assert.ok(ref);
    for (const role of ['billing', 'front_desk', 'provider']) {
      const email = `${role}@${tenant.slug}.test`;
      await addStaffMember(t.services.db, ref, { email, name: role, password: PASSWORD, roles: [role] });
      const login = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: tenant.slug, email, password: PASSWORD } });
      assert.equal(login.statusCode, 200, login.body);
      assert.deepEqual(login.json().user.roles, [role]);
      tokens[role] = login.json().accessToken;
    }
    tokens.admin = tenant.adminToken;
    patientId = (await createOk(tenant, { firstName: 'Perm', lastName: 'Ission', dateOfBirth: '1990-01-01' })).id;
  });

  const body = { firstName: 'Role', lastName: 'Play', dateOfBirth: '1990-01-01' };

  test('billing can read patients but cannot create them', async () => {
    assertProblem(await create(tenant, body, tokens.billing), 403, 'permission_denied');
    const list = await search(tenant, {}, tokens.billing);
    assert.equal(list.statusCode, 200);
    assert.ok(!list.json().items.some((p: { lastName: string }) => p.lastName === 'Play'), 'the refused create left nothing');
    assertProblem(await t.api(tenant, tokens.billing!, { method: 'PATCH', url: `/api/patients/${patientId}`, payload: { firstName: 'X' } }), 403, 'permission_denied');
  });

  test('front desk can create and archive but cannot read the audit trail', async () => {
    const res = await create(tenant, body, tokens.front_desk);
    assert.equal(res.statusCode, 201, res.body);
    const archive = await t.api(tenant, tokens.front_desk!, { method: 'POST', url: `/api/patients/${res.json().id}/archive` });
    assert.equal(archive.statusCode, 200, archive.body);
    assertProblem(await t.api(tenant, tokens.front_desk!, { method: 'GET', url: '/api/audit-events' }), 403, 'permission_denied');
  });

  test('a provider can edit but cannot archive or restore', async () => {
    const edit = await t.api(tenant, tokens.provider!, { method: 'PATCH', url: `/api/patients/${patientId}`, payload: { preferredName: 'Doc' } });
    assert.equal(edit.statusCode, 200, edit.body);
    assertProblem(await t.api(tenant, tokens.provider!, { method: 'POST', url: `/api/patients/${patientId}/archive` }), 403, 'permission_denied');
    assertProblem(await t.api(tenant, tokens.provider!, { method: 'POST', url: `/api/patients/${patientId}/restore` }), 403, 'permission_denied');
    const still = await t.api(tenant, tokens.admin!, { method: 'GET', url: `/api/patients/${patientId}` });
    assert.equal(still.json().status, 'active');
  });

  test('an admin can do all of it', async () => {
    const admin = tokens.admin!;
    const created = await create(tenant, body, admin);
    assert.equal(created.statusCode, 201);
    const id = created.json().id;
    for (const [method, url, payload] of [
      ['GET', `/api/patients/${id}`, undefined],
      ['PATCH', `/api/patients/${id}`, { preferredName: 'Boss' }],
      ['POST', `/api/patients/${id}/archive`, undefined],
      ['POST', `/api/patients/${id}/restore`, undefined],
      ['GET', '/api/patients', undefined],
      ['GET', '/api/audit-events', undefined],
      ['GET', '/api/roles', undefined],
      ['GET', '/api/me', undefined],
    ] as const) {
      const res = await t.api(tenant, admin, { method, url, ...(payload ? { payload } : {}) });
      assert.equal(res.statusCode, 200, `${method} ${url}: ${res.body}`);
    }
  });
});

describe('audit trail', () => {
  test('read, update and search leave events naming the actor and the request id', async () => {
    const tenant = await t.createTenant();
    const me = await t.api(tenant, tenant.adminToken, { method: 'GET', url: '/api/me' });
    const userId = me.json().userId as string;
    const p = await createOk(tenant, { firstName: 'Audrey', lastName: 'Trail', dateOfBirth: '1990-01-01' });

    const read = await t.api(tenant, tenant.adminToken, { method: 'GET', url: `/api/patients/${p.id}` });
    const update = await patch(tenant, p.id, { preferredName: 'Aud' });
    const found = await t.api(tenant, tenant.adminToken, { method: 'GET', url: '/api/patients', query: { q: 'trail' }, headers: { 'x-request-id': 'search-req-0001' } });
    for (const res of [read, update, found]) assert.equal(res.statusCode, 200, res.body);
    assert.equal(found.headers['x-request-id'], 'search-req-0001');

    const cases: [string, LightMyRequestResponse, string | null][] = [
      ['patient.create', null as never, p.id],
      ['patient.read', read, p.id],
      ['patient.update', update, p.id],
      ['patient.search', found, null],
    ];
    for (const [action, res, resourceId] of cases) {
      const events = await auditEvents(tenant, { action });
      assert.equal(events.length, 1, `${action}: ${JSON.stringify(events)}`);
      const e = events[0] as { actor: { type: string; id: string }; resourceType: string; resourceId: string | null; requestId: string; details: Body };
      assert.deepEqual(e.actor, { type: 'user', id: userId });
      assert.equal(e.resourceType, 'patient');
      assert.equal(e.resourceId, resourceId);
      if (res) assert.equal(e.requestId, res.headers['x-request-id']);
      if (action === 'patient.update') assert.deepEqual(e.details.fields, ['preferredName']);
      if (action === 'patient.search') assert.deepEqual(e.details.patientIds, [p.id]);
      assert.ok(!JSON.stringify(e.details).includes('Audrey'), 'no PHI in audit details');
    }
    const byResource = await auditEvents(tenant, { resourceId: p.id });
    assert.deepEqual(byResource.map((e) => e.action), ['patient.update', 'patient.read', 'patient.create']);
  });

  test('a failed update leaves no patient.update event and no change', async () => {
    const tenant = await t.createTenant();
    const p = await createOk(tenant, { firstName: 'Fay', lastName: 'Ling', dateOfBirth: '1990-01-01' });
    const future = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
    assertProblem(await patch(tenant, p.id, { dateOfBirth: future }), 400, 'validation_failed');
    assertProblem(await patch(tenant, p.id, { phone: '123' }), 400, 'validation_failed');
    assertProblem(await patch(tenant, p.id, { firstName: 'Fey' }, { 'if-match': '"7"' }), 412, 'precondition_failed');
    assert.deepEqual(await auditEvents(tenant, { action: 'patient.update' }), []);
    const read = await t.api(tenant, tenant.adminToken, { method: 'GET', url: `/api/patients/${p.id}` });
    assert.equal(read.json().version, 1);
    assert.equal(read.json().firstName, 'Fay');

    const ok = await patch(tenant, p.id, { firstName: 'Fey' }, { 'if-match': '"1"' });
    assert.equal(ok.statusCode, 200);
    assert.equal((await auditEvents(tenant, { action: 'patient.update' })).length, 1);
  });

  test('an audit event rolls back with the transaction that wrote it', async () => {
    const tenant = await t.createTenant();
    const ref = await t.services.tenants.bySlug(tenant.slug);
    assert.ok(ref);
    const ctx = tenantContext(t.services.db, { tenant: ref, actor: { kind: 'system', id: null }, requestId: 'rollback-test-1' });
    await assert.rejects(
      ctx.tx(async (tx) => {
        await recordAudit(tx, ctx, { action: 'patient.update', resourceType: 'patient', resourceId: null });
        const seen = await tx.query('select 1 from audit_events where tenant_id = $1 and request_id = $2', [tx.tenantId, 'rollback-test-1']);
        assert.equal(seen.rowCount, 1, 'visible inside its own transaction');
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.deepEqual(await auditEvents(tenant, { action: 'patient.update' }), []);
    await ctx.tx((tx) => recordAudit(tx, ctx, { action: 'patient.update', resourceType: 'patient' }));
    assert.equal((await auditEvents(tenant, { action: 'patient.update' })).length, 1);
  });
});
