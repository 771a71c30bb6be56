/** Renders every error as RFC 9457 problem+json with a stable `code`, in one place. */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_CODES, type ErrorCode, type FieldError } from '../errors/catalogue.ts';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../db/availability.ts';

export const PROBLEM_TYPE_BASE = 'https://healthtrack.dev/errors/';

interface AjvIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/**
 * A value that fails a nullable field (`null` or a string with a format) fails both branches of the
 * union, and the validator reports three issues: "must be null", the real one, and "must match a
 * schema in anyOf". Only the real one helps, so the union noise goes when a specific issue exists
 * for the same path.
 */
function withoutUnionNoise(issues: readonly AjvIssue[]): AjvIssue[] {
  const isNoise = (i: AjvIssue) => i.keyword === 'anyOf' || (i.keyword === 'type' && i.params?.type === 'null');
  const specific = new Set(issues.filter((i) => !isNoise(i)).map((i) => i.instancePath ?? ''));
  return issues.filter((i) => !isNoise(i) || !specific.has(i.instancePath ?? ''));
}

/** Turns validator output into field errors named by dotted path (`address.postalCode`). */
function fieldErrors(issues: readonly AjvIssue[], part: string | undefined): FieldError[] {
  return withoutUnionNoise(issues).map((issue) => {
    const path = (issue.instancePath ?? '').split('/').filter(Boolean);
    const extra = issue.params?.missingProperty ?? issue.params?.additionalProperty;
    if (typeof extra === 'string') path.push(extra);
    let message = issue.message ?? 'is not valid';
    if (issue.keyword === 'additionalProperties') message = 'is not a known field';
    if (issue.keyword === 'required') message = 'is required';
    const field = path.join('.') || (part === 'body' ? '(body)' : part ?? '(request)');
    return { field, message };
  });
}

/** Seconds a client waits after `statement_timeout`: long enough for a burst of heavy work to pass. */
export const STATEMENT_TIMEOUT_RETRY_AFTER_SECONDS = 2;

/** 503 `database_unavailable` with Retry-After: the database is restarting or unreachable. */
export function databaseUnavailable(): AppError {
  return new AppError('database_unavailable', undefined, { retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS });
}

/** Maps anything thrown by a route or hook to an AppError. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const fe = err as FastifyError & { validation?: AjvIssue[]; validationContext?: string };
  if (fe.validation) {
    return new AppError('validation_failed', `The ${fe.validationContext ?? 'request'} is not valid`, {
      errors: fieldErrors(fe.validation, fe.validationContext),
    });
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('invalid_json', fe.message);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('unsupported_media_type', fe.message);
  }
  if (fe.statusCode === 400 && fe instanceof SyntaxError) return new AppError('invalid_json', fe.message);
  // The static file server refuses a directory (/assets/) or a hidden file with 403/404 errors of
  // its own: to a client those are simply paths with nothing there.
  if (fe.statusCode === 403 || fe.statusCode === 404) return new AppError('route_not_found', 'No such file');
  const pgCode = (err as { code?: string }).code;
  // Unique violations and serialisation failures reach here only from races a use case did not
  // anticipate: the request lost, nothing was written, and a retry is the right answer.
  if (pgCode === '23505' || pgCode === '40001' || pgCode === '40P01') return new AppError('conflict');
  if (isDatabaseUnavailable(err)) return databaseUnavailable();
  // query_canceled: the statement timeout (or an operator's pg_cancel_backend) stopped it; the
  // transaction rolled back, so a retry once the load has passed is safe.
  if (pgCode === '57014') return new AppError('statement_timeout', undefined, { retryAfterSeconds: STATEMENT_TIMEOUT_RETRY_AFTER_SECONDS });
  return new AppError('internal_error');
}

/** Sends the problem document. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  const spec = ERROR_CODES[error.code as ErrorCode];
  if (error.extra.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.extra.retryAfterSeconds));
  if (error.status === 401) reply.header('www-authenticate', `Bearer error="${error.code === 'token_missing' ? 'invalid_request' : 'invalid_token'}"`);
  return reply
    .code(error.status)
    .type('application/problem+json')
    .send({
      type: PROBLEM_TYPE_BASE + error.code,
      title: spec.title,
      status: error.status,
      code: error.code,
      detail: error.detail ?? spec.title,
      instance: request.url.split('?')[0],
      requestId: request.id,
      ...(error.extra.errors ? { errors: error.extra.errors } : {}),
      ...(error.extra.rule ? { rule: error.extra.rule } : {}),
      ...(error.extra.occurrences ? { occurrences: error.extra.occurrences } : {}),
    });
}
