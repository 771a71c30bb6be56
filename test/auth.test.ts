/**
 * Staff and operator identity over the real HTTP stack: sign-in, token claims and JWKS, refresh
 * rotation and reuse detection, sign-out, throttling, forged tokens, multi-practice staff,
 * suspended practices and operator sessions.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { SignJWT, generateKeyPair } from 'jose';
import type { LightMyRequestResponse } from 'fastify';
import { startTestApp, PASSWORD, type TestApp, type TestTenant } from './support/harness.ts';
import { signAccessToken } from '../src/identity/access-tokens.ts';
import { ACCOUNT_LIMIT, ADDRESS_LIMIT } from '../src/identity/login-throttle.ts';
import { addStaffMember } from '../src/platform/staff-service.ts';
import { upsertOperator } from '../src/platform/operators.ts';

let t: TestApp;
before(async () => { t = await startTestApp(); });
after(async () => { await t.close(); });

/** A client address of its own, so failed sign-ins here never throttle another test's logins. */
function freshAddress(): string {
  return `10.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
}

function assertProblem(res: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.equal(res.json().code, code, res.body);
}

function b64json(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const parts = token.split('.');
  assert.equal(parts.length, 3, 'a JWS compact token has three parts');
  return { header: b64json(parts[0]!), payload: b64json(parts[1]!) };
}

function login(tenant: string, email: string, password: string, remoteAddress = freshAddress(), headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'POST', url: '/auth/login', remoteAddress, headers, payload: { tenant, email, password } });
}

function refresh(refreshToken: string, url = '/auth/refresh') {
  return t.app.inject({ method: 'POST', url, payload: { refreshToken } });
}

function listPatients(tenant: TestTenant, token: string) {
  return t.api(tenant, token, { method: 'GET', url: '/api/patients' });
}

describe('staff sign-in', () => {
  test('a good login returns tokens whose claims name the user, practice and roles, signed with a published ES256 key', async () => {
    const tenant = await t.createTenant();
    const res = await login(tenant.slug, tenant.adminEmail, PASSWORD);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(typeof body.accessToken, 'string');
    assert.equal(typeof body.refreshToken, 'string');
    assert.ok(body.refreshToken.length >= 32);
    assert.equal(body.tokenType, 'Bearer');
    assert.equal(body.tenant.slug, tenant.slug);

    const { header, payload } = decodeJwt(body.accessToken);
    assert.equal(header.alg, 'ES256');
    assert.equal(typeof header.kid, 'string');
    assert.equal(payload.sub, body.user.id);
    assert.equal(payload.tid, tenant.id);
    assert.deepEqual(payload.roles, ['admin']);
    assert.equal(payload.aud, 'tenant');
    assert.ok(typeof payload.exp === 'number' && payload.exp > Date.now() / 1000);

    const jwks = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    assert.equal(jwks.statusCode, 200);
    const key = (jwks.json().keys as Record<string, unknown>[]).find((k) => k.kid === header.kid);
    assert.ok(key, 'the signing kid is published');
    assert.equal(key.kty, 'EC');
    assert.equal(key.crv, 'P-256');
    assert.equal(key.d, undefined, 'the JWKS never carries the private part');

    const ok = await listPatients(tenant, body.accessToken);
    assert.equal(ok.statusCode, 200, ok.body);
  });

  test('wrong password, unknown email and unknown practice all answer 401 invalid_credentials', async () => {
    const tenant = await t.createTenant();
    const wrongPassword = await login(tenant.slug, tenant.adminEmail, 'not-the-password');
    assertProblem(wrongPassword, 401, 'invalid_credentials');
    const unknownEmail = await login(tenant.slug, `nobody-${randomBytes(3).toString('hex')}@nowhere.test`, PASSWORD);
    assertProblem(unknownEmail, 401, 'invalid_credentials');
    const unknownTenant = await login(`no-such-${randomBytes(4).toString('hex')}`, tenant.adminEmail, PASSWORD);
    assertProblem(unknownTenant, 401, 'invalid_credentials');
    // The three answers are indistinguishable apart from the request id.
    assert.equal(wrongPassword.json().detail, unknownTenant.json().detail);
    assert.equal(unknownEmail.json().detail, unknownTenant.json().detail);
  });
});

describe('refresh tokens', () => {
  test('refresh rotates: a new refresh token and a working access token; the spent one is refused', async () => {
    const tenant = await t.createTenant();
    const first = await refresh(tenant.refreshToken);
    assert.equal(first.statusCode, 200, first.body);
    const next = first.json();
    assert.notEqual(next.refreshToken, tenant.refreshToken);
    assert.equal(decodeJwt(next.accessToken).payload.tid, tenant.id);
    assert.equal((await listPatients(tenant, next.accessToken)).statusCode, 200);

    assertProblem(await refresh(tenant.refreshToken), 401, 'refresh_token_reused');
  });

  test('reusing a spent refresh token answers refresh_token_reused and revokes the whole family', async () => {
    const tenant = await t.createTenant();
    const r2 = (await refresh(tenant.refreshToken)).json().refreshToken as string;
    const r3res = await refresh(r2);
    assert.equal(r3res.statusCode, 200, r3res.body);
    const r3 = r3res.json().refreshToken as string;

    assertProblem(await refresh(tenant.refreshToken), 401, 'refresh_token_reused');
    // The newest token of the family, never used, is now dead too.
    assertProblem(await refresh(r3), 401, 'refresh_token_invalid');

    // Another session of the same user (another family) is unaffected.
    const other = await login(tenant.slug, tenant.adminEmail, PASSWORD);
    assert.equal(other.statusCode, 200, other.body);
    assert.equal((await refresh(other.json().refreshToken)).statusCode, 200);
  });

  test('logout revokes the session: its refresh token no longer works', async () => {
    const tenant = await t.createTenant();
    const rotated = (await refresh(tenant.refreshToken)).json().refreshToken as string;
    const out = await t.app.inject({ method: 'POST', url: '/auth/logout', payload: { refreshToken: rotated } });
    assert.equal(out.statusCode, 204, out.body);
    assertProblem(await refresh(rotated), 401, 'refresh_token_invalid');
  });

  test('a garbage refresh token answers refresh_token_invalid', async () => {
    assertProblem(await refresh(randomBytes(32).toString('base64url')), 401, 'refresh_token_invalid');
  });
});

describe('login throttling', () => {
  test(`after ${ACCOUNT_LIMIT} failures for one account, even the right password gets 429 with Retry-After`, async () => {
    const tenant = await t.createTenant();
    const address = freshAddress();
    for (let i = 0; i < ACCOUNT_LIMIT; i++) {
      assertProblem(await login(tenant.slug, tenant.adminEmail, `wrong-${i}`, address), 401, 'invalid_credentials');
    }
    const blocked = await login(tenant.slug, tenant.adminEmail, PASSWORD, address);
    assertProblem(blocked, 429, 'login_throttled');
    const retry = Number(blocked.headers['retry-after']);
    assert.ok(Number.isInteger(retry) && retry > 0, `Retry-After is a positive integer, got ${blocked.headers['retry-after']}`);
    // The account limit holds from any address, and the email's case does not matter.
    assertProblem(await login(tenant.slug, tenant.adminEmail.toUpperCase(), PASSWORD, freshAddress()), 429, 'login_throttled');
  });

  test('a successful login clears the account count', async () => {
    const tenant = await t.createTenant();
    const address = freshAddress();
    for (let i = 0; i < ACCOUNT_LIMIT - 1; i++) {
      assertProblem(await login(tenant.slug, tenant.adminEmail, `wrong-${i}`, address), 401, 'invalid_credentials');
    }
    assert.equal((await login(tenant.slug, tenant.adminEmail, PASSWORD, address)).statusCode, 200);
    assertProblem(await login(tenant.slug, tenant.adminEmail, 'wrong-again', address), 401, 'invalid_credentials');
    assert.equal((await login(tenant.slug, tenant.adminEmail, PASSWORD, address)).statusCode, 200);
  });

  test(`many accounts failing from one address are throttled after ${ADDRESS_LIMIT} failures`, async () => {
    const tenant = await t.createTenant();
    const address = freshAddress();
    let firstThrottled = -1;
    for (let i = 0; i < ADDRESS_LIMIT + 2; i++) {
      const res = await login(tenant.slug, `spray-${i}-${randomBytes(3).toString('hex')}@nowhere.test`, PASSWORD, address);
      if (res.statusCode === 429) {
        assertProblem(res, 429, 'login_throttled');
        assert.ok(Number(res.headers['retry-after']) > 0);
        firstThrottled = i;
        break;
      }
      assertProblem(res, 401, 'invalid_credentials');
    }
    assert.equal(firstThrottled, ADDRESS_LIMIT, 'the attempt after the limit is the first one throttled');
    // The address is blocked even for a real account with the right password…
    assertProblem(await login(tenant.slug, tenant.adminEmail, PASSWORD, address), 429, 'login_throttled');
    // …while the same account signs in from another address.
    assert.equal((await login(tenant.slug, tenant.adminEmail, PASSWORD, freshAddress())).statusCode, 200);
  });
});

/** A fresh practice plus the claims and key id of its admin's real token, to forge from. */
async function forgeContext() {
  const tenant = await t.createTenant();
  const { header, payload } = decodeJwt(tenant.adminToken);
  const claims = { sub: payload.sub as string, tid: payload.tid as string, roles: payload.roles as string[] };
  return { tenant, claims, kid: header.kid as string };
}

describe('forged and misplaced access tokens on a tenant route', () => {
  test('control: a token signed here with the real key store is accepted', async () => {
    const { tenant, claims } = await forgeContext();
    const token = await signAccessToken(t.services.keys, { aud: 'tenant', ...claims }, 60);
    assert.equal((await listPatients(tenant, token)).statusCode, 200);
  });

  test('no token → token_missing; a non-bearer scheme → token_missing', async () => {
    const { tenant } = await forgeContext();
    const none = await t.app.inject({ method: 'GET', url: '/api/patients', headers: { 'x-tenant': tenant.slug } });
    assertProblem(none, 401, 'token_missing');
    assert.match(String(none.headers['www-authenticate']), /^Bearer/);
    const basic = await t.app.inject({ method: 'GET', url: '/api/patients', headers: { 'x-tenant': tenant.slug, authorization: 'Basic YWRtaW46YWRtaW4=' } });
    assertProblem(basic, 401, 'token_missing');
  });

  test('a garbage string → token_invalid', async () => {
    const { tenant } = await forgeContext();
    assertProblem(await listPatients(tenant, 'not-a-jwt'), 401, 'token_invalid');
    assertProblem(await listPatients(tenant, 'a.b.c'), 401, 'token_invalid');
  });

  test('a valid token with one payload character changed → token_invalid', async () => {
    const { tenant } = await forgeContext();
    const [h, p, s] = tenant.adminToken.split('.') as [string, string, string];
    const i = Math.floor(p.length / 2);
    const changed = p[i] === 'A' ? 'B' : 'A';
    const tampered = `${h}.${p.slice(0, i)}${changed}${p.slice(i + 1)}.${s}`;
    assert.notEqual(tampered, tenant.adminToken);
    assertProblem(await listPatients(tenant, tampered), 401, 'token_invalid');
    // A well-formed payload with an edited claim, under the original signature, is refused too.
    const edited = { ...decodeJwt(tenant.adminToken).payload, exp: Math.floor(Date.now() / 1000) + 86_400 };
    const reencoded = `${h}.${Buffer.from(JSON.stringify(edited)).toString('base64url')}.${s}`;
    assertProblem(await listPatients(tenant, reencoded), 401, 'token_invalid');
  });

  test('an expired token → token_expired', async () => {
    const { tenant, claims } = await forgeContext();
    const expired = await signAccessToken(t.services.keys, { aud: 'tenant', ...claims }, -10);
    assertProblem(await listPatients(tenant, expired), 401, 'token_expired');
  });

  test('a token signed with another ES256 key under the real kid → token_invalid', async () => {
    const { tenant, claims, kid } = await forgeContext();
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ tid: claims.tid, roles: claims.roles })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
      .setIssuer('healthtrack')
      .setAudience('tenant')
      .setSubject(claims.sub)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    assertProblem(await listPatients(tenant, forged), 401, 'token_invalid');
  });

  test('an unsigned alg:none token → token_invalid', async () => {
    const { tenant, claims, kid } = await forgeContext();
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const payload = { ...claims, aud: 'tenant', iss: 'healthtrack', iat: now, exp: now + 300 };
    const unsigned = `${enc({ alg: 'none', typ: 'at+jwt', kid })}.${enc(payload)}.`;
    assertProblem(await listPatients(tenant, unsigned), 401, 'token_invalid');
  });

  test('an HS256 token keyed with the published public JWK → token_invalid', async () => {
    const { tenant, claims, kid } = await forgeContext();
    const jwks = (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    const publicJwk = (jwks.keys as Record<string, unknown>[]).find((k) => k.kid === kid);
    assert.ok(publicJwk);
    for (const secret of [JSON.stringify(publicJwk), String(publicJwk.x)]) {
      const forged = await new SignJWT({ tid: claims.tid, roles: claims.roles })
        .setProtectedHeader({ alg: 'HS256', kid, typ: 'at+jwt' })
        .setIssuer('healthtrack')
        .setAudience('tenant')
        .setSubject(claims.sub)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(secret));
      assertProblem(await listPatients(tenant, forged), 401, 'token_invalid');
    }
  });

  test('an operator token (audience platform) on a tenant route → token_invalid', async () => {
    const { tenant } = await forgeContext();
    assertProblem(await listPatients(tenant, await t.operatorToken()), 401, 'token_invalid');
  });

  test('a staff token on the operator API → token_invalid', async () => {
    const { tenant } = await forgeContext();
    const res = await t.app.inject({ method: 'GET', url: '/platform/tenants', headers: { authorization: `Bearer ${tenant.adminToken}` } });
    assertProblem(res, 401, 'token_invalid');
  });
});

describe('a person on the staff of two practices', () => {
  test('signs in to each; each token works only with its own practice', async () => {
    const a = await t.createTenant();
    const b = await t.createTenant();
    const c = await t.createTenant();
    const email = `shared-${randomBytes(4).toString('hex')}@staff.test`;
    const refA = await t.services.tenants.bySlug(a.slug);
    const refB = await t.services.tenants.bySlug(b.slug);
    assert.ok(refA && refB);
    const inA = await addStaffMember(t.services.db, refA, { email, name: 'Dr Shared', password: PASSWORD, roles: ['provider'] });
    const inB = await addStaffMember(t.services.db, refB, { email, name: 'Dr Shared', password: 'ignored-for-existing-user', roles: ['front_desk'] });
    assert.equal(inA.userId, inB.userId, 'one global identity');

    const loginA = await login(a.slug, email, PASSWORD);
    const loginB = await login(b.slug, email, PASSWORD);
    assert.equal(loginA.statusCode, 200, loginA.body);
    assert.equal(loginB.statusCode, 200, loginB.body);
    const tokenA = loginA.json().accessToken as string;
    const tokenB = loginB.json().accessToken as string;
    const claimsA = decodeJwt(tokenA).payload;
    const claimsB = decodeJwt(tokenB).payload;
    assert.equal(claimsA.sub, inA.userId);
    assert.equal(claimsB.sub, inA.userId);
    assert.equal(claimsA.tid, a.id);
    assert.equal(claimsB.tid, b.id);
    assert.deepEqual(claimsA.roles, ['provider']);
    assert.deepEqual(claimsB.roles, ['front_desk']);

    const meA = await t.api(a, tokenA, { method: 'GET', url: '/api/me' });
    assert.equal(meA.statusCode, 200, meA.body);
    assert.equal(meA.json().tenant.id, a.id);
    const meB = await t.api(b, tokenB, { method: 'GET', url: '/api/me' });
    assert.equal(meB.statusCode, 200, meB.body);
    assert.equal(meB.json().tenant.id, b.id);
    assertProblem(await t.api(b, tokenA, { method: 'GET', url: '/api/me' }), 401, 'token_tenant_mismatch');
    assertProblem(await t.api(a, tokenB, { method: 'GET', url: '/api/me' }), 401, 'token_tenant_mismatch');

    // Not a member of the third practice: same answer as a wrong password.
    assertProblem(await login(c.slug, email, PASSWORD), 401, 'invalid_credentials');
  });
});

describe('a suspended practice', () => {
  test('refuses login, existing access tokens and refresh; reactivation lets staff back in', async () => {
    const tenant = await t.createTenant();
    const op = await t.operatorToken();
    assert.equal((await listPatients(tenant, tenant.adminToken)).statusCode, 200);

    const suspended = await t.app.inject({
      method: 'POST',
      url: `/platform/tenants/${tenant.slug}/suspend`,
      headers: { authorization: `Bearer ${op}` },
      payload: { reason: 'unpaid invoices' },
    });
    assert.equal(suspended.statusCode, 200, suspended.body);
    assert.equal(suspended.json().status, 'suspended');

    assertProblem(await login(tenant.slug, tenant.adminEmail, PASSWORD), 403, 'tenant_suspended');
    assertProblem(await listPatients(tenant, tenant.adminToken), 403, 'tenant_suspended');
    assertProblem(await refresh(tenant.refreshToken), 401, 'refresh_token_invalid');
    // A wrong password still answers as a wrong password: suspension is told only to the right person.
    assertProblem(await login(tenant.slug, tenant.adminEmail, 'wrong-password'), 401, 'invalid_credentials');

    const reactivated = await t.app.inject({
      method: 'POST',
      url: `/platform/tenants/${tenant.slug}/reactivate`,
      headers: { authorization: `Bearer ${op}` },
    });
    assert.equal(reactivated.statusCode, 200, reactivated.body);
    const again = await login(tenant.slug, tenant.adminEmail, PASSWORD);
    assert.equal(again.statusCode, 200, again.body);
    assert.equal((await listPatients(tenant, again.json().accessToken)).statusCode, 200);
    // Refresh tokens revoked by the suspension stay revoked.
    assertProblem(await refresh(tenant.refreshToken), 401, 'refresh_token_invalid');
  });
});

describe('operators', () => {
  const email = `op-auth-${randomBytes(4).toString('hex')}@ops.test`;
  before(async () => { await upsertOperator(t.services.db, { email, password: PASSWORD, name: 'Auth Test Operator' }); });

  function operatorLogin(password: string) {
    return t.app.inject({ method: 'POST', url: '/platform/auth/login', remoteAddress: freshAddress(), payload: { email, password } });
  }

  test('a wrong password or unknown operator answers 401 invalid_credentials', async () => {
    assertProblem(await operatorLogin('not-the-password'), 401, 'invalid_credentials');
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/platform/auth/login',
      remoteAddress: freshAddress(),
      payload: { email: `ghost-${randomBytes(3).toString('hex')}@ops.test`, password: PASSWORD },
    });
    assertProblem(unknown, 401, 'invalid_credentials');
  });

  test('operator tokens carry audience platform and no tenant; refresh rotates and detects reuse', async () => {
    const res = await operatorLogin(PASSWORD);
    assert.equal(res.statusCode, 200, res.body);
    const session = res.json();
    const { header, payload } = decodeJwt(session.accessToken);
    assert.equal(header.alg, 'ES256');
    assert.equal(payload.aud, 'platform');
    assert.equal(payload.sub, session.operator.id);
    assert.equal(payload.tid, undefined);

    const refreshed = await refresh(session.refreshToken, '/platform/auth/refresh');
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    const next = refreshed.json();
    assert.notEqual(next.refreshToken, session.refreshToken);
    assert.equal(decodeJwt(next.accessToken).payload.sub, session.operator.id);
    const list = await t.app.inject({ method: 'GET', url: '/platform/tenants', headers: { authorization: `Bearer ${next.accessToken}` } });
    assert.equal(list.statusCode, 200, list.body);

    assertProblem(await refresh(session.refreshToken, '/platform/auth/refresh'), 401, 'refresh_token_reused');
    assertProblem(await refresh(next.refreshToken, '/platform/auth/refresh'), 401, 'refresh_token_invalid');
  });

  test('refresh tokens do not cross audiences', async () => {
    const op = (await operatorLogin(PASSWORD)).json();
    assertProblem(await refresh(op.refreshToken, '/auth/refresh'), 401, 'refresh_token_invalid');
    const tenant = await t.createTenant();
    assertProblem(await refresh(tenant.refreshToken, '/platform/auth/refresh'), 401, 'refresh_token_invalid');
    // Neither refused attempt spent the token.
    assert.equal((await refresh(op.refreshToken, '/platform/auth/refresh')).statusCode, 200);
    assert.equal((await refresh(tenant.refreshToken)).statusCode, 200);
  });
});
