/** The workflow editor's two tables: states (with system status, start and end) and transitions. */
import { Button, Checkbox, SelectField, TextArea, TextField } from '../../ui/kit.tsx';
import type { Draft, DraftTransition } from './WorkflowsSettingsModel.ts';

interface Props {
  readonly draft: Draft;
  setDraft(d: Draft): void;
  readonly errors: ReadonlyMap<string, string>;
}

/** Messages of `prefix` itself and of its sub-paths not shown next to an input. */
function rowErrors(errors: ReadonlyMap<string, string>, prefix: string, shown: readonly string[]): [string, string][] {
  return [...errors].filter(([k]) => (k === prefix || k.startsWith(`${prefix}.`)) && !shown.some((s) => k === `${prefix}.${s}`));
}

export function StatesEditor({ draft, setDraft, errors, statuses }: Props & { statuses: readonly string[] }) {
  const setState = (i: number, patch: Partial<Draft['states'][number]>) => setDraft({ ...draft, states: draft.states.map((s, j) => (j === i ? { ...s, ...patch } : s)) });
  return (
    <fieldset className="wf-states">
      <legend>States</legend>
      {errors.get('states') ? <div className="field-error" role="alert">{errors.get('states')}</div> : null}
      {errors.get('initial') ? <div className="field-error" role="alert">Start state: {errors.get('initial')}</div> : null}
      {draft.states.map((s, i) => {
        const p = `states.${i}`;
        const other = rowErrors(errors, p, ['key', 'label', 'systemStatus']);
        return (
          <div className="wf-row" key={i} role="group" aria-label={`State ${i + 1}: ${s.label || s.key || 'new'}`}>
            <div className="row">
              <TextField label="Key" value={s.key} error={errors.get(`${p}.key`)} onChange={(e) => setState(i, { key: e.target.value })} />
              <TextField label="Label" value={s.label} error={errors.get(`${p}.label`)} onChange={(e) => setState(i, { label: e.target.value })} />
              {statuses.length > 0 ? (
                <SelectField label="System status" value={s.systemStatus ?? ''} error={errors.get(`${p}.systemStatus`)} onChange={(e) => setState(i, { systemStatus: e.target.value || undefined })}>
                  <option value="">Choose…</option>
                  {statuses.map((st) => (
                    <option key={st} value={st}>{st.replace('_', ' ')}</option>
                  ))}
                </SelectField>
              ) : null}
            </div>
            <div className="row wf-flags">
              <div className="checkbox">
                <input type="radio" id={`wf-initial-${i}`} name="wf-initial" checked={draft.initial === s.key} onChange={() => setDraft({ ...draft, initial: s.key })} />
                <label htmlFor={`wf-initial-${i}`}>Start here</label>
              </div>
              <Checkbox label="End state" checked={!!s.final} onChange={(e) => setState(i, { final: e.target.checked || undefined })} />
              <Button variant="secondary" className="btn-small" onClick={() => setDraft({ ...draft, states: draft.states.filter((_, j) => j !== i) })} aria-label={`Remove state ${i + 1}`}>Remove</Button>
            </div>
            {other.map(([k, m]) => (
              <div className="field-error" role="alert" key={k}>{k === p ? m : `${k.slice(p.length + 1)}: ${m}`}</div>
            ))}
          </div>
        );
      })}
      <Button variant="secondary" className="btn-small" onClick={() => setDraft({ ...draft, states: [...draft.states, { key: '', label: '', ...(statuses[0] ? { systemStatus: statuses[0] } : {}) }] })}>Add a state</Button>
    </fieldset>
  );
}

export function TransitionsEditor({ draft, setDraft, errors }: Props) {
  const setT = (i: number, patch: Partial<DraftTransition>) => setDraft({ ...draft, transitions: draft.transitions.map((t, j) => (j === i ? { ...t, ...patch } : t)) });
  const keys = draft.states.map((s) => s.key).filter(Boolean);
  return (
    <fieldset className="wf-transitions">
      <legend>Transitions</legend>
      {errors.get('transitions') ? <div className="field-error" role="alert">{errors.get('transitions')}</div> : null}
      {draft.transitions.map((t, i) => {
        const p = `transitions.${i}`;
        const other = rowErrors(errors, p, ['key', 'label', 'to', 'from', 'permission', 'guard']).filter(([k]) => !k.startsWith(`${p}.actions`));
        const actionErrors = [...errors].filter(([k]) => k === `${p}.actions` || k.startsWith(`${p}.actions.`));
        return (
          <div className="wf-row" key={i} role="group" aria-label={`Transition ${i + 1}: ${t.label || t.key || 'new'}`}>
            <div className="row">
              <TextField label="Key" value={t.key} error={errors.get(`${p}.key`)} onChange={(e) => setT(i, { key: e.target.value })} />
              <TextField label="Name" value={t.label} error={errors.get(`${p}.label`)} onChange={(e) => setT(i, { label: e.target.value })} />
              <SelectField label="To" value={t.to} error={errors.get(`${p}.to`)} onChange={(e) => setT(i, { to: e.target.value })}>
                <option value="">Choose…</option>
                {keys.map((k) => (
                  <option key={k} value={k}>{draft.states.find((s) => s.key === k)?.label || k}</option>
                ))}
              </SelectField>
            </div>
            <fieldset className="wf-from">
              <legend>From</legend>
              {keys.map((k) => (
                <Checkbox key={k} label={draft.states.find((s) => s.key === k)?.label || k} checked={t.from.includes(k)} onChange={(e) => setT(i, { from: e.target.checked ? [...t.from, k] : t.from.filter((x) => x !== k) })} />
              ))}
              {errors.get(`${p}.from`) ? <div className="field-error" role="alert">{errors.get(`${p}.from`)}</div> : null}
            </fieldset>
            <div className="row">
              <TextField label="Extra permission (optional)" hint="e.g. billing:write" value={t.permission ?? ''} error={errors.get(`${p}.permission`)} onChange={(e) => setT(i, { permission: e.target.value })} />
              <Checkbox label="Automatic (taken by HealthTrack only)" checked={!!t.system} onChange={(e) => setT(i, { system: e.target.checked || undefined })} />
            </div>
            <TextArea label="Guard (JsonLogic, optional)" hint='e.g. {">=": [{"var": "patient.ageYears"}, 18]}' rows={2} value={t.guardText} error={errors.get(`${p}.guard`)} onChange={(e) => setT(i, { guardText: e.target.value })} />
            <TextArea
              label="Actions (JSON list, optional)"
              hint='e.g. [{"type": "send_email", "message": "appointment_confirmation"}], create_task, set_field, call_webhook'
              rows={3}
              value={t.actionsText}
              error={actionErrors.map(([k, m]) => (k === `${p}.actions` ? m : `${k.slice(p.length + 1)}: ${m}`)).join('; ') || undefined}
              onChange={(e) => setT(i, { actionsText: e.target.value })}
            />
            {other.map(([k, m]) => (
              <div className="field-error" role="alert" key={k}>{k === p ? m : `${k.slice(p.length + 1)}: ${m}`}</div>
            ))}
            <Button variant="secondary" className="btn-small" onClick={() => setDraft({ ...draft, transitions: draft.transitions.filter((_, j) => j !== i) })} aria-label={`Remove transition ${i + 1}`}>Remove</Button>
          </div>
        );
      })}
      <Button variant="secondary" className="btn-small" onClick={() => setDraft({ ...draft, transitions: [...draft.transitions, { key: '', label: '', from: [], to: '', guardText: '', actionsText: '' }] })}>Add a transition</Button>
    </fieldset>
  );
}
