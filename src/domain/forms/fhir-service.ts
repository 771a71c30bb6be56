/** FHIR use cases: export a form version as a Questionnaire, import a Questionnaire as a new form. */
import { AppError } from '../../errors/catalogue.ts';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import { checkFormDefinition } from './definition-check.ts';
import type { FhirJson } from './fhir-common.ts';
import { toQuestionnaire } from './fhir-export.ts';
import { fromQuestionnaire, toFhirPaths } from './fhir-import.ts';
import type { Form, FormDefinition } from './form-schemas.ts';
import { createFormIn, findForm, findVersion, freeKey } from './form-service.ts';

/** One version of a form as a FHIR R4 Questionnaire. */
export async function exportQuestionnaire(ctx: TenantContext, formId: string, version: number): Promise<FhirJson> {
  return ctx.tx(async (tx) => {
    const form = await findForm(tx, formId);
    const v = await findVersion(tx, form, version);
    return toQuestionnaire(v.definition, { formId: form.id, key: form.key, version: v.version, status: form.status, createdAt: new Date(v.created_at).toISOString() });
  });
}

/**
 * Creates a form (version 1) from a Questionnaire. The key is `key` when given (409 if taken),
 * else the form key the export carried, the Questionnaire's name or its title, made unique.
 * Every problem is reported at the FHIR path it comes from.
 */
export async function importQuestionnaire(ctx: TenantContext, questionnaire: unknown, key?: string): Promise<Form> {
  const converted = fromQuestionnaire(questionnaire);
  let def: FormDefinition;
  try {
    def = checkFormDefinition(converted.definition);
  } catch (err) {
    if (err instanceof AppError && err.extra.errors) {
      throw new AppError('validation_failed', 'The Questionnaire cannot be imported', { errors: toFhirPaths(err.extra.errors, converted.origins) });
    }
    throw err;
  }
  return ctx.tx(async (tx) => createFormIn(tx, ctx, key ?? (await freeKey(tx, converted.keyHint)), def, { source: 'fhir' }));
}
