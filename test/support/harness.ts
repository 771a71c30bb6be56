/**
 * Test harness: a real server (Fastify inject over the full stack) on a real database, PGlite from
 * the migrated template or PostgreSQL from DATABASE_URL. Each test makes its own tenants.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../../src/config.ts';
import { startServices, type OpenOptions, type Services } from '../../src/services.ts';
import { buildApp } from '../../src/http/app.ts';
import { upsertOperator } from '../../src/platform/operators.ts';

export const PASSWORD = 'correct-horse-battery';

export interface TestTenant {
  readonly id: string;
  readonly slug: string;
  readonly tier: 'pooled' | 'schema';
  readonly adminEmail: string;
  readonly adminToken: string;
  readonly refreshToken: string;
}

export interface TestApp {
  readonly app: FastifyInstance;
  readonly services: Services;
  readonly config: Config;
  /** A fresh operator's access token. */
  operatorToken(): Promise<string>;
  /** Creates a tenant through the operator API and signs its admin in. */
  createTenant(tier?: 'pooled' | 'schema'): Promise<TestTenant>;
  /** Lets `runDue` run the jobs of a practice this test made without createTenant. */
  adoptTenant(id: string): void;
  /** Calls a tenant route as `tenant` (X-Tenant header + bearer token). */
  api(tenant: { slug: string }, token: string, options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export function uniqueSlug(prefix = 't'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/** Options that open the test database: PGlite loads the template; PostgreSQL uses DATABASE_URL. */
export function testOpenOptions(): OpenOptions {
  const template = process.env.HEALTHTRACK_TEST_TEMPLATE;
  if (process.env.DATABASE_URL || !template) return { inMemory: true };
  return { loadDataDir: new Blob([readFileSync(template)]) };
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  // No background job runner in tests: they run due jobs themselves, deterministically.
  return { ...loadConfig({ ...process.env, HEALTHTRACK_DEMO: '0', HEALTHTRACK_JOBS: '0' }), ...overrides };
}

export async function startTestApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  const config = testConfig(overrides);
  const services = await startServices(config, testOpenOptions());
  const app = await buildApp(services, { logger: false });
  await app.ready();
  const operatorEmail = `op-${randomBytes(4).toString('hex')}@ops.test`;
  await upsertOperator(services.db, { email: operatorEmail, password: PASSWORD });
  let opToken: string | undefined;
  // Due jobs of this process's practices only (see JobRunner.restrictTo); practices made outside
  // createTenant join with adoptTenant.
  const ownTenants: string[] = [];
  services.jobs.restrictTo(() => ownTenants);

  const testApp: TestApp = {
    app,
    services,
    config,
    async operatorToken() {
      if (opToken) return opToken;
      const res = await app.inject({ method: 'POST', url: '/platform/auth/login', payload: { email: operatorEmail, password: PASSWORD } });
      if (res.statusCode !== 200) throw new Error(`operator login failed: ${res.body}`);
      opToken = res.json().accessToken as string;
      return opToken;
    },
    async createTenant(tier = 'pooled') {
      const slug = uniqueSlug(tier === 'schema' ? 's' : 'p');
      const adminEmail = `admin@${slug}.test`;
      const created = await app.inject({
        method: 'POST',
        url: '/platform/tenants',
        headers: { authorization: `Bearer ${await testApp.operatorToken()}` },
        payload: { slug, name: `Practice ${slug}`, tier, admin: { email: adminEmail, password: PASSWORD, name: 'Admin' } },
      });
      if (created.statusCode !== 201) throw new Error(`tenant create failed: ${created.body}`);
      const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: slug, email: adminEmail, password: PASSWORD } });
      if (login.statusCode !== 200) throw new Error(`admin login failed: ${login.body}`);
      const body = login.json();
      ownTenants.push(created.json().tenant.id);
      return { id: created.json().tenant.id, slug, tier, adminEmail, adminToken: body.accessToken, refreshToken: body.refreshToken };
    },
    adoptTenant(id) {
      ownTenants.push(id);
    },
    api(tenant, token, options) {
      return app.inject({ ...options, headers: { 'x-tenant': tenant.slug, authorization: `Bearer ${token}`, ...(options.headers ?? {}) } });
    },
    async close() {
      await app.close();
      await services.close();
    },
  };
  return testApp;
}
