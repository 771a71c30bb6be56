/** One webhook endpoint: status, switch on or off, rotate its secret, send a test, and its delivery log. */
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { ApiError } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { formatDateTime } from '../../ui/format.ts';
import { Badge, Button, ErrorBanner, Loading, PageHeader, SelectField, useToast } from '../../ui/kit.tsx';
import { SecretOnce, type WebhookEndpoint } from './WebhooksSettings.tsx';

interface Attempt { attempt: number; startedAt: string; durationMs: number; statusCode: number | null; error: string | null; responseExcerpt: string | null }
interface Delivery {
  id: string;
  eventType: string;
  eventId: string;
  status: 'pending' | 'succeeded' | 'failed' | 'exhausted';
  attemptCount: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  attempts: Attempt[];
}

const TONE = { pending: 'info', succeeded: 'good', failed: 'warn', exhausted: 'bad' } as const;
const STATUS_TEXT = { pending: 'Pending', succeeded: 'Delivered', failed: 'Failed, will retry', exhausted: 'Failed, no retries left' } as const;

export function WebhookDetail({ id }: { id: string }) {
  const { api } = useSession();
  const navigate = useNavigate();
  const toast = useToast();
  const endpoint = useLoad((signal) => api.get<WebhookEndpoint>(`/api/webhooks/${id}`, undefined, signal), [api, id]);
  const [status, setStatus] = useState('');
  const [pages, setPages] = useState<string[]>([]);
  const cursor = pages.at(-1);
  const deliveries = useLoad(
    (signal) => api.get<{ items: Delivery[]; nextCursor: string | null }>(`/api/webhooks/${id}/deliveries`, { status: status || undefined, cursor, limit: 20 }, signal),
    [api, id, status, cursor],
  );
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);

  async function act(name: string, fn: () => Promise<void>) {
    setBusy(name);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  const w = endpoint.data;
  if (endpoint.error) return <><PageHeader title="Webhook endpoint" /><ErrorBanner error={endpoint.error} title="Could not load the endpoint" /><Link to="..">Back to webhooks</Link></>;
  if (!w) return <><PageHeader title="Webhook endpoint" /><Loading /></>;

  const notInPlan = error instanceof ApiError && error.code === 'feature_not_in_plan';
  return (
    <>
      <PageHeader title="Webhook endpoint" subtitle={<span className="webhook-url">{w.url}</span>}>
        <Link to=".." className="btn btn-secondary">All webhooks</Link>
      </PageHeader>
      {secret ? <SecretOnce secret={secret} onDone={() => setSecret(null)} /> : null}
      {notInPlan ? <p className="banner banner-info" role="alert">Webhooks are not in your plan any more: the endpoint is kept but cannot be changed or tested.</p> : error ? <ErrorBanner error={error} /> : null}
      <section className="card" aria-labelledby="wh-status">
        <h2 id="wh-status">Status</h2>
        <dl className="facts">
          <dt>State</dt>
          <dd>{w.active ? <Badge tone="good">Active</Badge> : <Badge tone="bad">Off</Badge>}{w.disabledReason ? <span className="small"> {w.disabledReason}</span> : null}</dd>
          <dt>Events</dt>
          <dd>{w.events.join(', ')}</dd>
          <dt>Failures in a row</dt>
          <dd>{w.consecutiveFailures}</dd>
          <dt>Secret</dt>
          <dd>{w.secretRotatedAt ? `Rotated ${formatDateTime(w.secretRotatedAt)}` : `Since ${formatDateTime(w.createdAt)}`}{w.previousSecretExpiresAt ? ` (the previous one also signs until ${formatDateTime(w.previousSecretExpiresAt)})` : ''}</dd>
        </dl>
        <div className="form-actions">
          <Button busy={busy === 'test'} onClick={() => void act('test', async () => { await api.post(`/api/webhooks/${id}/test`); toast('Test event queued: see the deliveries below'); deliveries.reload(); })}>Send test event</Button>
          <Button variant="secondary" busy={busy === 'rotate'} onClick={() => void act('rotate', async () => {
            const res = await api.post<WebhookEndpoint & { secret: string }>(`/api/webhooks/${id}/rotate-secret`, {});
            setSecret(res.secret);
            endpoint.reload();
          })}>Rotate secret</Button>
          <Button variant="secondary" busy={busy === 'active'} onClick={() => void act('active', async () => { await api.patch(`/api/webhooks/${id}`, { active: !w.active }); toast(w.active ? 'Endpoint switched off' : 'Endpoint switched on'); endpoint.reload(); })}>
            {w.active ? 'Switch off' : 'Switch on'}
          </Button>
          <Button variant="danger" busy={busy === 'delete'} onClick={() => {
            if (!window.confirm('Remove this endpoint and its delivery log?')) return;
            void act('delete', async () => { await api.delete(`/api/webhooks/${id}`); toast('Endpoint removed'); navigate('..'); });
          }}>Remove endpoint</Button>
        </div>
      </section>

      <section aria-labelledby="wh-deliveries">
        <div className="settings-subhead">
          <h2 id="wh-deliveries">Deliveries</h2>
          <div className="toolbar">
            <SelectField label="Show" value={status} onChange={(e) => { setStatus(e.target.value); setPages([]); }}>
              <option value="">All deliveries</option>
              <option value="pending">Pending</option>
              <option value="succeeded">Delivered</option>
              <option value="failed">Failed, will retry</option>
              <option value="exhausted">Failed, no retries left</option>
            </SelectField>
            <Button variant="secondary" onClick={() => deliveries.reload()}>Refresh</Button>
          </div>
        </div>
        {deliveries.error ? <ErrorBanner error={deliveries.error} title="Could not load the deliveries" /> : null}
        {deliveries.loading && !deliveries.data ? <Loading /> : null}
        {deliveries.data && deliveries.data.items.length === 0 ? <p className="empty-state">No deliveries{status ? ' with this status' : ' yet'}. Send a test event to check the endpoint.</p> : null}
        {deliveries.data && deliveries.data.items.length > 0 ? (
          <div className="table-wrap">
            <table className="data">
              <caption className="visually-hidden">Deliveries, newest first</caption>
              <thead><tr><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Created</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
              <tbody>
                {deliveries.data.items.map((d) => (
                  <tr key={d.id}>
                    <td><code>{d.eventType}</code><div className="small muted">{d.eventId}</div></td>
                    <td>
                      <Badge tone={TONE[d.status]}>{STATUS_TEXT[d.status]}</Badge>
                      {d.nextAttemptAt && d.status !== 'succeeded' ? <div className="small muted">Next try {formatDateTime(d.nextAttemptAt)}</div> : null}
                    </td>
                    <td>
                      {d.attempts.length === 0 ? <span className="muted">None yet</span> : (
                        <details>
                          <summary>{d.attemptCount} attempt{d.attemptCount === 1 ? '' : 's'}{d.lastStatusCode !== null ? `, last HTTP ${d.lastStatusCode}` : d.lastError ? ', last failed' : ''}</summary>
                          <ol className="small">
                            {d.attempts.map((a) => (
                              <li key={a.attempt}>
                                {formatDateTime(a.startedAt)}: {a.statusCode !== null ? `HTTP ${a.statusCode}` : 'no response'} in {a.durationMs} ms
                                {a.error ? <> — {a.error}</> : null}
                                {a.responseExcerpt ? <pre className="small">{a.responseExcerpt}</pre> : null}
                              </li>
                            ))}
                          </ol>
                        </details>
                      )}
                    </td>
                    <td className="nowrap">{formatDateTime(d.createdAt)}</td>
                    <td>
                      {d.status === 'failed' || d.status === 'exhausted' ? (
                        <Button variant="link" busy={busy === d.id} aria-label={`Retry delivery ${d.eventId}`} onClick={() => void act(d.id, async () => { await api.post(`/api/webhooks/${id}/deliveries/${d.id}/retry`); toast('Retry queued'); deliveries.reload(); })}>Retry</Button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <div className="form-actions">
          {pages.length > 0 ? <Button variant="secondary" onClick={() => setPages((p) => p.slice(0, -1))}>Newer deliveries</Button> : null}
          {deliveries.data?.nextCursor ? <Button variant="secondary" onClick={() => setPages((p) => [...p, deliveries.data!.nextCursor!])}>Older deliveries</Button> : null}
        </div>
      </section>
    </>
  );
}
