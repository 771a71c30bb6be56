/**
 * Settings › Workflows: for each kind (appointments, invoices, patient intake) the lifecycle in force
 * as states and transitions, and an editor to add states (mapped to the system status the core
 * knows), transitions with permissions, guards and actions; check it, save it as a new version, or go
 * back to the default. Authoring needs the plan feature `workflows`; reading and reverting do not.
 */
import { useState } from 'react';
import { ApiError } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { Badge, Button, ErrorBanner, Loading, PageHeader, Tabs, TabPanel, useToast } from '../../ui/kit.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { NotInPlan } from '../../ui/not-in-plan.tsx';
import { fieldErrorMap } from '../../ui/field-errors.ts';
import { KINDS, fromDraft, toDraft, type Draft, type JsonProblem, type WfDefinition, type WfVersion, type WorkflowKind } from './WorkflowsSettingsModel.ts';
import { StatesEditor, TransitionsEditor } from './WorkflowsSettingsEditor.tsx';
import './workflows.css';

export function WorkflowsSettings() {
  const [kind, setKind] = useState<WorkflowKind>('appointment');
  return (
    <>
      <PageHeader title="Workflows" subtitle="The steps an appointment, an invoice or a new patient goes through, and what happens at each." />
      <Tabs tabs={KINDS} current={kind} onChange={setKind} label="Workflow kind" />
      <TabPanel id={kind}>
        <KindWorkflow key={kind} kind={kind} />
      </TabPanel>
    </>
  );
}

function KindWorkflow({ kind }: { kind: WorkflowKind }) {
  const { api } = useSession();
  const current = useLoad((signal) => api.get<WfVersion>(`/api/workflows/${kind}`, undefined, signal), [kind]);
  const versions = useLoad((signal) => api.get<{ items: WfVersion[] }>(`/api/workflows/${kind}/versions`, undefined, signal), [kind]);
  if (current.error) return <ErrorBanner error={current.error} title="The workflow could not be loaded" />;
  if (!current.data) return <Loading />;
  const reload = () => {
    current.reload();
    versions.reload();
  };
  return (
    <>
      <WorkflowEditor key={current.data.version} kind={kind} inForce={current.data} onSaved={reload} />
      <section className="card" aria-labelledby="wf-versions-title">
        <h2 id="wf-versions-title">Versions</h2>
        {versions.error ? <ErrorBanner error={versions.error} /> : !versions.data ? <Loading /> : (
          <div className="table-wrap">
            <table className="data">
              <thead><tr><th scope="col">Version</th><th scope="col">Saved</th><th scope="col">States</th><th scope="col">Transitions</th></tr></thead>
              <tbody>
                {versions.data.items.map((v) => (
                  <tr key={v.version}>
                    <td>{v.version} {v.version === current.data!.version ? <Badge tone="good">in force</Badge> : null} {v.isDefault ? <Badge>default</Badge> : null}</td>
                    <td>{v.createdAt ? formatDateTime(v.createdAt) : 'Built in'}</td>
                    <td>{v.definition.states.map((s) => s.label).join(', ')}</td>
                    <td className="num">{v.definition.transitions.length}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

function Diagram({ def }: { def: WfDefinition }) {
  const label = (k: string) => def.states.find((s) => s.key === k)?.label ?? k;
  return (
    <div className="table-wrap">
      <table className="data">
        <caption className="visually-hidden">Transitions in force</caption>
        <thead><tr><th scope="col">From</th><th scope="col">Transition</th><th scope="col">To</th><th scope="col">Conditions and actions</th></tr></thead>
        <tbody>
          {def.transitions.map((t) => (
            <tr key={t.key}>
              <td>{t.from.map(label).join(', ')}</td>
              <td><strong>{t.label}</strong> <span className="muted small">({t.key})</span> {t.system ? <Badge>automatic</Badge> : null}</td>
              <td>→ {label(t.to)}</td>
              <td className="small">
                {t.permission ? <div>Needs {t.permission}</div> : null}
                {t.guard ? <div>Only when <code>{JSON.stringify(t.guard)}</code></div> : null}
                {t.actions?.length ? <div>Then: {t.actions.map((a) => String(a.type).replace('_', ' ')).join(', ')}</div> : null}
                {!t.permission && !t.guard && !t.actions?.length ? <span className="muted">—</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function WorkflowEditor({ kind, inForce, onSaved }: { kind: WorkflowKind; inForce: WfVersion; onSaved: () => void }) {
  const { api, has } = useSession();
  const toast = useToast();
  const spec = KINDS.find((k) => k.key === kind)!;
  const [draft, setDraft] = useState<Draft>(() => toDraft(inForce.definition));
  const [problems, setProblems] = useState<JsonProblem[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<'validate' | 'save' | 'revert' | null>(null);
  const canAuthor = has('workflows');
  const hasStatus = spec.statuses.length > 0;

  const run = async (what: 'validate' | 'save') => {
    setError(null);
    setProblems(null);
    const built = fromDraft(draft, hasStatus);
    if ('problems' in built) {
      setProblems(built.problems);
      return;
    }
    setBusy(what);
    try {
      if (what === 'validate') {
        const report = await api.post<{ valid: boolean; problems: JsonProblem[] }>(`/api/workflows/${kind}/validate`, built.definition);
        setProblems(report.problems);
        if (report.valid) toast('The workflow is valid');
      } else {
        const saved = await api.put<WfVersion>(`/api/workflows/${kind}`, built.definition);
        toast(`Version ${saved.version} saved and in force`);
        onSaved();
      }
    } catch (err) {
      if (err instanceof ApiError && err.code === 'validation_failed') setProblems([...err.errors]);
      else setError(err);
    } finally {
      setBusy(null);
    }
  };
  const revert = async () => {
    setBusy('revert');
    setError(null);
    try {
      await api.delete(`/api/workflows/${kind}`);
      toast('The default workflow is back in force');
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  const errs = fieldErrorMap(null, problems ?? []);
  const notInPlan = (error instanceof ApiError && error.code === 'feature_not_in_plan') || !canAuthor;
  return (
    <>
      <section className="card" aria-labelledby="wf-inforce-title">
        <h2 id="wf-inforce-title">
          In force: version {inForce.version} {inForce.isDefault ? <Badge>default</Badge> : <Badge tone="info">your own</Badge>}
        </h2>
        <p className="small">
          States: {inForce.definition.states.map((s) => `${s.label}${s.key === inForce.definition.initial ? ' (start)' : ''}${s.final ? ' (end)' : ''}`).join(' · ')}
        </p>
        <Diagram def={inForce.definition} />
        {!inForce.isDefault ? (
          <div className="toolbar wf-revert">
            <Button variant="danger" busy={busy === 'revert'} onClick={() => void revert()}>Go back to the default</Button>
          </div>
        ) : null}
      </section>
      {notInPlan ? (
        <NotInPlan feature="Custom workflows">
          Your plan runs the workflow shown above. Designing your own states and transitions comes with the Professional plan; going back to the default is always possible.
        </NotInPlan>
      ) : null}
      {error && !notInPlan ? <ErrorBanner error={error} /> : null}
      {canAuthor ? (
        <section className="card" aria-labelledby="wf-edit-title">
          <h2 id="wf-edit-title">Edit</h2>
          <p className="muted small">
            {hasStatus ? 'Every state stands for a status HealthTrack knows, so calendars, payments and reports keep working. ' : ''}
            Changes apply to new {kind === 'invoice' ? 'invoices' : kind === 'appointment' ? 'appointments' : 'patients'} at once, and to existing ones at their next step.
          </p>
          {problems !== null ? (
            problems.length === 0 ? (
              <div className="banner banner-info" role="status"><strong>No problems found.</strong> Save to put it in force.</div>
            ) : (
              <div className="banner banner-error" role="alert">
                <strong>{problems.length === 1 ? '1 problem' : `${problems.length} problems`} to fix</strong>
                <ul>
                  {problems.map((p) => (
                    <li key={p.field + p.message}><code>{p.field}</code> {p.message}</li>
                  ))}
                </ul>
              </div>
            )
          ) : null}
          <StatesEditor draft={draft} setDraft={setDraft} statuses={spec.statuses} errors={errs} />
          <TransitionsEditor draft={draft} setDraft={setDraft} errors={errs} />
          <div className="toolbar">
            <Button variant="secondary" busy={busy === 'validate'} onClick={() => void run('validate')}>Check the workflow</Button>
            <Button busy={busy === 'save'} onClick={() => void run('save')}>Save as a new version</Button>
            <Button variant="secondary" onClick={() => { setDraft(toDraft(inForce.definition)); setProblems(null); }}>Discard changes</Button>
          </div>
        </section>
      ) : null}
    </>
  );
}
