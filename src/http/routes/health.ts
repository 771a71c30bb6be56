/** Liveness and readiness probes. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Services } from '../../services.ts';
import { asPlatform } from '../../tenancy/tenant-db.ts';
import { databaseUnavailable } from '../problem.ts';
import { problems } from '../schemas.ts';

export function healthRoutes(services: Services) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/healthz', {
      schema: { tags: ['Operations'], summary: 'The process is up', response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
    }, async () => ({ status: 'ok' as const }));

    app.get('/readyz', {
      schema: {
        tags: ['Operations'],
        summary: 'The database answers',
        response: { 200: Type.Object({ status: Type.Literal('ready'), database: Type.String() }), ...problems(503) },
      },
    }, async () => {
      try {
        await asPlatform(services.db, (tx) => tx.query('select 1'));
      } catch {
        throw databaseUnavailable();
      }
      return { status: 'ready' as const, database: services.db.kind };
    });
  };
}
