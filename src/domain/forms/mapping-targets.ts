/**
 * The patient-record fields a form answer may update. A plain module with no imports, shared by the
 * server (schema validation) and the web app's form builder, so the two lists cannot drift.
 */
/** See patient-targets.ts for the answer types each target accepts. */
export const MAPPING_TARGETS = [
  'preferredName',
  'phone',
  'email',
  'sex',
  'address.line1',
  'address.line2',
  'address.city',
  'address.region',
  'address.postalCode',
  'address.country',
  'allergies',
] as const;
export type MappingTarget = (typeof MAPPING_TARGETS)[number];
