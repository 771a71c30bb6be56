/**
 * The closed catalogue of error codes. Each code has one HTTP status and one meaning, is never
 * reused, and is documented in docs/errors.md (a test keeps the two in step).
 */

export const ERROR_CODES = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  invalid_json: { status: 400, title: 'The request body is not valid JSON' },
  tenant_required: { status: 400, title: 'No practice named by subdomain or X-Tenant header' },
  tenant_mismatch: { status: 400, title: 'Subdomain and X-Tenant header name different practices' },
  invalid_cursor: { status: 400, title: 'The pagination cursor is not valid' },
  token_missing: { status: 401, title: 'Authentication is required' },
  token_invalid: { status: 401, title: 'The access token is not valid' },
  token_expired: { status: 401, title: 'The access token has expired' },
  token_tenant_mismatch: { status: 401, title: 'The access token belongs to another practice' },
  invalid_credentials: { status: 401, title: 'Email or password is wrong' },
  refresh_token_invalid: { status: 401, title: 'The refresh token is not valid' },
  refresh_token_reused: { status: 401, title: 'The refresh token was already used; its session has been revoked' },
  permission_denied: { status: 403, title: 'Your role does not allow this action' },
  tenant_suspended: { status: 403, title: 'This practice is suspended' },
  membership_inactive: { status: 403, title: 'Your access to this practice is disabled' },
  not_found: { status: 404, title: 'Not found' },
  tenant_not_found: { status: 404, title: 'No such practice' },
  route_not_found: { status: 404, title: 'No such route' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  slug_taken: { status: 409, title: 'A practice with this slug already exists' },
  subdomain_taken: { status: 409, title: 'Another practice already uses this name as its slug or subdomain' },
  version_conflict: { status: 409, title: 'The resource was changed by someone else' },
  conflict: { status: 409, title: 'A concurrent request changed the same data; retry' },
  patient_archived: { status: 409, title: 'The patient is archived' },
  // booking
  scheduling_rule_violation: { status: 409, title: "The booking breaks one of the practice's scheduling rules" },
  slot_taken: { status: 409, title: 'The time is no longer free' },
  invalid_transition: { status: 409, title: 'The appointment or workflow cannot move to that status or state from its current one' },
  transition_guard_failed: { status: 409, title: "The workflow transition's condition does not hold" },
  series_conflicts: { status: 409, title: 'Some occurrences of the series cannot be booked' },
  idempotency_key_reused: { status: 422, title: 'The Idempotency-Key was already used with a different request' },
  // scheduling configuration
  already_exists: { status: 409, title: 'A record with the same unique value already exists' },
  // billing
  invoice_not_draft: { status: 409, title: 'The invoice is not in the status this action needs' },
  invoice_not_payable: { status: 409, title: 'The invoice does not take payments in its current status' },
  appointment_not_billable: { status: 409, title: 'The appointment cannot be invoiced' },
  appointment_already_invoiced: { status: 409, title: 'The appointment already has an invoice' },
  patient_has_no_email: { status: 409, title: 'The patient has no email address' },
  // waitlist
  offer_unavailable: { status: 409, title: 'This waitlist offer has already been used or withdrawn' },
  offer_expired: { status: 410, title: 'This waitlist offer has expired' },
  // intake forms
  form_archived: { status: 409, title: 'The form is archived' },
  form_link_used: { status: 409, title: 'This form link has already been used' },
  form_link_expired: { status: 410, title: 'This form link has expired' },
  // online booking
  appointment_link_expired: { status: 410, title: 'This appointment link has expired' },
  // webhooks
  webhook_limit_reached: { status: 409, title: 'The practice already has the most webhook endpoints allowed' },
  webhook_endpoint_inactive: { status: 409, title: 'The webhook endpoint is not active' },
  webhook_delivery_not_retryable: { status: 409, title: 'Only a failed or exhausted webhook delivery can be retried' },
  // branding
  logo_invalid: { status: 400, title: 'The logo is not a valid PNG or JPEG image of the declared type' },
  logo_too_large: { status: 413, title: 'The logo is too large' },
  // access and plans
  last_admin: { status: 409, title: 'The practice must keep an active member who can manage staff' },
  role_in_use: { status: 409, title: 'The role is still assigned to staff members' },
  built_in_role: { status: 409, title: 'Built-in roles cannot be changed or deleted' },
  feature_not_in_plan: { status: 403, title: "This feature is not included in the practice's plan" },
  plan_limit_reached: { status: 409, title: "The practice's plan limit is reached" },
  bad_url: { status: 400, title: 'The URL is malformed' },
  uri_too_long: { status: 414, title: 'A path segment of the URL is too long' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported content type' },
  precondition_failed: { status: 412, title: 'The If-Match version does not match' },
  login_throttled: { status: 429, title: 'Too many failed sign-in attempts; try again later' },
  // password reset
  reset_token_invalid: { status: 400, title: 'The password reset link is not valid' },
  reset_token_used: { status: 409, title: 'The password reset link was already used' },
  reset_token_expired: { status: 410, title: 'The password reset link has expired' },
  rate_limited: { status: 429, title: 'Too many requests' },
  tenant_rate_limited: { status: 429, title: "The practice's request rate limit is reached; retry after Retry-After seconds" },
  tenant_concurrency_limited: { status: 429, title: 'The practice has too many requests in progress; retry after Retry-After seconds' },
  internal_error: { status: 500, title: 'Something went wrong on our side' },
  database_unavailable: { status: 503, title: 'The database is unavailable; retry shortly' },
  statement_timeout: { status: 503, title: 'The request took too long in the database and was cancelled; retry shortly' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One field-level problem, named by its JSON path (e.g. `dateOfBirth`, `address.postalCode`). */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** One occurrence of a recurring series and whether it can be booked (`series_conflicts` lists them all). */
export interface OccurrenceReport {
  readonly start: string;
  readonly ok: boolean;
  readonly rule?: string;
  readonly detail?: string;
}

/** An error the API answers with as problem+json; anything else becomes `internal_error`. */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly extra: { errors?: readonly FieldError[]; retryAfterSeconds?: number; rule?: string; occurrences?: readonly OccurrenceReport[] } = {},
  ) {
    super(detail ?? ERROR_CODES[code].title);
    this.status = ERROR_CODES[code].status;
    this.name = 'AppError';
  }
}

/** Field-level validation failure. */
export function validationError(errors: readonly FieldError[], detail = 'One or more fields are not valid'): AppError {
  return new AppError('validation_failed', detail, { errors });
}

/** The uniform answer for another tenant's resource and for a missing one alike. */
export function notFound(what = 'resource'): AppError {
  return new AppError('not_found', `No such ${what}`);
}
