/**
 * Every field the API takes for a patient, with the API's own error shown next to the field it
 * names (dotted paths such as `address.postalCode`) and anything else in a banner. Browser
 * validation is off on purpose: the server's rules are the ones that count, and showing them
 * in one place keeps the messages consistent.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api.ts';
import { Button, ErrorBanner, SelectField, TextArea, TextField } from '../../ui/kit.tsx';
import type { PatientFormValues } from './patient-form-values.ts';
import { meaningfulErrors, messageFor, plainMessage } from './field-errors.ts';
import { SEX_LABELS, type Sex } from './types.ts';

/** The API fields this form shows inline; errors naming anything else go in the banner. */
const INLINE_FIELDS = [
  'firstName', 'lastName', 'preferredName', 'dateOfBirth', 'sex', 'phone', 'email',
  'address.line1', 'address.line2', 'address.city', 'address.region', 'address.postalCode', 'address.country',
] as const;

function isInline(field: string): boolean {
  return (INLINE_FIELDS as readonly string[]).includes(field) || field === 'allergies' || field.startsWith('allergies.');
}

export function PatientForm({
  initial,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  initial: PatientFormValues;
  submitLabel: string;
  /** Sends the values; a rejection with ApiError is shown on the form. */
  onSubmit: (values: PatientFormValues) => Promise<void>;
  onCancel?: () => void;
}) {
  const [values, setValues] = useState<PatientFormValues>(initial);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  // After a refused save, focus moves to the first field the API named (or the banner).
  useEffect(() => {
    if (!error) return;
    const form = formRef.current;
    const target = form?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? form?.querySelector<HTMLElement>('.banner');
    target?.focus();
  }, [error]);

  const api = error instanceof ApiError ? error : null;
  const fieldErrors = api ? meaningfulErrors(api.errors) : [];
  const fe = (field: string) => messageFor(fieldErrors, field);
  const allergyError = fieldErrors.filter((e) => e.field === 'allergies' || e.field.startsWith('allergies.')).map((e) => plainMessage(e.field, e.message)).join('; ') || undefined;
  const otherFieldErrors = fieldErrors.filter((e) => !isInline(e.field));

  const bind = (key: keyof PatientFormValues) => ({
    value: values[key],
    onChange: (e: { target: { value: string } }) => setValues((v) => ({ ...v, [key]: e.target.value })),
  });

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit(values);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form ref={formRef} noValidate onSubmit={(e) => void submit(e)} className="patient-form" aria-label="Patient details">
      {api && api.errors.length > 0 ? (
        <div className="banner banner-error" role="alert" tabIndex={-1}>
          <strong>Please check the highlighted fields</strong>
          <p>Nothing was saved. Correct the fields marked below, then save again.</p>
          {otherFieldErrors.length > 0 ? (
            <ul>
              {otherFieldErrors.map((x) => (
                <li key={x.field + x.message}><code>{x.field}</code> {plainMessage(x.field, x.message)}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : error ? (
        <div tabIndex={-1} className="banner-focus">
          <ErrorBanner error={error} title={api?.status === 409 || api?.status === 412 ? 'Someone else changed this patient' : 'The patient could not be saved'} />
        </div>
      ) : null}

      <fieldset>
        <legend>Name and birth</legend>
        <div className="row">
          <TextField label="First name" autoComplete="off" error={fe('firstName')} {...bind('firstName')} />
          <TextField label="Last name" autoComplete="off" error={fe('lastName')} {...bind('lastName')} />
        </div>
        <div className="row">
          <TextField label="Preferred name" hint="Optional: what the patient likes to be called" autoComplete="off" error={fe('preferredName')} {...bind('preferredName')} />
          <TextField label="Date of birth" type="date" error={fe('dateOfBirth')} {...bind('dateOfBirth')} />
          <SelectField label="Sex" error={fe('sex')} {...bind('sex')}>
            <option value="">Not recorded</option>
            {(Object.keys(SEX_LABELS) as Sex[]).map((s) => (
              <option key={s} value={s}>{SEX_LABELS[s]}</option>
            ))}
          </SelectField>
        </div>
      </fieldset>

      <fieldset>
        <legend>Contact</legend>
        <div className="row">
          <TextField label="Phone" type="tel" autoComplete="off" hint="Any common notation, 7 to 15 digits" error={fe('phone')} {...bind('phone')} />
          <TextField label="Email" type="email" autoComplete="off" error={fe('email')} {...bind('email')} />
        </div>
      </fieldset>

      <fieldset>
        <legend>Address</legend>
        <p className="muted small patient-form-note">Optional. When given, line 1, city and country are needed.</p>
        <div className="row">
          <TextField label="Address line 1" autoComplete="off" error={fe('address.line1')} {...bind('line1')} />
          <TextField label="Address line 2" autoComplete="off" error={fe('address.line2')} {...bind('line2')} />
        </div>
        <div className="row">
          <TextField label="City" autoComplete="off" error={fe('address.city')} {...bind('city')} />
          <TextField label="State, province or county" autoComplete="off" error={fe('address.region')} {...bind('region')} />
          <TextField label="Postal code" autoComplete="off" error={fe('address.postalCode')} {...bind('postalCode')} />
          <TextField label="Country" hint="Two-letter code, e.g. US, GB" maxLength={2} autoComplete="off" error={fe('address.country')} {...bind('country')} />
        </div>
      </fieldset>

      <TextArea label="Allergies" hint="One per line, as the patient reports them" error={allergyError} {...bind('allergies')} />

      <div className="toolbar patient-form-actions">
        <Button type="submit" busy={busy}>{submitLabel}</Button>
        {onCancel ? <Button variant="secondary" onClick={onCancel} disabled={busy}>Cancel</Button> : null}
      </div>
    </form>
  );
}
