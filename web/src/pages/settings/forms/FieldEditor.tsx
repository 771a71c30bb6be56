/** One question in the form builder: type, label, key, rules, choices, condition and patient-record mapping. */
import { useState } from 'react';
import { Button, Checkbox, SelectField, TextArea, TextField } from '../../../ui/kit.tsx';
import { FIELD_TYPES, FIELD_TYPE_LABELS, type FieldType, type FieldValidation, type FormField } from '../../../forms/types.ts';
import { buildCondition, defaultValueFor, isReferenced, parseCondition } from './conditions.ts';
import { changeType, keyFromLabel, targetsFor, valueFromLabel } from './draft.ts';

export interface FieldEditorProps {
  readonly number: number;
  readonly field: FormField;
  /** Fields that come before this one in the form (what a condition may read). */
  readonly earlier: readonly FormField[];
  readonly all: readonly FormField[];
  /** Errors by normalised path (`sections.0.fields.2.label`). */
  readonly errors: ReadonlyMap<string, string>;
  readonly path: string;
  onChange(next: FormField): void;
  onMove(delta: -1 | 1): void;
  onRemove(): void;
  readonly first: boolean;
  readonly last: boolean;
}

const num = (s: string): number | undefined => (s.trim() === '' || !Number.isFinite(Number(s)) ? undefined : Number(s));

export function FieldEditor({ number, field, earlier, all, errors, path, onChange, onMove, onRemove, first, last }: FieldEditorProps) {
  const err = (sub: string) => errors.get(`${path}.${sub}`);
  const own = errors.get(path);
  const set = (patch: Partial<FormField>) => onChange({ ...field, ...patch });
  const setRule = (patch: Partial<FieldValidation>) => set({ validation: { ...field.validation, ...patch } });
  const v = field.validation ?? {};
  const title = `Field ${number}: ${field.label || 'untitled'}`;
  const onLabel = (label: string) => {
    // Keep the key following the label while it is still the one made from it (and nothing reads it).
    const auto = field.id === keyFromLabel(field.label) || /^field\d*$/.test(field.id);
    const next = keyFromLabel(label);
    const taken = all.some((f) => f !== field && f.id === next);
    set({ label, ...(auto && next && !taken && !isReferenced(field.id, all) ? { id: next } : {}) });
  };
  const otherErrors = [...errors].filter(([k]) => k.startsWith(`${path}.`) && !KNOWN.some((s) => k === `${path}.${s}` || k.startsWith(`${path}.${s}.`)));
  return (
    <fieldset className="card builder-field">
      <legend>{title}</legend>
      {own ? <div className="field-error" role="alert">{own}</div> : null}
      <div className="row">
        <SelectField label="Type" value={field.type} error={err('type')} onChange={(e) => onChange(changeType(field, e.target.value as FieldType))}>
          {FIELD_TYPES.map((t) => (
            <option key={t} value={t}>{FIELD_TYPE_LABELS[t]}</option>
          ))}
        </SelectField>
        <TextField label="Question" value={field.label} error={err('label')} onChange={(e) => onLabel(e.target.value)} />
        <TextField label="Key" hint="Answers and conditions refer to it; keep it when the meaning stays" value={field.id} error={err('id')} onChange={(e) => set({ id: e.target.value })} />
      </div>
      <TextField label="Help text" value={field.help ?? ''} error={err('help')} onChange={(e) => set({ help: e.target.value })} />
      <Checkbox label={field.type === 'consent' ? 'Required (must be agreed and signed)' : 'Required'} checked={!!field.required} onChange={(e) => set({ required: e.target.checked })} />
      {field.type === 'consent' ? (
        <TextArea label="Consent text" value={field.consent?.text ?? ''} error={err('consent.text') ?? err('consent')} onChange={(e) => set({ consent: { text: e.target.value } })} />
      ) : null}
      {field.type === 'single_choice' || field.type === 'multiple_choice' ? <OptionsEditor field={field} errors={errors} path={path} onChange={onChange} /> : null}
      <Rules field={field} v={v} err={err} setRule={setRule} />
      <ConditionEditor field={field} earlier={earlier} error={err('visibleIf')} onChange={(visibleIf) => set({ visibleIf })} />
      {targetsFor(field.type).length > 0 ? (
        <SelectField label="Update the patient record" value={field.mapsTo ?? ''} error={err('mapsTo')} onChange={(e) => set({ mapsTo: (e.target.value || undefined) as FormField['mapsTo'] })}>
          <option value="">No — keep the answer with the response only</option>
          {targetsFor(field.type).map((t) => (
            <option key={t} value={t}>{t}</option>
          ))}
        </SelectField>
      ) : null}
      {otherErrors.length > 0 ? (
        <ul className="field-error">
          {otherErrors.map(([k, m]) => (
            <li key={k}><code>{k.slice(path.length + 1)}</code> {m}</li>
          ))}
        </ul>
      ) : null}
      <div className="toolbar builder-actions">
        <Button variant="secondary" className="btn-small" disabled={first} onClick={() => onMove(-1)} aria-label={`Move field ${number} up`}>↑ Up</Button>
        <Button variant="secondary" className="btn-small" disabled={last} onClick={() => onMove(1)} aria-label={`Move field ${number} down`}>↓ Down</Button>
        <Button variant="danger" className="btn-small" onClick={onRemove} aria-label={`Remove field ${number}`}>Remove</Button>
      </div>
    </fieldset>
  );
}

const KNOWN = ['type', 'label', 'id', 'help', 'consent', 'options', 'validation', 'visibleIf', 'mapsTo'];

function Rules({ field, v, err, setRule }: { field: FormField; v: FieldValidation; err: (s: string) => string | undefined; setRule: (p: Partial<FieldValidation>) => void }) {
  const e = (k: string) => err(`validation.${k}`) ?? undefined;
  const whole = err('validation');
  let body = null;
  if (field.type === 'text' || field.type === 'long_text') {
    body = (
      <div className="row">
        <TextField label="Minimum length" inputMode="numeric" value={v.minLength ?? ''} error={e('minLength')} onChange={(x) => setRule({ minLength: num(x.target.value) })} />
        <TextField label="Maximum length" inputMode="numeric" value={v.maxLength ?? ''} error={e('maxLength')} onChange={(x) => setRule({ maxLength: num(x.target.value) })} />
        {field.type === 'text' ? (
          <TextField label="Pattern" hint="A regular expression the whole answer must match, e.g. [0-9]{5}" value={v.pattern ?? ''} error={e('pattern')} onChange={(x) => setRule({ pattern: x.target.value || undefined })} />
        ) : null}
      </div>
    );
  } else if (field.type === 'number') {
    body = (
      <div className="row">
        <TextField label="Minimum" inputMode="decimal" value={v.min ?? ''} error={e('min')} onChange={(x) => setRule({ min: num(x.target.value) })} />
        <TextField label="Maximum" inputMode="decimal" value={v.max ?? ''} error={e('max')} onChange={(x) => setRule({ max: num(x.target.value) })} />
        <Checkbox label="Whole numbers only" checked={!!v.integer} onChange={(x) => setRule({ integer: x.target.checked || undefined })} />
      </div>
    );
  } else if (field.type === 'date') {
    body = (
      <div className="row">
        <TextField label="Earliest date" hint="YYYY-MM-DD, today, or e.g. today-18y" value={v.min ?? ''} error={e('min')} onChange={(x) => setRule({ min: x.target.value || undefined })} />
        <TextField label="Latest date" hint="YYYY-MM-DD, today, or e.g. today+1m" value={v.max ?? ''} error={e('max')} onChange={(x) => setRule({ max: x.target.value || undefined })} />
      </div>
    );
  } else if (field.type === 'multiple_choice') {
    body = (
      <div className="row">
        <TextField label="At least (choices)" inputMode="numeric" value={v.minSelected ?? ''} error={e('minSelected')} onChange={(x) => setRule({ minSelected: num(x.target.value) })} />
        <TextField label="At most (choices)" inputMode="numeric" value={v.maxSelected ?? ''} error={e('maxSelected')} onChange={(x) => setRule({ maxSelected: num(x.target.value) })} />
      </div>
    );
  }
  if (!body) return null;
  return (
    <details className="builder-rules" open={Object.keys(v).length > 0 || !!whole || undefined}>
      <summary>Validation rules</summary>
      {whole ? <div className="field-error" role="alert">{whole}</div> : null}
      {body}
    </details>
  );
}

function OptionsEditor({ field, errors, path, onChange }: { field: FormField; errors: ReadonlyMap<string, string>; path: string; onChange: (f: FormField) => void }) {
  const options = field.options ?? [];
  const setOptions = (next: typeof options) => onChange({ ...field, options: next });
  const whole = errors.get(`${path}.options`);
  return (
    <fieldset className="builder-options">
      <legend>Choices</legend>
      {whole ? <div className="field-error" role="alert">{whole}</div> : null}
      {options.map((o, i) => (
        <div className="row" key={i}>
          <TextField
            label={`Choice ${i + 1} label`}
            value={o.label}
            error={errors.get(`${path}.options.${i}.label`) ?? errors.get(`${path}.options.${i}`)}
            onChange={(e) => {
              const label = e.target.value;
              const auto = o.value === '' || o.value === valueFromLabel(o.label) || /^option_\d+$/.test(o.value);
              setOptions(options.map((x, j) => (j === i ? { label, value: auto ? valueFromLabel(label) || o.value : o.value } : x)));
            }}
          />
          <TextField label={`Choice ${i + 1} stored value`} value={o.value} error={errors.get(`${path}.options.${i}.value`)} onChange={(e) => setOptions(options.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))} />
          <Button variant="secondary" className="btn-small" disabled={options.length <= 1} onClick={() => setOptions(options.filter((_, j) => j !== i))} aria-label={`Remove choice ${i + 1}`}>Remove</Button>
        </div>
      ))}
      <Button variant="secondary" className="btn-small" onClick={() => setOptions([...options, { value: `option_${options.length + 1}`, label: `Option ${options.length + 1}` }])}>Add a choice</Button>
    </fieldset>
  );
}

function ConditionEditor({ field, earlier, error, onChange }: { field: FormField; earlier: readonly FormField[]; error?: string | undefined; onChange: (v: Record<string, unknown> | undefined) => void }) {
  const simple = parseCondition(field.visibleIf, earlier);
  const custom = field.visibleIf !== undefined && simple === null;
  const [text, setText] = useState(() => (field.visibleIf ? JSON.stringify(field.visibleIf) : ''));
  const [jsonError, setJsonError] = useState<string | null>(null);
  const mode = field.visibleIf === undefined ? 'always' : custom ? 'custom' : 'if';
  const on = simple ? earlier.find((f) => f.id === simple.fieldId) : undefined;
  return (
    <div className="builder-condition">
      <SelectField
        label="Show this question"
        value={mode}
        error={mode !== 'custom' ? error : undefined}
        onChange={(e) => {
          const m = e.target.value;
          if (m === 'always') onChange(undefined);
          else if (m === 'if' && earlier[0]) onChange(buildCondition(earlier[0], defaultValueFor(earlier[0])));
          else if (m === 'custom') {
            setText(field.visibleIf ? JSON.stringify(field.visibleIf) : '{"==": [{"var": ""}, true]}');
            onChange(field.visibleIf ?? { '==': [{ var: earlier[0]?.id ?? '' }, true] });
          }
        }}
      >
        <option value="always">Always</option>
        <option value="if" disabled={earlier.length === 0}>Only if an earlier answer is…</option>
        <option value="custom">Only if a custom rule holds (JsonLogic)</option>
      </SelectField>
      {mode === 'if' && simple && on ? (
        <div className="row">
          <SelectField label="Earlier question" value={on.id} onChange={(e) => { const f = earlier.find((x) => x.id === e.target.value)!; onChange(buildCondition(f, defaultValueFor(f))); }}>
            {earlier.map((f) => (
              <option key={f.id} value={f.id}>{f.label || f.id}</option>
            ))}
          </SelectField>
          {on.type === 'yes_no' ? (
            <SelectField label="Is" value={String(simple.value)} onChange={(e) => onChange(buildCondition(on, e.target.value === 'true'))}>
              <option value="true">Yes</option>
              <option value="false">No</option>
            </SelectField>
          ) : on.type === 'consent' ? (
            <p className="muted small">is agreed to</p>
          ) : on.type === 'single_choice' || on.type === 'multiple_choice' ? (
            <SelectField label={on.type === 'multiple_choice' ? 'Includes' : 'Is'} value={String(simple.value)} onChange={(e) => onChange(buildCondition(on, e.target.value))}>
              {(on.options ?? []).map((o) => (
                <option key={o.value} value={o.value}>{o.label}</option>
              ))}
            </SelectField>
          ) : (
            <TextField label="Is" value={String(simple.value)} onChange={(e) => onChange(buildCondition(on, e.target.value))} />
          )}
        </div>
      ) : null}
      {mode === 'custom' ? (
        <TextArea
          label="Rule (JsonLogic over earlier answers)"
          hint='For example {"==": [{"var": "smoker"}, true]}'
          value={text}
          error={jsonError ?? error}
          onChange={(e) => {
            setText(e.target.value);
            try {
              const parsed: unknown = JSON.parse(e.target.value);
              if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('must be an object');
              setJsonError(null);
              onChange(parsed as Record<string, unknown>);
            } catch {
              setJsonError('is not a JSON object yet');
            }
          }}
        />
      ) : null}
    </div>
  );
}
