/**
 * Renders a message of one kind for one practice: its template in force (or the default) with the
 * sender's variables plus the practice's own. Senders call `renderMessage` inside the transaction
 * that queues the message.
 */
import type { Template } from 'liquidjs';
import type { TenantRef, TenantTx } from '../../tenancy/tenant-db.ts';
import { DEFAULT_TEMPLATES, type TemplateSet } from './default-templates.ts';
import { parseTemplate, plainData, renderParsed, TemplateError, type TemplateMode } from './liquid-sandbox.ts';
import { FIXED_KINDS, type MessageKind, type MessageVariables } from './message-kinds.ts';
import { practiceVariables } from './practice-variables.ts';
import { templateInForce } from './template-store.ts';
import { SUBJECT_MAX, type TemplateField } from './template-validation.ts';

export interface RenderedMessage {
  readonly subject: string;
  /** Null when the template has no HTML body (plain-text message). */
  readonly html: string | null;
  readonly text: string;
}

/** A render failure of one field of a template set. */
export class FieldRenderError extends Error {
  constructor(readonly field: TemplateField, readonly problem: TemplateError) {
    super(`${field}: ${problem.describe()}`);
    this.name = 'FieldRenderError';
  }
}

/**
 * Parsed templates by source: parsing is pure (same source, same tree), so practices sharing the
 * defaults share their parse. Bounded; insertion order gives FIFO eviction.
 */
const parsed = new Map<string, Template[]>();
const PARSED_MAX = 500;

function parseCached(source: string, mode: TemplateMode): Template[] {
  const key = `${mode}\u0000${source}`;
  let hit = parsed.get(key);
  if (!hit) {
    hit = parseTemplate(source, mode);
    if (parsed.size >= PARSED_MAX) parsed.delete(parsed.keys().next().value as string);
    parsed.set(key, hit);
  }
  return hit;
}

function renderField(field: TemplateField, source: string, data: Record<string, unknown>, mode: TemplateMode): string {
  try {
    return renderParsed(parseCached(source, mode), data, mode);
  } catch (err) {
    throw new FieldRenderError(field, err instanceof TemplateError ? err : new TemplateError('could not be rendered', null));
  }
}

/** A subject is one line: line breaks a variable brought in become spaces, and it is cut to length. */
export function oneLine(subject: string): string {
  return subject.replace(/\s+/g, ' ').trim().slice(0, SUBJECT_MAX);
}

/**
 * Renders a template set with data that is already plain JSON. Throws FieldRenderError naming the
 * field that failed (a limit hit, a bad filter argument).
 */
export function renderTemplateSet(set: TemplateSet, data: Record<string, unknown>): RenderedMessage {
  const safe = plainData(data);
  const subject = oneLine(renderField('subject', set.subject, safe, 'text'));
  const html = set.bodyHtml.trim() === '' ? null : renderField('bodyHtml', set.bodyHtml, safe, 'html');
  const text = renderField('bodyText', set.bodyText, safe, 'text');
  return { subject, html, text };
}

/**
 * Renders the message `kind` for the practice of `tx`, from its template in force or the default.
 * A saved template that fails at send time (it passed the checks at save, so only a limit can
 * trip it) falls back to the default rather than losing the message.
 * @example const msg = await renderMessage(tx, tenant, 'appointment_reminder', { patient, appointment })
 */
export async function renderMessage<K extends MessageKind>(tx: TenantTx, tenant: Pick<TenantRef, 'id' | 'slug'>, kind: K, variables: MessageVariables[K]): Promise<RenderedMessage> {
  const data = { ...(variables as object), practice: await practiceVariables(tx, tenant) } as Record<string, unknown>;
  if (FIXED_KINDS.has(kind)) return renderTemplateSet(DEFAULT_TEMPLATES[kind], data);
  const inForce = await templateInForce(tx, kind);
  try {
    return renderTemplateSet(inForce.content, data);
  } catch (err) {
    if (!inForce.overridden || !(err instanceof FieldRenderError)) throw err;
    return renderTemplateSet(DEFAULT_TEMPLATES[kind], data);
  }
}
