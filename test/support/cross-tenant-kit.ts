/** Shared assertions of the cross-tenant test files: another practice's id must look like no id at all. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';

/** A well-formed UUIDv7 that no practice owns. */
export const NOWHERE = '01900000-0000-7000-8000-000000000000';

export function assertNotFound(res: LightMyRequestResponse): void {
  assert.equal(res.statusCode, 404, res.body);
  assert.equal(res.json().code, 'not_found');
}

const strip = (b: Record<string, unknown>) => ({ ...b, instance: undefined, requestId: undefined });

/** `theirs` (another practice's id) must be a 404 indistinguishable from `nowhere` (no practice's id). */
export function assertLikeMissing(theirs: LightMyRequestResponse, nowhere: LightMyRequestResponse): void {
  assertNotFound(theirs);
  assertNotFound(nowhere);
  assert.deepEqual(strip(theirs.json()), strip(nowhere.json()), 'another practice’s id answers like a missing one');
}

export type CrossTenantCase<P> = (attacker: P, victim: P) => Promise<void>;

/** Runs every coverage case for each (attacker, victim) pair, one test per route and pair. */
export function runCoveragePairs<P, K extends string>(
  practices: Record<K, P>,
  coverage: Record<string, CrossTenantCase<P>>,
  pairs: readonly (readonly [K, K, string])[],
): void {
  for (const [a, b, label] of pairs) {
    describe(`${label}: practice ${a} against practice ${b}`, () => {
      for (const [route, check] of Object.entries(coverage)) {
        test(`${route} reveals nothing of ${b}`, () => check(practices[a], practices[b]));
      }
    });
  }
}
