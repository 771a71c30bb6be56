/**
 * Settings › Email templates: every message kind, and for one its subject and bodies (Liquid) beside a
 * live preview rendered by the server with sample data; save a new version, go back to the default,
 * see earlier versions.
 */
import { useState } from 'react';
import { Link, Route, Routes, useParams } from 'react-router';
import { ApiError } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { useDebounced, useLoad } from '../../ui/hooks.ts';
import { Badge, Button, EmptyState, ErrorBanner, Loading, PageHeader, TextArea, TextField, useToast } from '../../ui/kit.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { NotInPlan } from '../../ui/not-in-plan.tsx';
import './templates.css';

interface VariableDoc { name: string; type: string; optional: boolean; description: string; sample: string | number }
interface Summary { kind: string; title: string; description: string; overridden: boolean; version: number | null; updatedAt: string | null; variables: VariableDoc[] }
interface Content { subject: string; bodyHtml: string; bodyText: string }
interface Detail extends Summary { inForce: Content; default: Content; filters: string[] }
interface VersionView { version: number; isDefault: boolean; content: Content | null; createdBy: string | null; createdAt: string }

export function TemplatesSettings() {
  return (
    <Routes>
      <Route index element={<TemplateList />} />
      <Route path=":kind" element={<TemplateEditorPage />} />
    </Routes>
  );
}

function TemplateList() {
  const { api } = useSession();
  const list = useLoad((signal) => api.get<{ items: Summary[] }>('/api/templates', undefined, signal), []);
  const notInPlan = list.error instanceof ApiError && list.error.code === 'feature_not_in_plan';
  return (
    <>
      <PageHeader title="Email templates" subtitle="The messages HealthTrack sends for you. Each has a default; change the wording to your practice's." />
      {notInPlan ? (
        <NotInPlan feature="Custom email templates">Your plan sends the built-in messages. Custom templates come with the Standard plan and above.</NotInPlan>
      ) : list.error ? (
        <ErrorBanner error={list.error} title="The templates could not be loaded" />
      ) : !list.data ? (
        <Loading />
      ) : list.data.items.length === 0 ? (
        <EmptyState title="No message kinds" />
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead><tr><th scope="col">Message</th><th scope="col">Sent when</th><th scope="col">Template</th><th scope="col">Changed</th></tr></thead>
            <tbody>
              {list.data.items.map((t) => (
                <tr key={t.kind}>
                  <td><Link to={`/settings/templates/${t.kind}`}>{t.title}</Link></td>
                  <td>{t.description}</td>
                  <td>{t.overridden ? <Badge tone="info">Your version {t.version}</Badge> : <Badge>Default</Badge>}</td>
                  <td>{t.updatedAt ? formatDateTime(t.updatedAt) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function TemplateEditorPage() {
  const { kind = '' } = useParams();
  const { api } = useSession();
  const detail = useLoad((signal) => api.get<Detail>(`/api/templates/${encodeURIComponent(kind)}`, undefined, signal), [kind]);
  if (detail.error) {
    return (
      <>
        <PageHeader title="Email template" />
        {detail.error instanceof ApiError && detail.error.code === 'feature_not_in_plan' ? <NotInPlan feature="Custom email templates" /> : <ErrorBanner error={detail.error} title="This template could not be opened" />}
        <Link to="/settings/templates">All templates</Link>
      </>
    );
  }
  if (!detail.data) return <Loading />;
  return <TemplateEditor key={`${kind}-${detail.data.version ?? 0}`} detail={detail.data} reload={detail.reload} />;
}

function TemplateEditor({ detail, reload }: { detail: Detail; reload: () => void }) {
  const { api } = useSession();
  const toast = useToast();
  const [draft, setDraft] = useState<Content>(detail.inForce);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<'save' | 'revert' | null>(null);
  const debounced = useDebounced(draft, 400);
  const preview = useLoad(
    (signal) => api.request<{ subject: string; html: string | null; text: string }>(`/api/templates/${detail.kind}/preview`, { method: 'POST', body: debounced, signal }),
    [debounced.subject, debounced.bodyHtml, debounced.bodyText],
  );
  const versions = useLoad((signal) => api.get<{ items: VersionView[] }>(`/api/templates/${detail.kind}/versions`, { limit: 20 }, signal), [detail.kind]);
  const errOf = (e: unknown, f: keyof Content) => (e instanceof ApiError ? e.fieldError(f) : undefined);
  const fieldErr = (f: keyof Content) => errOf(error, f) ?? errOf(preview.error, f);
  const dirty = draft.subject !== detail.inForce.subject || draft.bodyHtml !== detail.inForce.bodyHtml || draft.bodyText !== detail.inForce.bodyText;

  const save = async () => {
    setBusy('save');
    setError(null);
    try {
      await api.put(`/api/templates/${detail.kind}`, draft);
      toast('Template saved; it is used from now on');
      reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  const revert = async () => {
    setBusy('revert');
    setError(null);
    try {
      await api.delete(`/api/templates/${detail.kind}`);
      toast('Back to the default template');
      reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  const apiErr = error instanceof ApiError ? error : null;
  return (
    <>
      <PageHeader title={`Email template: ${detail.title}`} subtitle={detail.description}>
        <Link to="/settings/templates" className="btn btn-secondary">All templates</Link>
      </PageHeader>
      <p>
        {detail.overridden ? <Badge tone="info">Your version {detail.version} is in use</Badge> : <Badge>The default is in use</Badge>}
      </p>
      {error && !(apiErr && apiErr.code === 'validation_failed') ? <ErrorBanner error={error} title="The template was not saved" /> : null}
      {apiErr?.code === 'validation_failed' ? <div className="banner banner-error" role="alert"><strong>The template was not saved.</strong><p>Fix the problems shown by the fields.</p></div> : null}
      <div className="template-layout">
        <form className="card" onSubmit={(e) => { e.preventDefault(); void save(); }} noValidate aria-labelledby="tpl-edit-title">
          <h2 id="tpl-edit-title">Template</h2>
          <TextField label="Subject" value={draft.subject} error={fieldErr('subject')} onChange={(e) => setDraft({ ...draft, subject: e.target.value })} />
          <TextArea label="Plain-text body" rows={10} value={draft.bodyText} error={fieldErr('bodyText')} onChange={(e) => setDraft({ ...draft, bodyText: e.target.value })} />
          <TextArea label="HTML body" hint="Optional; values are HTML-escaped for you. Empty sends plain text only." rows={8} value={draft.bodyHtml} error={fieldErr('bodyHtml')} onChange={(e) => setDraft({ ...draft, bodyHtml: e.target.value })} />
          <div className="toolbar">
            <Button type="submit" busy={busy === 'save'} disabled={!dirty}>Save template</Button>
            <Button variant="secondary" onClick={() => setDraft(detail.default)}>Start from the default</Button>
            {detail.overridden ? <Button variant="danger" busy={busy === 'revert'} onClick={() => void revert()}>Go back to the default</Button> : null}
          </div>
          <details>
            <summary>Variables you can use</summary>
            <div className="table-wrap">
              <table className="data">
                <thead><tr><th scope="col">Variable</th><th scope="col">Meaning</th><th scope="col">Sample</th></tr></thead>
                <tbody>
                  {detail.variables.map((v) => (
                    <tr key={v.name}>
                      <td><code>{`{{ ${v.name} }}`}</code>{v.optional ? <span className="muted small"> (may be empty)</span> : null}</td>
                      <td>{v.description}</td>
                      <td>{String(v.sample)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p className="small muted">Filters: {detail.filters.join(', ')}</p>
          </details>
        </form>
        <section className="card template-preview" aria-labelledby="tpl-preview-title" aria-busy={preview.loading || undefined}>
          <h2 id="tpl-preview-title">Preview with sample data</h2>
          {preview.error ? (
            <div className="banner banner-warn" role="status">
              <strong>The preview cannot be shown</strong>
              <p>{preview.error instanceof ApiError && preview.error.errors.length > 0 ? preview.error.errors.map((e) => `${e.field}: ${e.message}`).join('; ') : preview.error instanceof Error ? preview.error.message : 'Try again.'}</p>
            </div>
          ) : !preview.data ? (
            <Loading label="Rendering…" />
          ) : (
            <div role="region" aria-label="Rendered message">
              <dl className="facts">
                <dt>Subject</dt>
                <dd data-testid="preview-subject">{preview.data.subject}</dd>
              </dl>
              <h3>Plain text</h3>
              <pre className="template-text">{preview.data.text}</pre>
              {preview.data.html ? (
                <>
                  <h3>HTML</h3>
                  {/* Sandboxed without scripts: the rendered email is shown, nothing in it runs. */}
                  <iframe className="template-html" title="HTML preview of the message" sandbox="" srcDoc={preview.data.html} />
                </>
              ) : null}
            </div>
          )}
        </section>
      </div>
      <section className="card" aria-labelledby="tpl-versions-title">
        <h2 id="tpl-versions-title">Versions</h2>
        {versions.error ? <ErrorBanner error={versions.error} /> : !versions.data ? <Loading /> : versions.data.items.length === 0 ? (
          <p className="muted">Never changed: the default has always been used.</p>
        ) : (
          <div className="table-wrap">
            <table className="data">
              <thead><tr><th scope="col">Version</th><th scope="col">Saved</th><th scope="col">What</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
              <tbody>
                {versions.data.items.map((v) => (
                  <tr key={v.version}>
                    <td>{v.version}</td>
                    <td>{formatDateTime(v.createdAt)}</td>
                    <td>{v.isDefault ? 'Back to the default' : v.content?.subject}</td>
                    <td>{v.content ? <Button variant="link" onClick={() => setDraft(v.content!)}>Edit from version {v.version}</Button> : null}</td>
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
