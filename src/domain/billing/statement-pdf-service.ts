/**
 * The statement PDF use case: reads the statement (statement.ts), the branding, logo, tax ids and
 * locale in one transaction, audits the read, then renders outside the transaction.
 */
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { brandingIn, logoIn } from '../branding/branding-service.ts';
import type { RenderedPdf } from './invoice-pdf-service.ts';
import type { TaxId } from './pdf-letterhead.ts';
import { renderStatementPdf, type StatementPdfView } from './statement-pdf.ts';
import type { StatementQuery } from './statement-schemas.ts';
import { statementIn } from './statement.ts';

/** `statement-<mrn>-<from>-<to>.pdf`, safe in a Content-Disposition header. */
export function statementFilename(s: { patient: { mrn: string }; from: string; to: string }): string {
  return `statement-${s.patient.mrn}-${s.from}-${s.to}`.replace(/[^A-Za-z0-9._-]+/g, '-') + '.pdf';
}

/**
 * Patient `patientId`'s statement for the period of `q` as a PDF in the practice's branding (period
 * defaults as for the JSON statement). Another practice's patient is `not_found`, like a missing one.
 * Audited as `patient.statement_pdf`: the document carries the patient's name, address and ledger.
 * @example const { bytes, filename } = await statementPdf(ctx, patientId, { from: '2026-01-01' }, tenant.name)
 */
export async function statementPdf(ctx: TenantContext, patientId: string, q: StatementQuery, practiceName: string): Promise<RenderedPdf> {
  const view = await ctx.tx(async (tx): Promise<StatementPdfView> => {
    const statement = await statementIn(tx, patientId, q);
    const facts = await tx.query<{ tax_ids: TaxId[] | null; locale: string | null }>(
      `select (select tax_ids from billing_settings where tenant_id = $1) as tax_ids, (select locale from settings where tenant_id = $1) as locale`,
      [tx.tenantId],
    );
    const logo = await logoIn(tx);
    await recordAudit(tx, ctx, {
      action: 'patient.statement_pdf',
      resourceType: 'patient',
      resourceId: patientId,
      details: { from: statement.from, to: statement.to, currency: statement.currency },
    });
    return {
      branding: await brandingIn(tx, practiceName),
      logo: logo === null ? null : { bytes: logo.bytes, contentType: logo.contentType },
      taxIds: facts.rows[0]?.tax_ids ?? [],
      locale: facts.rows[0]?.locale ?? 'en-US',
      statement,
    };
  });
  return { bytes: await renderStatementPdf(view), filename: statementFilename(view.statement) };
}
