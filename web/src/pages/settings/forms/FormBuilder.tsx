/**
 * The visual form builder: sections and questions on the left, the live preview (the same renderer
 * patients see, conditions working) on the right. Saving publishes version 1 (POST) or the next
 * version (PUT with If-Match); the API's problems are shown by the question they name.
 */
import { useMemo, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { ApiError } from '../../../api.ts';
import { useSession } from '../../../session.tsx';
import { useLoad } from '../../../ui/hooks.ts';
import { Badge, Button, Dialog, ErrorBanner, Loading, PageHeader, SelectField, TextArea, TextField, useToast } from '../../../ui/kit.tsx';
import { formatDateTime } from '../../../ui/format.ts';
import { FormRenderer } from '../../../forms/FormRenderer.tsx';
import { FIELD_TYPES, FIELD_TYPE_LABELS, type Answers, type FieldType, type FormDefinition, type FormField, type FormSection } from '../../../forms/types.ts';
import { FieldEditor } from './FieldEditor.tsx';
import { allIds, cleanDefinition, newField, uniqueId } from './draft.ts';
import { fieldErrorMap } from '../../../ui/field-errors.ts';
import { SendFormDialog } from './SendFormDialog.tsx';
import './builder.css';

export interface FormDetail {
  readonly id: string;
  readonly key: string;
  readonly title: string;
  readonly status: 'active' | 'archived';
  readonly currentVersion: number;
  readonly definition: FormDefinition;
  readonly versions: readonly { version: number; createdAt: string; createdBy: string | null }[];
}

const BLANK: FormDefinition = { title: '', sections: [{ id: 'main', title: 'Your details', fields: [] }] };

export function FormBuilderPage() {
  const { id = 'new' } = useParams();
  const { api } = useSession();
  const isNew = id === 'new';
  const loaded = useLoad((signal) => (isNew ? Promise.resolve(null) : api.get<FormDetail>(`/api/forms/${id}`, undefined, signal)), [id]);
  if (loaded.loading && !loaded.data) return <Loading />;
  if (loaded.error) return <ErrorBanner error={loaded.error} title="This form could not be opened" />;
  return <Builder key={`${id}-${loaded.data?.currentVersion ?? 0}`} form={loaded.data ?? null} onSaved={loaded.reload} />;
}

function Builder({ form, onSaved }: { form: FormDetail | null; onSaved: () => void }) {
  const { api, can } = useSession();
  const navigate = useNavigate();
  const toast = useToast();
  const [key, setKey] = useState('');
  const [draft, setDraft] = useState<FormDefinition>(() => structuredClone(form?.definition ?? BLANK));
  const [previewAnswers, setPreviewAnswers] = useState<Answers>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [sending, setSending] = useState(false);
  const [archiving, setArchiving] = useState(false);
  const [newType, setNewType] = useState<Record<string, FieldType>>({});
  const editable = can('settings:manage') && form?.status !== 'archived';

  const errors = useMemo(() => fieldErrorMap(error), [error]);
  const flat = draft.sections.flatMap((s) => s.fields);

  const setSection = (si: number, next: FormSection) => setDraft((d) => ({ ...d, sections: d.sections.map((s, i) => (i === si ? next : s)) }));
  const moveIn = <T,>(list: readonly T[], i: number, delta: number): T[] => {
    const next = [...list];
    const j = i + delta;
    if (j < 0 || j >= next.length) return next;
    [next[i], next[j]] = [next[j]!, next[i]!];
    return next;
  };

  const save = async () => {
    setBusy(true);
    setError(null);
    const definition = cleanDefinition(draft);
    try {
      if (!form) {
        const created = await api.post<FormDetail>('/api/forms', { key, ...definition });
        toast('Form published as version 1');
        navigate(`/settings/forms/${created.id}`, { replace: true });
      } else {
        const saved = await api.request<FormDetail>(`/api/forms/${form.id}`, { method: 'PUT', body: definition, headers: { 'if-match': `"${form.currentVersion}"` } });
        toast(saved.currentVersion === form.currentVersion ? 'No changes: nothing new was published' : `Version ${saved.currentVersion} published`);
        onSaved();
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const archive = async () => {
    if (!form) return;
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/forms/${form.id}/archive`);
      toast('Form archived');
      setArchiving(false);
      onSaved();
    } catch (err) {
      setArchiving(false);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const loadVersion = async (version: number) => {
    if (!form) return;
    try {
      const v = await api.get<{ definition: FormDefinition }>(`/api/forms/${form.id}/versions/${version}`);
      setDraft(structuredClone(v.definition));
      setPreviewAnswers({});
      toast(`Version ${version} loaded into the editor; save to publish it again`);
    } catch (err) {
      setError(err);
    }
  };

  const apiErr = error instanceof ApiError ? error : null;
  let fieldIndex = 0;
  return (
    <>
      <PageHeader title={form ? `Form: ${form.title}` : 'New form'} subtitle={form ? `Key ${form.key} · version ${form.currentVersion} in use` : 'Build the questions; the preview shows what patients will see.'}>
        {form && form.status === 'active' && can('patients:write') ? <Button variant="secondary" onClick={() => setSending(true)}>Send to patient</Button> : null}
        {editable ? <Button onClick={() => void save()} busy={busy}>{form ? 'Publish new version' : 'Publish form'}</Button> : null}
        {form && editable ? <Button variant="danger" onClick={() => setArchiving(true)}>Archive</Button> : null}
      </PageHeader>
      {form?.status === 'archived' ? <div className="banner banner-info">This form is archived: it can be read but not changed or sent.</div> : null}
      {error ? (
        apiErr?.code === 'precondition_failed' || apiErr?.status === 412 ? (
          <div className="banner banner-error" role="alert">
            <strong>Someone published this form since you opened it.</strong>
            <p>Reload to see their version; your changes here are not saved.</p>
            <Button variant="secondary" onClick={onSaved}>Reload</Button>
          </div>
        ) : (
          <ErrorBanner error={error} title={apiErr?.code === 'validation_failed' ? 'The form was not published: fix the problems shown by the questions' : 'The form was not published'} />
        )
      ) : null}
      <div className="builder-layout">
        <div className="builder-editor">
          <div className="card">
            {!form ? (
              <TextField label="Form key" hint="Lower-case letters, digits and -; names the form in the practice, e.g. new-patient-intake" value={key} error={apiErr?.fieldError('key')} onChange={(e) => setKey(e.target.value)} required />
            ) : null}
            <TextField label="Form title" value={draft.title} error={errors.get('title')} onChange={(e) => setDraft({ ...draft, title: e.target.value })} required />
            <TextArea label="Introduction" value={draft.description ?? ''} error={errors.get('description')} onChange={(e) => setDraft({ ...draft, description: e.target.value })} />
            {errors.get('sections') ? <div className="field-error" role="alert">{errors.get('sections')}</div> : null}
          </div>
          {draft.sections.map((section, si) => {
            const sp = `sections.${si}`;
            return (
              <fieldset key={si} className="builder-section">
                <legend>Section {si + 1}: {section.title || 'untitled'}</legend>
                <div className="row">
                  <TextField label="Section title" value={section.title} error={errors.get(`${sp}.title`)} onChange={(e) => setSection(si, { ...section, title: e.target.value })} />
                  <TextField label="Section key" value={section.id} error={errors.get(`${sp}.id`)} onChange={(e) => setSection(si, { ...section, id: e.target.value })} />
                </div>
                <TextField label="Section description" value={section.description ?? ''} onChange={(e) => setSection(si, { ...section, description: e.target.value })} />
                {errors.get(`${sp}.fields`) ? <div className="field-error" role="alert">{errors.get(`${sp}.fields`)}</div> : null}
                {section.fields.length === 0 ? <p className="muted">No questions yet: choose a type below and add one.</p> : null}
                {section.fields.map((field, fi) => {
                  const n = ++fieldIndex;
                  const earlier = flat.slice(0, n - 1);
                  const update = (next: FormField) => setSection(si, { ...section, fields: section.fields.map((f, j) => (j === fi ? next : f)) });
                  return (
                    <FieldEditor
                      key={fi}
                      number={n}
                      field={field}
                      earlier={earlier}
                      all={flat}
                      errors={errors}
                      path={`${sp}.fields.${fi}`}
                      onChange={update}
                      onMove={(delta) => setSection(si, { ...section, fields: moveIn(section.fields, fi, delta) })}
                      onRemove={() => setSection(si, { ...section, fields: section.fields.filter((_, j) => j !== fi) })}
                      first={fi === 0}
                      last={fi === section.fields.length - 1}
                    />
                  );
                })}
                <div className="toolbar">
                  <SelectField label={`Type of the new question in section ${si + 1}`} value={newType[si] ?? 'text'} onChange={(e) => setNewType({ ...newType, [si]: e.target.value as FieldType })}>
                    {FIELD_TYPES.map((t) => (
                      <option key={t} value={t}>{FIELD_TYPE_LABELS[t]}</option>
                    ))}
                  </SelectField>
                  <Button variant="secondary" onClick={() => setSection(si, { ...section, fields: [...section.fields, newField(newType[si] ?? 'text', allIds(draft))] })}>
                    Add question to section {si + 1}
                  </Button>
                </div>
                <div className="toolbar">
                  <Button variant="secondary" className="btn-small" disabled={si === 0} onClick={() => setDraft({ ...draft, sections: moveIn(draft.sections, si, -1) })}>Move section {si + 1} up</Button>
                  <Button variant="secondary" className="btn-small" disabled={si === draft.sections.length - 1} onClick={() => setDraft({ ...draft, sections: moveIn(draft.sections, si, 1) })}>Move section {si + 1} down</Button>
                  <Button variant="danger" className="btn-small" disabled={draft.sections.length <= 1} onClick={() => setDraft({ ...draft, sections: draft.sections.filter((_, i) => i !== si) })}>Remove section {si + 1}</Button>
                </div>
              </fieldset>
            );
          })}
          <Button variant="secondary" onClick={() => setDraft({ ...draft, sections: [...draft.sections, { id: uniqueId('section', allIds(draft)), title: '', fields: [] }] })}>Add a section</Button>
          {form ? <Versions form={form} onLoad={(v) => void loadVersion(v)} /> : null}
        </div>
        <aside className="builder-preview" aria-labelledby="preview-title">
          <div className="card">
            <h2 id="preview-title">Live preview</h2>
            <p className="muted small">What patients see. Try answering: conditional questions appear and disappear. Nothing here is saved.</p>
            <div className="builder-preview-body" role="region" aria-label="Preview of the form">
              <h3 className="builder-preview-title">{draft.title || 'Untitled form'}</h3>
              {draft.description ? <p className="muted">{draft.description}</p> : null}
              <FormRenderer definition={draft} answers={previewAnswers} onChange={setPreviewAnswers} headingLevel={3} />
              {flat.length === 0 ? <p className="muted">Add a question to see it here.</p> : null}
              <Button variant="secondary" className="btn-small" onClick={() => setPreviewAnswers({})}>Clear preview answers</Button>
            </div>
          </div>
        </aside>
      </div>
      {form ? <SendFormDialog formId={form.id} formTitle={form.title} open={sending} onClose={() => setSending(false)} /> : null}
      {form ? (
        <Dialog
          open={archiving}
          title={`Archive “${form.title}”?`}
          onClose={() => setArchiving(false)}
          footer={
            <>
              <Button variant="secondary" onClick={() => setArchiving(false)}>Keep it</Button>
              <Button variant="danger" busy={busy} onClick={() => void archive()}>Archive the form</Button>
            </>
          }
        >
          <p>It can no longer be changed or sent, and links already sent stop working. Its responses stay readable.</p>
        </Dialog>
      ) : null}
    </>
  );
}

function Versions({ form, onLoad }: { form: FormDetail; onLoad: (version: number) => void }) {
  return (
    <section className="card builder-versions" aria-labelledby="versions-title">
      <h2 id="versions-title">Versions</h2>
      <p className="muted small">Every published version stays readable; each response keeps the version it was filled in.</p>
      <div className="table-wrap">
        <table className="data">
          <thead>
            <tr><th scope="col">Version</th><th scope="col">Published</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>
          </thead>
          <tbody>
            {[...form.versions].reverse().map((v) => (
              <tr key={v.version}>
                <td>{v.version} {v.version === form.currentVersion ? <Badge tone="good">in use</Badge> : null}</td>
                <td>{formatDateTime(v.createdAt)}</td>
                <td><Button variant="link" onClick={() => onLoad(v.version)}>Load version {v.version} into the editor</Button></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
