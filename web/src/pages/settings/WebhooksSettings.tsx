/**
 * Webhooks: endpoints that receive the practice's events, their signing secrets (shown once, on
 * creation and rotation), test events and the delivery log. Practices whose plan lacks webhooks see
 * what the feature does and that it needs another plan, not an error.
 */
import { useState, type FormEvent } from 'react';
import { Link, Route, Routes, useParams } from 'react-router';
import { ApiError } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { formatDateTime } from '../../ui/format.ts';
import { Badge, Button, Checkbox, EmptyState, ErrorBanner, Loading, PageHeader, TextField, useToast } from '../../ui/kit.tsx';
import { WebhookDetail } from './WebhooksDetail.tsx';
import './LocationsWeeklyHours.css';
import { WEBHOOK_EVENTS as EVENT_CATALOGUE } from '../../../../src/domain/webhooks/webhook-event-types.ts';

export interface WebhookEndpoint {
  readonly id: string;
  readonly url: string;
  readonly description: string | null;
  readonly events: string[];
  readonly active: boolean;
  readonly disabledReason: string | null;
  readonly disabledAt: string | null;
  readonly consecutiveFailures: number;
  readonly secretRotatedAt: string | null;
  readonly previousSecretExpiresAt: string | null;
  readonly createdAt: string;
}

/** The events the API offers: the server's own catalogue, so the two cannot drift. */
export const WEBHOOK_EVENTS = Object.entries(EVENT_CATALOGUE) as readonly [string, string][];

/** The secret, shown once with a way to copy it. */
export function SecretOnce({ secret, onDone }: { secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="banner banner-warn" role="status">
      <strong>Signing secret: copy it now, it is shown only once</strong>
      <p className="secret-box" data-testid="webhook-secret">{secret}</p>
      <div className="form-actions">
        <Button variant="secondary" onClick={() => void navigator.clipboard?.writeText(secret).then(() => setCopied(true), () => setCopied(false))}>
          {copied ? 'Copied' : 'Copy secret'}
        </Button>
        <Button variant="secondary" onClick={onDone}>I have stored it</Button>
      </div>
    </div>
  );
}

function NotInPlan() {
  return (
    <EmptyState title="Webhooks are not in your plan">
      Webhooks send the practice's events (new patients, bookings, cancellations, invoices) to your own systems as they happen. They come with the Professional plan: ask HealthTrack to change the practice's plan to use them.
    </EmptyState>
  );
}

function WebhookList() {
  const { api, has, me } = useSession();
  const toast = useToast();
  const inPlan = has('webhooks');
  const list = useLoad((signal) => api.get<{ items: WebhookEndpoint[] }>('/api/webhooks', undefined, signal), [api]);
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);

  const planRefused = (e: unknown) => e instanceof ApiError && e.code === 'feature_not_in_plan';
  if (me && (!inPlan || planRefused(list.error) || planRefused(error))) {
    return <><PageHeader title="Webhooks" /><NotInPlan /></>;
  }

  async function create(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await api.post<WebhookEndpoint & { secret: string }>('/api/webhooks', { url: url.trim(), events, ...(description.trim() ? { description: description.trim() } : {}) });
      setSecret(created.secret);
      setUrl('');
      setDescription('');
      setEvents([]);
      toast('Webhook endpoint added');
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const fe = (f: string) => (error instanceof ApiError ? error.fieldError(f) : undefined);
  const eventsError = error instanceof ApiError ? error.errors.find((x) => x.field.startsWith('events')) : undefined;
  return (
    <>
      <PageHeader title="Webhooks" subtitle="Send the practice's events to your own systems. Each delivery is signed with the endpoint's secret." />
      {secret ? <SecretOnce secret={secret} onDone={() => setSecret(null)} /> : null}
      {list.error ? <ErrorBanner error={list.error} title="Could not load the webhooks" /> : null}
      {list.loading && !list.data ? <Loading /> : null}
      {list.data && list.data.items.length === 0 ? <EmptyState title="No webhook endpoints yet">Add the URL of your system below and choose the events it should receive.</EmptyState> : null}
      {list.data && list.data.items.length > 0 ? (
        <div className="table-wrap">
          <table className="data">
            <caption className="visually-hidden">Webhook endpoints</caption>
            <thead><tr><th scope="col">Endpoint</th><th scope="col">Events</th><th scope="col">Status</th><th scope="col">Added</th></tr></thead>
            <tbody>
              {list.data.items.map((w) => (
                <tr key={w.id}>
                  <td><Link to={w.id} className="webhook-url">{w.url}</Link>{w.description ? <div className="small muted">{w.description}</div> : null}</td>
                  <td className="small">{w.events.join(', ')}</td>
                  <td>{w.active ? <Badge tone="good">Active</Badge> : <Badge tone="bad">{w.disabledReason ? 'Disabled by failures' : 'Off'}</Badge>}</td>
                  <td className="nowrap">{formatDateTime(w.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <form className="card" onSubmit={create} noValidate aria-labelledby="new-webhook-title">
        <h2 id="new-webhook-title">Add an endpoint</h2>
        {error && !(error instanceof ApiError && error.errors.length) ? <ErrorBanner error={error} title="Could not add the endpoint" /> : null}
        <div className="row">
          <TextField label="Endpoint URL" type="url" value={url} required placeholder="https://example.com/healthtrack" onChange={(e) => setUrl(e.target.value)} error={fe('url')} hint="http(s), reachable from the internet" />
          <TextField label="Description" value={description} maxLength={500} onChange={(e) => setDescription(e.target.value)} error={fe('description')} hint="Optional, e.g. the receiving system" />
        </div>
        <fieldset className="settings-fieldset">
          <legend>Events</legend>
          <div className="check-grid">
            {WEBHOOK_EVENTS.map(([key, what]) => (
              <Checkbox key={key} label={<><code>{key}</code> <span className="small muted">{what}</span></>} checked={events.includes(key)} onChange={(e) => setEvents((cur) => (e.target.checked ? [...cur, key] : cur.filter((x) => x !== key)))} />
            ))}
          </div>
          {eventsError ? <p className="field-error" role="alert">{eventsError.field === 'events' ? 'Choose at least one event' : eventsError.message}</p> : null}
        </fieldset>
        <Button type="submit" busy={busy}>Add endpoint</Button>
      </form>
    </>
  );
}

function WebhookRoute() {
  const { id } = useParams();
  return <WebhookDetail key={id} id={id!} />;
}

export function WebhooksSettings() {
  return (
    <Routes>
      <Route index element={<WebhookList />} />
      <Route path=":id" element={<WebhookRoute />} />
    </Routes>
  );
}
