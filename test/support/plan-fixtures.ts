/** Plan and feature-flag helpers for tests: the operator API, as an operator would call it. */
import assert from 'node:assert/strict';
import type { TestApp } from './harness.ts';

/** Moves the practice to `plan` (takes effect on its next request). */
export async function setPlan(t: TestApp, tenant: { slug: string }, plan: string): Promise<void> {
  const res = await t.app.inject({
    method: 'PUT',
    url: `/platform/tenants/${tenant.slug}/plan`,
    headers: { authorization: `Bearer ${await t.operatorToken()}` },
    payload: { plan },
  });
  assert.equal(res.statusCode, 200, res.body);
}

/** Overrides one feature for the practice; `null` lets the plan decide again. */
export async function setFeature(t: TestApp, tenant: { slug: string }, feature: string, enabled: boolean | null): Promise<void> {
  const res = await t.app.inject({
    method: 'PUT',
    url: `/platform/tenants/${tenant.slug}/features/${feature}`,
    headers: { authorization: `Bearer ${await t.operatorToken()}` },
    payload: { enabled },
  });
  assert.equal(res.statusCode, 200, res.body);
}
