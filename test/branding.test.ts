/**
 * Practice branding: defaults until saved, PUT validation naming fields, logo upload (PNG and JPEG,
 * checked by content, size and dimensions), ETag and 304, delete, audit events, permissions, and the
 * public (no login) branding and logo: 404 for unknown or suspended practices, nothing else exposed.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { PASSWORD, startTestApp, uniqueSlug, type TestApp, type TestTenant } from './support/harness.ts';
import { tenantRef } from './support/scheduling-fixtures.ts';
import { makeJpeg, makePalettePng, makePng } from './support/images.ts';
import { withTenant } from '../src/tenancy/tenant-db.ts';
import { inspectLogo, LOGO_MAX_BYTES } from '../src/domain/branding/logo-image.ts';
import { readJpeg, readPng } from '../src/domain/branding/image-formats.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

type Method = 'GET' | 'PUT' | 'DELETE';

function call(p: TestTenant, method: Method, url: string, payload?: unknown, headers: Record<string, string> = {}, token = p.adminToken): Promise<LightMyRequestResponse> {
  return t.api(p, token, { method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
}

function upload(p: TestTenant, bytes: Buffer | string, contentType: string, token = p.adminToken): Promise<LightMyRequestResponse> {
  return t.api(p, token, { method: 'PUT', url: '/api/branding/logo', headers: { 'content-type': contentType }, payload: bytes });
}

function assertProblem(res: LightMyRequestResponse, status: number, code: string): Record<string, unknown> {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.equal(res.json().code, code, res.body);
  return res.json();
}

function assertFields(res: LightMyRequestResponse, fields: string[]): void {
  const body = assertProblem(res, 400, 'validation_failed');
  const named = (body.errors as { field: string }[]).map((e) => e.field);
  for (const field of fields) assert.ok(named.includes(field), `expected an error naming "${field}", got ${JSON.stringify(body.errors)}`);
}

const FULL = {
  displayName: 'Maple Street Family Clinic',
  tagline: 'Family medicine since 1998',
  primaryColor: '#0B6E4F',
  accentColor: '#f2a541',
  address: { line1: '12 Maple Street', line2: 'Suite 4', city: 'Springfield', region: 'IL', postalCode: '62704', country: 'US' },
  phone: '+1 (217) 555-0100',
  email: 'front@maple.example',
  website: 'https://maple.example/clinic',
};

async function frontDesk(p: TestTenant): Promise<string> {
  const email = `desk@${p.slug}.test`;
  const created = await t.api(p, p.adminToken, { method: 'POST', url: '/api/staff', payload: { email, name: 'Desk', password: PASSWORD, roles: ['front_desk'] } });
  assert.equal(created.statusCode, 201, created.body);
  const login = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: p.slug, email, password: PASSWORD } });
  assert.equal(login.statusCode, 200, login.body);
  return login.json().accessToken;
}

async function auditActions(p: TestTenant): Promise<string[]> {
  const ref = await tenantRef(t, p.slug);
  return withTenant(t.services.db, ref, async (tx) =>
    (await tx.query<{ action: string }>(`select action from audit_events where tenant_id = $1 and resource_type = 'branding' order by id`, [tx.tenantId])).rows.map((r) => r.action),
  );
}

describe('branding data', () => {
  test('defaults until saved: the practice name and the default colours, for any staff member', async () => {
    const p = await t.createTenant('pooled');
    const desk = await frontDesk(p);
    const res = await call(p, 'GET', '/api/branding', undefined, {}, desk);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {
      displayName: `Practice ${p.slug}`,
      tagline: null,
      primaryColor: '#1f5f8b',
      accentColor: '#e07a2e',
      address: null,
      phone: null,
      email: null,
      website: null,
      logo: null,
      updatedAt: null,
      subdomain: null,
    });
  });

  test('PUT replaces the branding (colours lower-cased); keys left out return to their defaults', async () => {
    for (const tier of ['pooled', 'schema'] as const) {
      const p = await t.createTenant(tier);
      const saved = await call(p, 'PUT', '/api/branding', FULL);
      assert.equal(saved.statusCode, 200, saved.body);
      assert.equal(saved.json().primaryColor, '#0b6e4f');
      assert.deepEqual(saved.json().address, FULL.address);
      assert.match(saved.json().updatedAt, /^\d{4}-\d\d-\d\dT/);
      const read = await call(p, 'GET', '/api/branding');
      assert.deepEqual(read.json(), saved.json());

      const minimal = await call(p, 'PUT', '/api/branding', { displayName: '  Maple Clinic  ', website: null });
      assert.equal(minimal.statusCode, 200, minimal.body);
      assert.equal(minimal.json().displayName, 'Maple Clinic');
      assert.equal(minimal.json().primaryColor, '#1f5f8b');
      assert.equal(minimal.json().tagline, null);
      assert.equal(minimal.json().address, null);
      assert.equal(minimal.json().website, null);
      assert.deepEqual(await auditActions(p), ['branding.update', 'branding.update']);
    }
  });

  test('invalid input answers 400 naming each field; nothing is saved', async () => {
    const p = await t.createTenant('pooled');
    assertFields(await call(p, 'PUT', '/api/branding', { ...FULL, primaryColor: 'green', accentColor: '#12345' }), ['primaryColor', 'accentColor']);
    assertFields(await call(p, 'PUT', '/api/branding', { ...FULL, website: 'javascript:alert(1)' }), ['website']);
    assertFields(await call(p, 'PUT', '/api/branding', { ...FULL, website: 'ftp://files.example' }), ['website']);
    assertFields(await call(p, 'PUT', '/api/branding', { ...FULL, website: 'maple.example' }), ['website']);
    assertFields(await call(p, 'PUT', '/api/branding', { ...FULL, website: 'https://user:pw@maple.example' }), ['website']);
    assertFields(await call(p, 'PUT', '/api/branding', { ...FULL, email: 'not-an-email', phone: '12' }), ['email', 'phone']);
    assertFields(await call(p, 'PUT', '/api/branding', { ...FULL, displayName: '   ' }), ['displayName']);
    assertFields(await call(p, 'PUT', '/api/branding', { ...FULL, displayName: 'x'.repeat(121), tagline: 'y'.repeat(161) }), ['displayName', 'tagline']);
    assertFields(await call(p, 'PUT', '/api/branding', { ...FULL, tagline: 'two\nlines' }), ['tagline']);
    assertFields(await call(p, 'PUT', '/api/branding', { ...FULL, address: { line1: '1 Main St', city: 'X', country: 'usa' } }), ['address.country']);
    assertFields(await call(p, 'PUT', '/api/branding', { ...FULL, address: { line1: ' ', city: 'X', country: 'US' } }), ['address.line1']);
    assertFields(await call(p, 'PUT', '/api/branding', { tagline: 'no name' }), ['displayName']);
    assertFields(await call(p, 'PUT', '/api/branding', { ...FULL, logo: 'x' }), ['logo']);
    assert.equal((await call(p, 'GET', '/api/branding')).json().updatedAt, null);
    assert.deepEqual(await auditActions(p), []);
  });

  test('changing the branding needs settings:manage; reading it does not', async () => {
    const p = await t.createTenant('pooled');
    const desk = await frontDesk(p);
    assertProblem(await call(p, 'PUT', '/api/branding', FULL, {}, desk), 403, 'permission_denied');
    assertProblem(await upload(p, makePng(10, 10), 'image/png', desk), 403, 'permission_denied');
    assertProblem(await call(p, 'DELETE', '/api/branding/logo', undefined, {}, desk), 403, 'permission_denied');
    assert.equal((await call(p, 'GET', '/api/branding', undefined, {}, desk)).statusCode, 200);
    assertProblem(await t.app.inject({ method: 'GET', url: '/api/branding', headers: { 'x-tenant': p.slug } }), 401, 'token_missing');
  });
});

describe('logo', () => {
  test('a PNG upload is stored with its dimensions, served with its ETag, and 304 while unchanged', async () => {
    const p = await t.createTenant('schema');
    const png = makePng(240, 80);
    const res = await upload(p, png, 'image/png');
    assert.equal(res.statusCode, 200, res.body);
    const sha256 = createHash('sha256').update(png).digest('hex');
    assert.deepEqual({ ...(res.json() as object), updatedAt: undefined }, { contentType: 'image/png', width: 240, height: 80, bytes: png.length, sha256, updatedAt: undefined });
    // The rest of the branding is still the defaults.
    const branding = (await call(p, 'GET', '/api/branding')).json();
    assert.equal(branding.updatedAt, null);
    assert.equal(branding.displayName, `Practice ${p.slug}`);
    assert.deepEqual(branding.logo, res.json());

    const got = await call(p, 'GET', '/api/branding/logo');
    assert.equal(got.statusCode, 200);
    assert.equal(got.headers['content-type'], 'image/png');
    assert.equal(got.headers.etag, `"${sha256}"`);
    assert.equal(got.headers['x-content-type-options'], 'nosniff');
    assert.deepEqual(got.rawPayload, png);
    const again = await call(p, 'GET', '/api/branding/logo', undefined, { 'if-none-match': `"${sha256}"` });
    assert.equal(again.statusCode, 304);
    assert.equal(again.rawPayload.length, 0);
    assert.equal((await call(p, 'GET', '/api/branding/logo', undefined, { 'if-none-match': '"other"' })).statusCode, 200);
  });

  test('interlaced and 1-bit palette PNGs are accepted with their dimensions', async () => {
    const p = await t.createTenant('pooled');
    for (const [png, size] of [[makePng(13, 7, [9, 9, 9], { interlaced: true }), [13, 7]], [makePalettePng(101, 3), [101, 3]]] as const) {
      const res = await upload(p, png, 'image/png');
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual([res.json().width, res.json().height], size);
    }
  });

  test('a JPEG upload replaces the PNG; saving the branding keeps the logo', async () => {
    const p = await t.createTenant('pooled');
    assert.equal((await upload(p, makePng(50, 50), 'image/png')).statusCode, 200);
    const jpeg = makeJpeg(120, 40, 200);
    const res = await upload(p, jpeg, 'image/jpeg');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().contentType, 'image/jpeg');
    assert.deepEqual([res.json().width, res.json().height], [120, 40]);
    assert.equal((await call(p, 'PUT', '/api/branding', FULL)).statusCode, 200);
    const got = await call(p, 'GET', '/api/branding/logo');
    assert.equal(got.headers['content-type'], 'image/jpeg');
    assert.deepEqual(got.rawPayload, jpeg);
    assert.equal((await call(p, 'GET', '/api/branding')).json().logo.sha256, res.json().sha256);
  });

  test('content that is not the declared type is refused: wrong magic bytes, mismatched type, SVG', async () => {
    const p = await t.createTenant('pooled');
    const wrong = assertProblem(await upload(p, Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), 'image/png'), 400, 'logo_invalid');
    assert.match(String(wrong.detail), /GIF image but was sent as image\/png/);
    assert.match(String(assertProblem(await upload(p, makeJpeg(16, 16), 'image/png'), 400, 'logo_invalid').detail), /JPEG image but was sent as image\/png/);
    assert.match(String(assertProblem(await upload(p, makePng(16, 16), 'image/jpeg'), 400, 'logo_invalid').detail), /PNG image but was sent as image\/jpeg/);
    const svg = '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>';
    assert.match(String(assertProblem(await upload(p, svg, 'image/png'), 400, 'logo_invalid').detail), /SVG/);
    assertProblem(await upload(p, svg, 'image/svg+xml'), 415, 'unsupported_media_type');
    assertProblem(await upload(p, Buffer.from('{"logo":"x"}'), 'application/json'), 415, 'unsupported_media_type');
    assertProblem(await upload(p, Buffer.from('x'), 'image/gif'), 415, 'unsupported_media_type');
    assertProblem(await upload(p, Buffer.alloc(0), 'image/png'), 400, 'logo_invalid');
    // The right signature but a broken image: the header, then the pixel data, are checked too.
    const png = makePng(20, 20);
    assertProblem(await upload(p, png.subarray(0, 20), 'image/png'), 400, 'logo_invalid');
    const corrupt = Buffer.from(png);
    corrupt.fill(0x55, 41, corrupt.length - 12); // inside the IDAT data
    assertProblem(await upload(p, corrupt, 'image/png'), 400, 'logo_invalid');
    assertProblem(await upload(p, Buffer.from([0xff, 0xd8, 0xff, 0xd9]), 'image/jpeg'), 400, 'logo_invalid');
    assert.equal((await call(p, 'GET', '/api/branding')).json().logo, null);
    assert.deepEqual(await auditActions(p), []);
  });

  test('oversized logos are refused: bytes beyond 512 KiB, or too many pixels', async () => {
    const p = await t.createTenant('pooled');
    const big = Buffer.concat([makePng(8, 8), Buffer.alloc(LOGO_MAX_BYTES)]);
    const res = assertProblem(await upload(p, big, 'image/png'), 413, 'logo_too_large');
    assert.match(String(res.detail), /512 KiB/);
    assert.match(String(assertProblem(await upload(p, makePng(4001, 2), 'image/png'), 413, 'logo_too_large').detail), /4001×2 pixels/);
    assertProblem(await upload(p, makePng(2001, 2000), 'image/png'), 413, 'logo_too_large');
    assertProblem(await upload(p, makeJpeg(8, 4096), 'image/jpeg'), 413, 'logo_too_large');
    // The domain check alone (CLI and other callers): one byte over the limit.
    await assert.rejects(inspectLogo(new Uint8Array(LOGO_MAX_BYTES + 1), 'image/png'), (err: { code?: string }) => err.code === 'logo_too_large');
    assert.equal((await call(p, 'GET', '/api/branding')).json().logo, null);
  });

  test('the image readers walk the structure with every length checked, never trusting a decoder with a broken file', () => {
    assert.deepEqual(readJpeg(makeJpeg(33, 17)), { width: 33, height: 17 });
    const png = makePng(33, 17);
    assert.deepEqual(readPng(png, () => {}), { width: 33, height: 17 });
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return (err as { code?: string }).code;
      }
      return 'accepted';
    };
    // A chunk length running past the end of the file (this once sent the decoder into an endless loop).
    const runaway = Buffer.from(png);
    runaway.writeUInt32BE(0x55555555, 33);
    assert.equal(code(() => readPng(runaway, () => {})), 'logo_invalid');
    const badCrc = Buffer.from(png);
    badCrc[badCrc.length - 20] = badCrc[badCrc.length - 20]! ^ 0xff;
    assert.equal(code(() => readPng(badCrc, () => {})), 'logo_invalid');
    assert.equal(code(() => readPng(png.subarray(0, png.length - 12), () => {})), 'logo_invalid', 'no IEND');
    // A JPEG segment length of zero, or one past the end.
    const jpeg = makeJpeg(8, 8);
    const zero = Buffer.from(jpeg);
    zero.writeUInt16BE(0, 4);
    assert.equal(code(() => readJpeg(zero)), 'logo_invalid');
    const long = Buffer.from(jpeg);
    long.writeUInt16BE(0xfff0, 4);
    assert.equal(code(() => readJpeg(long)), 'logo_invalid');
  });

  test('DELETE removes the logo (404 afterwards) and is idempotent; each write is audited', async () => {
    const p = await t.createTenant('pooled');
    assertProblem(await call(p, 'GET', '/api/branding/logo'), 404, 'not_found');
    assert.equal((await upload(p, makePng(30, 30), 'image/png')).statusCode, 200);
    const del = await call(p, 'DELETE', '/api/branding/logo');
    assert.equal(del.statusCode, 204, del.body);
    assertProblem(await call(p, 'GET', '/api/branding/logo'), 404, 'not_found');
    assert.equal((await call(p, 'GET', '/api/branding')).json().logo, null);
    assert.equal((await call(p, 'DELETE', '/api/branding/logo')).statusCode, 204);
    assert.deepEqual(await auditActions(p), ['branding.logo.update', 'branding.logo.delete']);
  });
});

describe('public branding (no login)', () => {
  test('shows the public face only, with a versioned logo URL and cache headers', async () => {
    const p = await t.createTenant('schema');
    assert.equal((await call(p, 'PUT', '/api/branding', FULL)).statusCode, 200);
    const png = makePng(64, 64);
    const logo = (await upload(p, png, 'image/png')).json();
    const res = await t.app.inject({ method: 'GET', url: `/public/practices/${p.slug}/branding` });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['cache-control']), /^public, max-age=\d+/);
    const { logoUrl, ...rest } = res.json();
    assert.deepEqual(rest, {
      displayName: FULL.displayName,
      tagline: FULL.tagline,
      primaryColor: '#0b6e4f',
      accentColor: '#f2a541',
      address: FULL.address,
      phone: FULL.phone,
      email: FULL.email,
      website: FULL.website,
    });
    assert.equal(logoUrl, `/public/practices/${p.slug}/logo?v=${logo.sha256.slice(0, 16)}`);
    for (const secret of [p.id, logo.sha256, 'updatedAt', 'tenant', 'status', 'plan']) assert.ok(!res.body.includes(secret), `exposes ${secret}`);

    const img = await t.app.inject({ method: 'GET', url: logoUrl });
    assert.equal(img.statusCode, 200);
    assert.equal(img.headers['content-type'], 'image/png');
    assert.match(String(img.headers['cache-control']), /^public, max-age=\d+/);
    assert.deepEqual(img.rawPayload, png);
    assert.equal((await t.app.inject({ method: 'GET', url: logoUrl, headers: { 'if-none-match': img.headers.etag as string } })).statusCode, 304);
  });

  test('defaults for a practice without branding; 404 for its missing logo', async () => {
    const p = await t.createTenant('pooled');
    const res = await t.app.inject({ method: 'GET', url: `/public/practices/${p.slug.toUpperCase()}/branding` });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().displayName, `Practice ${p.slug}`);
    assert.equal(res.json().logoUrl, null);
    assertProblem(await t.app.inject({ method: 'GET', url: `/public/practices/${p.slug}/logo` }), 404, 'not_found');
  });

  test('unknown and suspended practices answer 404 alike', async () => {
    const p = await t.createTenant('pooled');
    assert.equal((await upload(p, makePng(8, 8), 'image/png')).statusCode, 200);
    const unknown = assertProblem(await t.app.inject({ method: 'GET', url: `/public/practices/${uniqueSlug('nope')}/branding` }), 404, 'not_found');
    assertProblem(await t.app.inject({ method: 'GET', url: '/public/practices/Not_A_Slug!/logo' }), 404, 'not_found');
    const op = await t.operatorToken();
    const suspend = await t.app.inject({ method: 'POST', url: `/platform/tenants/${p.slug}/suspend`, headers: { authorization: `Bearer ${op}` }, payload: { reason: 'Unpaid' } });
    assert.equal(suspend.statusCode, 200, suspend.body);
    const suspended = assertProblem(await t.app.inject({ method: 'GET', url: `/public/practices/${p.slug}/branding` }), 404, 'not_found');
    assert.equal(suspended.detail, unknown.detail);
    assertProblem(await t.app.inject({ method: 'GET', url: `/public/practices/${p.slug}/logo` }), 404, 'not_found');
  });
});
