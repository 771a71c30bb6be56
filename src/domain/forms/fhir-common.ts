/** What the FHIR export and import share: extension URLs and the item type mapping. */
import type { FieldType } from './form-schemas.ts';

/** HealthTrack's own extensions, for what FHIR R4 has no element for (read back on import). */
export const HT_EXT = {
  mapsTo: 'https://healthtrack.dev/fhir/StructureDefinition/maps-to',
  visibleIf: 'https://healthtrack.dev/fhir/StructureDefinition/visible-if',
  consent: 'https://healthtrack.dev/fhir/StructureDefinition/consent',
  minDate: 'https://healthtrack.dev/fhir/StructureDefinition/min-date',
  maxDate: 'https://healthtrack.dev/fhir/StructureDefinition/max-date',
} as const;

/** Core and SDC extensions used for validation rules and help text. */
export const FHIR_EXT = {
  minLength: 'http://hl7.org/fhir/StructureDefinition/minLength',
  regex: 'http://hl7.org/fhir/StructureDefinition/regex',
  minValue: 'http://hl7.org/fhir/StructureDefinition/minValue',
  maxValue: 'http://hl7.org/fhir/StructureDefinition/maxValue',
  minOccurs: 'http://hl7.org/fhir/StructureDefinition/questionnaire-minOccurs',
  maxOccurs: 'http://hl7.org/fhir/StructureDefinition/questionnaire-maxOccurs',
  itemControl: 'http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl',
} as const;

export const ITEM_CONTROL_SYSTEM = 'http://hl7.org/fhir/questionnaire-item-control';
export const FORM_KEY_SYSTEM = 'https://healthtrack.dev/fhir/form-key';

/** Our field type → FHIR R4 item type (number depends on `integer`; consent is a boolean with a display child). */
export function fhirItemType(type: FieldType, integer: boolean): string {
  switch (type) {
    case 'text':
      return 'string';
    case 'long_text':
      return 'text';
    case 'number':
      return integer ? 'integer' : 'decimal';
    case 'date':
      return 'date';
    case 'single_choice':
    case 'multiple_choice':
      return 'choice';
    case 'yes_no':
    case 'consent':
      return 'boolean';
  }
}

export interface FhirExtension {
  readonly url: string;
  readonly [value: string]: unknown;
}

/** A FHIR resource as plain JSON. */
export type FhirJson = Record<string, unknown>;
