/**
 * Renders an intake form definition for filling: every field type, required marks, help, conditional
 * visibility and consent with a typed signature. The form builder's live preview and the patient's
 * link page both use it, so what staff preview is what patients see.
 */
import { useId, type ReactNode } from 'react';
import type { AnswerValue, Answers, ConsentAnswer, FormDefinition, FormField } from './types.ts';
import { evaluateForm } from './visibility.ts';
import './forms.css';

export interface FormRendererProps {
  readonly definition: FormDefinition;
  readonly answers: Answers;
  onChange(next: Answers): void;
  /** Messages by field id (`packs`, or `privacy.signatureName` for a consent's signature). */
  readonly errors?: Readonly<Record<string, string>>;
  /** Heading level of the section titles (the page title is above them). */
  readonly headingLevel?: 2 | 3;
}

/** Field errors from the API (`answers.<id>` / `answers.<id>.signatureName`) keyed as the renderer wants them. */
export function answerErrors(errors: readonly { field: string; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) {
    const key = e.field.replace(/^answers[./]/, '').replace(/\//g, '.');
    out[key] ??= e.message;
  }
  return out;
}

export function FormRenderer({ definition, answers, onChange, errors = {}, headingLevel = 2 }: FormRendererProps) {
  const prefix = useId();
  const { visible } = evaluateForm(definition, answers);
  const set = (id: string, value: AnswerValue) => onChange({ ...answers, [id]: value });
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <div className="form-render">
      {definition.sections.map((section) => {
        const shown = section.fields.filter((f) => visible.has(f.id));
        if (shown.length === 0) return null;
        return (
          <section key={section.id} className="form-render-section" aria-labelledby={`${prefix}-s-${section.id}`}>
            <Heading id={`${prefix}-s-${section.id}`}>{section.title}</Heading>
            {section.description ? <p className="muted">{section.description}</p> : null}
            {shown.map((field) => (
              <FieldInput key={field.id} idBase={`${prefix}-f-${field.id}`} field={field} value={answers[field.id]} onChange={(v) => set(field.id, v)} errors={errors} />
            ))}
          </section>
        );
      })}
    </div>
  );
}

function RequiredMark({ required }: { required?: boolean | undefined }) {
  if (!required) return null;
  return (
    <>
      <span aria-hidden="true" className="required-mark"> *</span>
      <span className="visually-hidden"> (required)</span>
    </>
  );
}

interface FieldInputProps {
  readonly idBase: string;
  readonly field: FormField;
  readonly value: AnswerValue;
  onChange(value: AnswerValue): void;
  readonly errors: Readonly<Record<string, string>>;
}

function FieldInput({ idBase, field, value, onChange, errors }: FieldInputProps) {
  const error = errors[field.id];
  const helpId = field.help ? `${idBase}-help` : undefined;
  const errId = error ? `${idBase}-err` : undefined;
  const describedBy = [errId, helpId].filter(Boolean).join(' ') || undefined;
  const common = { 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy, 'aria-required': field.required || undefined } as const;
  const label = (
    <>
      {field.label}
      <RequiredMark required={field.required} />
    </>
  );
  const after = (
    <>
      {field.help ? <div className="field-hint" id={helpId}>{field.help}</div> : null}
      {error ? <div className="field-error" id={errId} role="alert">{error}</div> : null}
    </>
  );
  const v = field.validation ?? {};
  switch (field.type) {
    case 'text':
    case 'long_text':
    case 'date':
    case 'number':
      return (
        <div className={`field${error ? ' field-invalid' : ''}`}>
          <label htmlFor={idBase}>{label}</label>
          {field.type === 'long_text' ? (
            <textarea id={idBase} {...common} value={typeof value === 'string' ? value : ''} maxLength={v.maxLength} onChange={(e) => onChange(e.target.value)} />
          ) : field.type === 'number' ? (
            <input
              id={idBase}
              type="number"
              inputMode="decimal"
              {...common}
              min={typeof v.min === 'number' ? v.min : undefined}
              max={typeof v.max === 'number' ? v.max : undefined}
              step={v.integer ? 1 : 'any'}
              value={typeof value === 'number' ? String(value) : ''}
              onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.valueAsNumber)}
            />
          ) : (
            <input
              id={idBase}
              type={field.type === 'date' ? 'date' : 'text'}
              {...common}
              autoComplete={autoCompleteFor(field)}
              maxLength={field.type === 'text' ? v.maxLength : undefined}
              value={typeof value === 'string' ? value : ''}
              onChange={(e) => onChange(e.target.value)}
            />
          )}
          {after}
        </div>
      );
    case 'yes_no':
      return (
        <Choices legend={label} error={error} after={after} describedBy={describedBy} required={field.required}>
          {[true, false].map((b) => (
            <div className="checkbox" key={String(b)}>
              <input type="radio" id={`${idBase}-${b}`} name={idBase} checked={value === b} onChange={() => onChange(b)} />
              <label htmlFor={`${idBase}-${b}`}>{b ? 'Yes' : 'No'}</label>
            </div>
          ))}
        </Choices>
      );
    case 'single_choice':
      return (
        <Choices legend={label} error={error} after={after} describedBy={describedBy} required={field.required}>
          {(field.options ?? []).map((o, i) => (
            <div className="checkbox" key={o.value + i}>
              <input type="radio" id={`${idBase}-${i}`} name={idBase} checked={value === o.value} onChange={() => onChange(o.value)} />
              <label htmlFor={`${idBase}-${i}`}>{o.label}</label>
            </div>
          ))}
          {value !== undefined && !field.required ? (
            <button type="button" className="btn btn-link btn-small" onClick={() => onChange(undefined)}>Clear choice</button>
          ) : null}
        </Choices>
      );
    case 'multiple_choice': {
      const list = Array.isArray(value) ? value : [];
      const options = field.options ?? [];
      return (
        <Choices legend={label} error={error} after={after} describedBy={describedBy} required={field.required}>
          {options.map((o, i) => (
            <div className="checkbox" key={o.value + i}>
              <input
                type="checkbox"
                id={`${idBase}-${i}`}
                checked={list.includes(o.value)}
                onChange={(e) => {
                  const next = e.target.checked ? [...list, o.value] : list.filter((x) => x !== o.value);
                  // Stored in option order, as the server stores it.
                  onChange(options.map((x) => x.value).filter((x) => next.includes(x)));
                }}
              />
              <label htmlFor={`${idBase}-${i}`}>{o.label}</label>
            </div>
          ))}
        </Choices>
      );
    }
    case 'consent': {
      const c: ConsentAnswer = typeof value === 'object' && value !== null && !Array.isArray(value) ? value : { agreed: false };
      const sigError = errors[`${field.id}.signatureName`];
      return (
        <Choices legend={label} error={error} after={after} describedBy={describedBy} required={field.required}>
          <div className="consent-text">{field.consent?.text}</div>
          <div className="checkbox">
            <input type="checkbox" id={`${idBase}-agree`} checked={c.agreed} onChange={(e) => onChange({ ...c, agreed: e.target.checked })} />
            <label htmlFor={`${idBase}-agree`}>I agree</label>
          </div>
          <div className={`field${sigError ? ' field-invalid' : ''}`}>
            <label htmlFor={`${idBase}-sig`}>Type your full name to sign</label>
            <input
              id={`${idBase}-sig`}
              type="text"
              autoComplete="name"
              aria-invalid={sigError ? true : undefined}
              aria-describedby={sigError ? `${idBase}-sigerr` : undefined}
              value={c.signatureName ?? ''}
              onChange={(e) => onChange({ ...c, signatureName: e.target.value })}
            />
            {sigError ? <div className="field-error" id={`${idBase}-sigerr`} role="alert">{sigError}</div> : null}
          </div>
        </Choices>
      );
    }
  }
}

/** A group of choices; "(required)" is in its legend (aria-required is not allowed on a group). */
function Choices({ legend, error, after, children, describedBy }: { legend: ReactNode; error?: string | undefined; after: ReactNode; children: ReactNode; describedBy?: string | undefined; required?: boolean | undefined }) {
  return (
    <fieldset className={`form-render-choice${error ? ' field-invalid' : ''}`} aria-describedby={describedBy}>
      <legend>{legend}</legend>
      {children}
      {after}
    </fieldset>
  );
}

function autoCompleteFor(field: FormField): string | undefined {
  switch (field.mapsTo) {
    case 'phone': return 'tel';
    case 'email': return 'email';
    case 'address.line1': return 'address-line1';
    case 'address.line2': return 'address-line2';
    case 'address.city': return 'address-level2';
    case 'address.region': return 'address-level1';
    case 'address.postalCode': return 'postal-code';
    case 'address.country': return 'country';
    default: return undefined;
  }
}
