/**
 * The intake form definition as the web app sees it (docs/forms.md is the contract; the server's
 * schema in src/domain/forms/form-schemas.ts is the source of truth and checks every save).
 */

export const FIELD_TYPES = ['text', 'long_text', 'number', 'date', 'single_choice', 'multiple_choice', 'yes_no', 'consent'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const FIELD_TYPE_LABELS: Readonly<Record<FieldType, string>> = {
  text: 'Short text',
  long_text: 'Long text',
  number: 'Number',
  date: 'Date',
  single_choice: 'Single choice',
  multiple_choice: 'Multiple choice',
  yes_no: 'Yes / no',
  consent: 'Consent with signature',
};

// One list with the server: the API validates against the same module.
import type { MappingTarget } from '../../../src/domain/forms/mapping-targets.ts';
export { MAPPING_TARGETS, type MappingTarget } from '../../../src/domain/forms/mapping-targets.ts';

export interface FieldValidation {
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  min?: number | string;
  max?: number | string;
  integer?: boolean;
  minSelected?: number;
  maxSelected?: number;
}

export interface ChoiceOption {
  value: string;
  label: string;
}

export interface FormField {
  id: string;
  type: FieldType;
  label: string;
  help?: string;
  required?: boolean;
  validation?: FieldValidation;
  options?: ChoiceOption[];
  visibleIf?: Record<string, unknown>;
  mapsTo?: MappingTarget;
  consent?: { text: string };
}

export interface FormSection {
  id: string;
  title: string;
  description?: string;
  fields: FormField[];
}

export interface FormDefinition {
  title: string;
  description?: string;
  sections: FormSection[];
}

export interface ConsentAnswer {
  agreed: boolean;
  signatureName?: string;
}

/** What the renderer holds per field while someone fills the form. */
export type AnswerValue = string | number | boolean | string[] | ConsentAnswer | undefined;
export type Answers = Readonly<Record<string, AnswerValue>>;
