/**
 * /billing/invoices/:id: one invoice or credit note: lines, taxes, totals, payments and balance, with
 * the actions its status allows (issue a draft; record payments and refunds; void; credit in full;
 * download the PDF; email it to the patient).
 */
import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { formatDate, formatMoney } from '../../ui/format.ts';
import { Badge, Button, Dialog, EmptyState, ErrorBanner, Loading, PageHeader, TextField, useToast } from '../../ui/kit.tsx';
import { PaymentDialog } from './PaymentDialog.tsx';
import { usePatientNames } from './patients.tsx';
import { invoiceTitle, METHOD_LABELS, newIdempotencyKey, patientName, STATUS_LABELS, STATUS_TONES, type Invoice, type InvoicePayments } from './types.ts';

type Open = null | 'payment' | 'refund' | 'void' | 'credit';

export function InvoiceDetail() {
  const { id = '' } = useParams();
  const { api, can } = useSession();
  const toast = useToast();
  const navigate = useNavigate();
  const [open, setOpen] = useState<Open>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  // One key for issuing from this page: a double click or a retry issues (and numbers) once.
  const issueKey = useMemo(() => newIdempotencyKey(), [id]);
  const loaded = useLoad(
    async (signal) => {
      const invoice = await api.get<Invoice>(`/api/invoices/${id}`, undefined, signal);
      const payments = invoice.kind === 'invoice' && invoice.status !== 'draft' ? await api.get<InvoicePayments>(`/api/invoices/${id}/payments`, undefined, signal) : null;
      return { invoice, payments };
    },
    [api, id],
  );
  const names = usePatientNames(loaded.data ? [loaded.data.invoice.patientId] : []);

  if (loaded.loading && !loaded.data) return <Loading label="Loading the invoice…" />;
  if (!loaded.data) {
    if (loaded.error instanceof ApiError && loaded.error.status === 404) {
      return <EmptyState title="No such invoice" action={<Link className="btn btn-secondary" to="/billing">Back to invoices</Link>}>It may have been typed wrongly, or belong to another practice.</EmptyState>;
    }
    return <ErrorBanner error={loaded.error} title="The invoice could not be loaded" />;
  }
  const { invoice, payments } = loaded.data;
  const doc = invoice.document;
  const currency = invoice.currency;
  const money = (minor: number) => formatMoney(minor, currency);
  const canWrite = can('billing:write');
  const isInvoice = invoice.kind === 'invoice';
  const payable = isInvoice && (invoice.status === 'issued' || invoice.status === 'partially_paid');
  const refundable = payments ? payments.paid - payments.refunded : 0;
  const patient = names.get(invoice.patientId);

  async function act(name: string, fn: () => Promise<unknown>, done: string) {
    setBusy(name);
    setError(null);
    try {
      await fn();
      toast(done);
      loaded.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  const filename = `${invoice.number ?? `draft-${invoice.id}`}.pdf`;

  return (
    <>
      <p className="small"><Link to="/billing">← Invoices</Link></p>
      <PageHeader
        title={invoiceTitle(invoice)}
        subtitle={
          <>
            <Badge tone={STATUS_TONES[invoice.status]}>{STATUS_LABELS[invoice.status]}</Badge>{' '}
            {patient ? <Link to={`/patients/${invoice.patientId}`}>{patientName(patient)}</Link> : null}
            {invoice.issueDate ? ` · issued ${formatDate(invoice.issueDate)}` : ' · not issued yet'}
          </>
        }
      >
        {canWrite && invoice.status === 'draft' ? (
          <Button busy={busy === 'issue'} onClick={() => act('issue', () => api.post(`/api/invoices/${id}/issue`, undefined, { 'idempotency-key': issueKey }), 'Invoice issued')}>
            Issue invoice
          </Button>
        ) : null}
        {canWrite && payable ? <Button onClick={() => setOpen('payment')}>Record payment</Button> : null}
        {canWrite && isInvoice && refundable > 0 ? <Button variant="secondary" onClick={() => setOpen('refund')}>Record refund</Button> : null}
        <Button variant="secondary" busy={busy === 'pdf'} onClick={() => act('pdf', () => api.download(`/api/invoices/${id}/pdf`, filename), 'PDF downloaded')}>Download PDF</Button>
        {canWrite && isInvoice && invoice.status !== 'draft' && invoice.status !== 'void' ? (
          <>
            <Button variant="secondary" busy={busy === 'send'} onClick={() => act('send', () => api.post(`/api/invoices/${id}/send`, {}), 'Invoice queued to email to the patient')}>Email to patient</Button>
            <Button variant="secondary" onClick={() => setOpen('credit')}>Credit in full</Button>
            <Button variant="danger" onClick={() => setOpen('void')}>Void</Button>
          </>
        ) : null}
      </PageHeader>

      <ErrorBanner error={error} title="That did not work" />
      {invoice.status === 'void' ? <div className="banner banner-warn"><strong>Void</strong><p>{invoice.voidReason}</p></div> : null}
      {invoice.creditsInvoiceId ? <p>Credits <Link to={`/billing/invoices/${invoice.creditsInvoiceId}`}>the original invoice</Link>.</p> : null}

      {doc ? (
        <section aria-labelledby="lines-h" className="card">
          <h2 id="lines-h">Lines</h2>
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Description</th>
                  <th scope="col" className="num">Quantity</th>
                  <th scope="col" className="num">Unit price</th>
                  <th scope="col" className="num">Discount</th>
                  <th scope="col" className="num">Tax</th>
                  <th scope="col" className="num">Total</th>
                </tr>
              </thead>
              <tbody>
                {doc.lines.map((l, i) => (
                  <tr key={i}>
                    <td>{l.description}</td>
                    <td className="num">{l.quantity}</td>
                    <td className="num nowrap">{money(l.unitPrice)}</td>
                    <td className="num nowrap">{l.discount ? money(-l.discount) : '—'}</td>
                    <td className="num nowrap">{money(l.taxTotal)}</td>
                    <td className="num nowrap">{money(l.total)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <dl className="facts billing-totals">
            <dt>Subtotal</dt><dd className="num">{money(doc.subtotal)}</dd>
            {doc.discountTotal ? (<><dt>Discounts</dt><dd className="num">{money(-doc.discountTotal)}</dd></>) : null}
            {doc.taxTotals.map((t) => (
              <FactPair key={t.jurisdiction + t.name} label={`${t.name} (${t.ratePercent}%)`} value={money(t.amount)} />
            ))}
            <dt><strong>Total</strong></dt><dd className="num"><strong>{money(doc.total)}</strong></dd>
            {payments ? (
              <>
                {payments.credited ? <FactPair label="Credited" value={money(-payments.credited)} /> : null}
                <FactPair label="Paid" value={money(-payments.paid)} />
                {payments.refunded ? <FactPair label="Refunded" value={money(payments.refunded)} /> : null}
                <dt><strong>Balance due</strong></dt><dd className="num" data-testid="balance"><strong>{money(payments.balance)}</strong></dd>
              </>
            ) : null}
          </dl>
          {invoice.status === 'draft' ? <p className="muted small">A draft is computed with today’s prices and tax rates; issuing freezes it.</p> : null}
        </section>
      ) : null}

      {payments ? (
        <section aria-labelledby="payments-h" className="card">
          <h2 id="payments-h">Payments and refunds</h2>
          {payments.items.length === 0 ? (
            <p className="muted">Nothing received yet.{canWrite && payable ? ' Use “Record payment” when the patient pays.' : ''}</p>
          ) : (
            <div className="table-wrap">
              <table className="data">
                <thead>
                  <tr><th scope="col">Received</th><th scope="col">Kind</th><th scope="col">Method</th><th scope="col">Reference</th><th scope="col" className="num">Amount</th></tr>
                </thead>
                <tbody>
                  {payments.items.map((p) => (
                    <tr key={p.id}>
                      <td className="nowrap">{formatDate(p.receivedOn)}</td>
                      <td>{p.kind === 'refund' ? 'Refund' : 'Payment'}</td>
                      <td>{METHOD_LABELS[p.method] ?? p.method}</td>
                      <td>{p.reference ?? '—'}</td>
                      <td className="num nowrap">{money(p.kind === 'refund' ? -p.amount : p.amount)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ) : null}

      {open === 'payment' || open === 'refund' ? (
        <PaymentDialog
          invoiceId={id}
          kind={open}
          currency={currency}
          max={open === 'payment' ? payments?.balance ?? 0 : refundable}
          onClose={() => setOpen(null)}
          onRecorded={(p) => {
            setOpen(null);
            toast(`${p.kind === 'refund' ? 'Refund' : 'Payment'} of ${money(p.amount)} recorded`);
            loaded.reload();
          }}
        />
      ) : null}
      {open === 'void' ? (
        <VoidDialog
          onClose={() => setOpen(null)}
          onVoid={async (reason) => {
            await api.post(`/api/invoices/${id}/void`, { reason });
            setOpen(null);
            toast('Invoice voided');
            loaded.reload();
          }}
        />
      ) : null}
      {open === 'credit' && doc ? (
        <Dialog open title="Credit the whole invoice" onClose={() => setOpen(null)}>
          <p>A credit note for every line of {invoiceTitle(invoice)} ({money(doc.total)}) will be issued with the next number. To credit part of it, use the API.</p>
          <ErrorBanner error={error} title="The credit note was not issued" />
          <div className="dialog-foot">
            <Button
              busy={busy === 'credit'}
              onClick={async () => {
                setBusy('credit');
                setError(null);
                try {
                  const note = await api.post<Invoice>(`/api/invoices/${id}/credit-notes`, { lines: doc.lines.map((l, i) => ({ line: i, quantity: l.quantity })) });
                  setOpen(null);
                  toast('Credit note issued');
                  navigate(`/billing/invoices/${note.id}`);
                } catch (err) {
                  setError(err);
                } finally {
                  setBusy(null);
                }
              }}
            >
              Issue credit note
            </Button>
            <Button variant="secondary" onClick={() => setOpen(null)}>Cancel</Button>
          </div>
        </Dialog>
      ) : null}
    </>
  );
}

function FactPair({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd className="num">{value}</dd>
    </>
  );
}

function VoidDialog({ onClose, onVoid }: { onClose: () => void; onVoid: (reason: string) => Promise<void> }) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const api400 = error instanceof ApiError ? error : null;
  return (
    <Dialog open title="Void this invoice" onClose={onClose}>
      <form
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            await onVoid(reason.trim());
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <p>Voiding says the invoice was issued in error. It keeps its number and stays on record, marked VOID.</p>
        <TextField label="Reason" value={reason} onChange={(e) => setReason(e.target.value)} error={api400?.fieldError('reason')} required />
        <ErrorBanner error={api400?.errors.length ? null : error} title="The invoice was not voided" />
        <div className="dialog-foot">
          <Button type="submit" variant="danger" busy={busy}>Void invoice</Button>
          <Button variant="secondary" onClick={onClose}>Keep it</Button>
        </div>
      </form>
    </Dialog>
  );
}
