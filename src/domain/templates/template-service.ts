/**
 * Message template use cases: list, read, save a new version, go back to the default, list
 * versions, and preview. Saving and reverting are audited; templates hold no PHI.
 */
import { notFound, validationError, type FieldError } from '../../errors/catalogue.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { DEFAULT_TEMPLATES, type TemplateSet } from './default-templates.ts';
import { allowedFilters } from './liquid-sandbox.ts';
import { FIXED_KINDS, isMessageKind, KIND_TITLES, KIND_VARIABLES, MESSAGE_KINDS, sampleVariables, type MessageKind } from './message-kinds.ts';
import { practiceVariables } from './practice-variables.ts';
import { FieldRenderError, renderTemplateSet, type RenderedMessage } from './render-message.ts';
import type { PreviewInput, TemplateDetail, TemplateInput, TemplateSummary, TemplateVersionView, VersionsQuery } from './template-schemas.ts';
import { appendVersion, latestPerKind, listVersions, templateInForce, type TemplateVersion } from './template-store.ts';
import { checkTemplateSet } from './template-validation.ts';

/** The kind named in a URL, or 404 like any unknown resource. */
function requireKind(kind: string): MessageKind {
  if (!isMessageKind(kind)) throw notFound('message kind');
  return kind;
}

const describeKind = (kind: MessageKind) => ({ kind, ...KIND_TITLES[kind], variables: [...KIND_VARIABLES[kind]] });

/** Every kind with whether the practice's own version is in force. */
export async function listTemplates(ctx: TenantContext): Promise<TemplateSummary[]> {
  const latest = await ctx.tx((tx) => latestPerKind(tx));
  return MESSAGE_KINDS.map((kind) => {
    const saved = latest.get(kind);
    return { ...describeKind(kind), overridden: saved !== undefined && !saved.isDefault, version: saved?.version ?? null, updatedAt: saved?.createdAt ?? null };
  });
}

/** One kind: the template in force, the default, the variables and the allowed filters. */
export async function getTemplate(ctx: TenantContext, kindParam: string): Promise<TemplateDetail> {
  const kind = requireKind(kindParam);
  return ctx.tx(async (tx) => {
    const inForce = await templateInForce(tx, kind);
    const latest = inForce.version === null ? null : (await listVersions(tx, kind, 1))[0];
    return {
      ...describeKind(kind),
      overridden: inForce.overridden,
      version: inForce.version,
      updatedAt: latest?.createdAt ?? null,
      inForce: { ...inForce.content },
      default: { ...DEFAULT_TEMPLATES[kind] },
      filters: allowedFilters(),
    };
  });
}

/** Saves the practice's template as a new version, after the sandbox checks (400 naming the field). */
export async function saveTemplate(ctx: TenantContext, kindParam: string, input: TemplateInput): Promise<TemplateDetail> {
  const kind = requireKind(kindParam);
  const errors = checkTemplateSet(kind, input);
  if (errors.length) throw validationError(errors, 'The template is not valid');
  if (FIXED_KINDS.has(kind)) throw validationError([{ field: 'kind', message: 'is always sent with the built-in template: its link sets a password that may open other practices too' }]);
  const content: TemplateSet = { subject: input.subject, bodyHtml: input.bodyHtml, bodyText: input.bodyText };
  await ctx.tx(async (tx) => {
    const saved = await appendVersion(tx, kind, content, ctx.actor.kind === 'user' ? ctx.actor.id : null);
    await recordAudit(tx, ctx, { action: 'template.save', resourceType: 'message_template', resourceId: null, details: { kind, version: saved.version } });
  });
  return getTemplate(ctx, kind);
}

/**
 * Puts the default back in force by appending a revert marker (history keeps who and when).
 * Idempotent: when the default is already in force nothing is written.
 */
export async function revertTemplate(ctx: TenantContext, kindParam: string): Promise<void> {
  const kind = requireKind(kindParam);
  await ctx.tx(async (tx) => {
    const inForce = await templateInForce(tx, kind);
    if (!inForce.overridden) return;
    const marker = await appendVersion(tx, kind, null, ctx.actor.kind === 'user' ? ctx.actor.id : null);
    await recordAudit(tx, ctx, { action: 'template.revert', resourceType: 'message_template', resourceId: null, details: { kind, version: marker.version } });
  });
}

const toView = (v: TemplateVersion): TemplateVersionView => ({ version: v.version, isDefault: v.isDefault, content: v.content ? { ...v.content } : null, createdBy: v.createdBy, createdAt: v.createdAt });

/** Saved versions, newest first, paged by version number. */
export async function listTemplateVersions(ctx: TenantContext, kindParam: string, q: VersionsQuery): Promise<{ items: TemplateVersionView[]; nextBefore: number | null }> {
  const kind = requireKind(kindParam);
  const limit = q.limit ?? 20;
  const rows = await ctx.tx((tx) => listVersions(tx, kind, limit + 1, q.before));
  const page = rows.slice(0, limit);
  return { items: page.map(toView), nextBefore: rows.length > limit ? page[page.length - 1]!.version : null };
}

/**
 * Checks caller-provided preview values against the kind's documented variables: each leaf must be
 * a documented name with a string, number or null value. Returns the values as dotted paths.
 */
function previewValues(kind: MessageKind, variables: Record<string, unknown>): Map<string, string | number | null> {
  const docs = new Map(KIND_VARIABLES[kind].map((d) => [d.name, d]));
  const values = new Map<string, string | number | null>();
  const errors: FieldError[] = [];
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(node)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (typeof value === 'object' && value !== null && !Array.isArray(value) && !docs.has(path)) {
        walk(value as Record<string, unknown>, path);
      } else if (!docs.has(path)) {
        errors.push({ field: `variables.${path}`, message: `is not a variable of ${kind} messages` });
      } else if (value !== null && typeof value !== 'string' && typeof value !== 'number') {
        errors.push({ field: `variables.${path}`, message: `must be a ${docs.get(path)!.type} or null` });
      } else {
        values.set(path, value);
      }
    }
  };
  walk(variables, '');
  if (errors.length) throw validationError(errors);
  return values;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const key of parts.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

/**
 * Renders the given (unsaved) fields, or the template in force for the fields left out, with the
 * sample data, the practice's real branding, and the caller's variables laid over them.
 */
export async function previewTemplate(ctx: TenantContext, kindParam: string, input: PreviewInput): Promise<RenderedMessage> {
  const kind = requireKind(kindParam);
  const given = { subject: input.subject, bodyHtml: input.bodyHtml, bodyText: input.bodyText };
  const errors = checkTemplateSet(kind, given);
  if (errors.length) throw validationError(errors, 'The template is not valid');
  const values = previewValues(kind, input.variables ?? {});
  const { content, practice } = await ctx.tx(async (tx) => ({ content: (await templateInForce(tx, kind)).content, practice: await practiceVariables(tx, ctx.tenant) }));
  const set: TemplateSet = {
    subject: given.subject ?? content.subject,
    bodyHtml: given.bodyHtml ?? content.bodyHtml,
    bodyText: given.bodyText ?? content.bodyText,
  };
  const data: Record<string, unknown> = { ...sampleVariables(kind), practice: { ...practice } };
  for (const [path, value] of values) setPath(data, path, value);
  try {
    return renderTemplateSet(set, data);
  } catch (err) {
    if (err instanceof FieldRenderError) throw validationError([{ field: err.field, message: err.problem.describe() }], 'The template could not be rendered');
    throw err;
  }
}
