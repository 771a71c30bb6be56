/** Builds the Fastify application: request id → tenant → auth → permission → handler → problem+json. */
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { registerWebApp, wantsAppPage } from './web-app.ts';
import { randomUUID } from 'node:crypto';
import type { Services } from '../services.ts';
import { AppError } from '../errors/catalogue.ts';
import { sendProblem, toAppError } from './problem.ts';
import { Problem, TENANT_HEADER_DOC } from './schemas.ts';
import { installStaffAuth } from './plugins/staff-auth.ts';
import { healthRoutes } from './routes/health.ts';
import { authRoutes } from './routes/auth.ts';
import { passwordResetRoutes } from './routes/password-reset.ts';
import { practiceSwitchRoutes } from './routes/practice-switch.ts';
import { platformRoutes } from './routes/platform.ts';
import { patientRoutes } from './routes/patients.ts';
import { auditRoutes } from './routes/audit.ts';
import { meRoutes } from './routes/me.ts';
import { roleRoutes } from './routes/roles.ts';
import { staffRoutes } from './routes/staff.ts';
import { schedulingConfigRoutes } from './routes/scheduling-config.ts';
import { calendarFeedAdminRoutes, calendarFeedPublicRoutes } from './routes/calendar-feed.ts';
import { waitlistOfferRoutes, waitlistRoutes } from './routes/waitlist.ts';
import { appointmentRoutes } from './routes/appointments.ts';
import { appointmentSeriesRoutes } from './routes/appointment-series.ts';
import { slotRoutes } from './routes/slots.ts';
import { calendarRoutes } from './routes/calendar.ts';
import { billingConfigRoutes } from './routes/billing-config.ts';
import { invoiceRoutes } from './routes/invoices.ts';
import { paymentRoutes } from './routes/payments.ts';
import { workflowRoutes } from './routes/workflows.ts';
import { taskRoutes } from './routes/tasks.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { templateRoutes } from './routes/templates.ts';
import { outboxRoutes } from './routes/outbox.ts';
import { appointmentInvoiceRoutes } from './routes/appointment-invoices.ts';
import { billingReportRoutes } from './routes/billing-reports.ts';
import { reportRoutes } from './routes/reports.ts';
import { reportSuiteRoutes } from './routes/report-suite.ts';
import { brandingPublicRoutes, brandingRoutes } from './routes/branding.ts';
import { brandingSubdomainRoutes } from './routes/branding-subdomain.ts';
import { invoiceDocumentRoutes } from './routes/invoice-documents.ts';
import { formRoutes, publicFormRoutes } from './routes/forms.ts';
import { publicBookingRoutes } from './routes/public-booking.ts';
import { rejectNulCharacters } from './plugins/nul-guard.ts';
import { installTenantAdmission } from './plugins/tenant-admission.ts';
import { observabilityPlugin } from './plugins/observability.ts';
import { newWorkScope, runInScope, type WorkScope } from '../observability/work-scope.ts';
import { installUsageMetering } from './plugins/usage-metering.ts';
import './types.ts';

const REQUEST_ID_RE = /^[A-Za-z0-9._-]{8,128}$/;
const UUID_FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Patient links and calendar feeds carry their credential in the path; logs keep the route shape
 * and the practice but never the secret, so reading logs cannot open a patient's form or offer.
 */
const SECRET_PATHS: readonly [RegExp, string][] = [
  [/^\/public\/forms\/([^/]+)\/[^/]+/, '/public/forms/$1/:token'],
  [/^\/p\/([^/]+)\/forms\/[^/]+/, '/p/$1/forms/:token'],
  [/^\/waitlist\/offers\/([^/]+)\/[^/]+/, '/waitlist/offers/$1/:token'],
  [/^\/public\/appointments\/([^/]+)\/[^/]+/, '/public/appointments/$1/:token'],
  [/^\/p\/([^/]+)\/(appointments|waitlist)\/[^/?]+/, '/p/$1/$2/:token'],
  [/^\/feeds\/([^/]+)\/providers\/([^/]+)\/[^/]+/, '/feeds/$1/providers/$2/:secret'],
];

export function redactPath(path: string): string {
  for (const [re, replacement] of SECRET_PATHS) if (re.test(path)) return path.replace(re, replacement);
  return path;
}

export interface AppOptions {
  /** Pino logger options, or false to silence (tests). */
  readonly logger?: boolean | Record<string, unknown>;
}

export async function buildApp(services: Services, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      options.logger === false
        ? false
        : {
            level: services.config.logLevel,
            // No PHI in logs: never bodies, credentials or query strings (searches carry names).
            serializers: {
              req: (req: { id: string; method: string; url: string; headers: Record<string, unknown> }) => ({
                id: req.id,
                method: req.method,
                path: redactPath(req.url.split('?')[0] ?? ''),
                tenant: typeof req.headers['x-tenant'] === 'string' ? req.headers['x-tenant'] : undefined,
              }),
            },
            ...(typeof options.logger === 'object' ? options.logger : {}),
          },
    trustProxy: process.env.HEALTHTRACK_TRUST_PROXY === '1',
    bodyLimit: 1_048_576,
    // A caller's request id is kept when it looks like one, so traces join up across services.
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID_RE.test(incoming) ? incoming : randomUUID();
    },
    // Router-level failures (malformed or over-long URLs) answer problem+json like everything else.
    frameworkErrors: (error, request, reply) => {
      const code = (error as { code?: string }).code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'uri_too_long' : 'bad_url';
      void sendProblem(request, reply, new AppError(code));
    },
    ajv: {
      customOptions: { allErrors: true, removeAdditional: false, coerceTypes: 'array', useDefaults: true },
      // ajv-formats' `uuid` also accepts a `urn:uuid:` prefix, which PostgreSQL's uuid type refuses
      // (a 500): after the formats load, `uuid` means the bare 8-4-4-4-12 form only.
      onCreate: (ajv: { addFormat(name: string, format: RegExp): unknown }) => ajv.addFormat('uuid', UUID_FORMAT),
    } as { customOptions: Record<string, unknown>; plugins?: never[] },
  });

  // Each request is one unit of work: database time anywhere below is added to its scope.
  app.decorateRequest('workScope', null as unknown as WorkScope);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    request.workScope = newWorkScope();
    runInScope(request.workScope, done);
  });
  // Per-practice rate and concurrency limits, before any database work of the request's own.
  installTenantAdmission(app, services);
  installUsageMetering(app, services.usage);
  // PostgreSQL refuses U+0000 in text: answer 400 naming the field instead of a failed statement (500).
  app.addHook('preHandler', rejectNulCharacters);
  app.decorateRequest('tenantRecord', null);
  app.addSchema(Problem);
  await app.register(observabilityPlugin, { services }); // metrics, log fields, tracing (README: Monitoring)

  app.setErrorHandler((err, request, reply) => {
    const appErr = toAppError(err);
    if (appErr.code === 'internal_error') request.log.error({ err }, 'unhandled error');
    return sendProblem(request, reply, appErr);
  });
  const web = await registerWebApp(app, services.config.webDir);
  app.setNotFoundHandler((request, reply) =>
    wantsAppPage(request) ? web.sendIndex(reply) : sendProblem(request, reply, new AppError('route_not_found', `No route ${request.method} ${request.url.split('?')[0]}`)),
  );

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'HealthTrack API',
        version: '0.1.0',
        description:
          'Multi-tenant practice management. ' +
          TENANT_HEADER_DOC +
          ' Errors are `application/problem+json` with a stable `code` (see docs/errors.md).',
      },
      components: {
        securitySchemes: {
          staffToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token from POST /auth/login' },
          operatorToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token from POST /platform/auth/login' },
          tenantHeader: { type: 'apiKey', in: 'header', name: 'X-Tenant', description: 'Practice slug; alternatively call <slug>.<base host>' },
        },
      },
    },
    transform: ({ schema, url }) => {
      const s = { ...(schema as Record<string, unknown>) };
      if (url.startsWith('/api/')) {
        s.security = [{ staffToken: [], tenantHeader: [] }];
      } else if (url.startsWith('/platform/') && !url.startsWith('/platform/auth/')) {
        s.security = [{ operatorToken: [] }];
      }
      return { schema: s as never, url };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes(services));
  await app.register(authRoutes(services));
  await app.register(passwordResetRoutes(services));
  await app.register(practiceSwitchRoutes(services));
  await app.register(platformRoutes(services), { prefix: '/platform' });
  await app.register(calendarFeedPublicRoutes(services));
  await app.register(waitlistOfferRoutes(services));
  await app.register(brandingPublicRoutes(services));
  await app.register(publicFormRoutes(services));
  await app.register(publicBookingRoutes(services));
  await app.register(
    async (api) => {
      installStaffAuth(api, services);
      await api.register(patientRoutes);
      await api.register(auditRoutes);
      await api.register(meRoutes);
      await api.register(roleRoutes);
      await api.register(staffRoutes);
      await api.register(schedulingConfigRoutes);
      await api.register(calendarFeedAdminRoutes);
      await api.register(waitlistRoutes);
      await api.register(slotRoutes);
      await api.register(appointmentRoutes);
      await api.register(appointmentSeriesRoutes);
      await api.register(calendarRoutes);
      await api.register(billingConfigRoutes);
      await api.register(invoiceRoutes);
      await api.register(paymentRoutes);
      await api.register(workflowRoutes);
      await api.register(taskRoutes);
      await api.register(brandingRoutes);
      await api.register(brandingSubdomainRoutes(services));
      await api.register(invoiceDocumentRoutes);
      await api.register(webhookRoutes(services));
      await api.register(templateRoutes);
      await api.register(outboxRoutes);
      await api.register(appointmentInvoiceRoutes);
      await api.register(billingReportRoutes);
      await api.register(reportRoutes);
      await api.register(reportSuiteRoutes(services));
      await api.register(formRoutes(services));
    },
    { prefix: '/api' },
  );
  return app;
}
