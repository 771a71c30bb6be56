/** SQL of `message_templates`: append-only versions per kind; the highest version is in force. */
import { uuidv7 } from '../../db/uuid.ts';
import type { TenantTx } from '../../tenancy/tenant-db.ts';
import { DEFAULT_TEMPLATES, type TemplateSet } from './default-templates.ts';
import type { MessageKind } from './message-kinds.ts';

/** One saved version: a practice's own template, or a marker that it went back to the default. */
export interface TemplateVersion {
  readonly version: number;
  readonly isDefault: boolean;
  readonly content: TemplateSet | null;
  readonly createdBy: string | null;
  readonly createdAt: string;
}

interface Row {
  version: number;
  is_default: boolean;
  subject: string | null;
  body_html: string | null;
  body_text: string | null;
  created_by: string | null;
  created_at: Date;
}

const COLUMNS = 'version, is_default, subject, body_html, body_text, created_by, created_at';

function toVersion(r: Row): TemplateVersion {
  return {
    version: r.version,
    isDefault: r.is_default,
    content: r.is_default ? null : { subject: r.subject ?? '', bodyHtml: r.body_html ?? '', bodyText: r.body_text ?? '' },
    createdBy: r.created_by,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

/** The latest version of a kind, if the practice ever saved one. */
export async function latestVersion(tx: TenantTx, kind: MessageKind): Promise<TemplateVersion | undefined> {
  const res = await tx.query<Row>(
    `select ${COLUMNS} from message_templates where tenant_id = $1 and kind = $2 order by version desc limit 1`,
    [tx.tenantId, kind],
  );
  return res.rows[0] ? toVersion(res.rows[0]) : undefined;
}

/** The latest version of every kind the practice has saved (content left out). */
export async function latestPerKind(tx: TenantTx): Promise<Map<string, Omit<TemplateVersion, 'content'>>> {
  const res = await tx.query<Row & { kind: string }>(
    `select distinct on (kind) kind, version, is_default, null as subject, null as body_html, null as body_text, created_by, created_at
       from message_templates where tenant_id = $1 order by kind, version desc`,
    [tx.tenantId],
  );
  return new Map(res.rows.map((r) => [r.kind, { version: r.version, isDefault: r.is_default, createdBy: r.created_by, createdAt: new Date(r.created_at).toISOString() }]));
}

/**
 * Appends the next version (`content` null: back to the default). Two concurrent saves compute the
 * same number; the unique key refuses the second, which then answers `conflict` (retry).
 */
export async function appendVersion(tx: TenantTx, kind: MessageKind, content: TemplateSet | null, createdBy: string | null): Promise<TemplateVersion> {
  const res = await tx.query<Row>(
    `insert into message_templates (tenant_id, id, kind, version, is_default, subject, body_html, body_text, created_by)
     values ($1, $2, $3, coalesce((select max(version) from message_templates where tenant_id = $1 and kind = $3), 0) + 1, $4, $5, $6, $7, $8)
     returning ${COLUMNS}`,
    [tx.tenantId, uuidv7(), kind, content === null, content?.subject ?? null, content?.bodyHtml ?? null, content?.bodyText ?? null, createdBy],
  );
  return toVersion(res.rows[0]!);
}

/** Versions newest first, optionally older than `before`. */
export async function listVersions(tx: TenantTx, kind: MessageKind, limit: number, before?: number): Promise<TemplateVersion[]> {
  const res = await tx.query<Row>(
    `select ${COLUMNS} from message_templates
      where tenant_id = $1 and kind = $2 and ($3::int is null or version < $3)
      order by version desc limit $4`,
    [tx.tenantId, kind, before ?? null, limit],
  );
  return res.rows.map(toVersion);
}

/** What a kind sends now: the practice's latest version, or the built-in default. */
export interface TemplateInForce {
  readonly content: TemplateSet;
  readonly overridden: boolean;
  /** The latest saved version number (a revert marker included); null when never saved. */
  readonly version: number | null;
}

export async function templateInForce(tx: TenantTx, kind: MessageKind): Promise<TemplateInForce> {
  const latest = await latestVersion(tx, kind);
  if (!latest || latest.isDefault || !latest.content) return { content: DEFAULT_TEMPLATES[kind], overridden: false, version: latest?.version ?? null };
  return { content: latest.content, overridden: true, version: latest.version };
}
