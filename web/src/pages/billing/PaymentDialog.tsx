/**
 * Recording a payment or a refund. The amount is typed in major units and sent as minor units
 * (parseMoney, never floats). One `Idempotency-Key` is made when the dialog opens and sent with every
 * submit from it, and a second submit while the first is in flight is ignored: a double click or a
 * retry after a lost answer records the payment once.
 */
import { useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { formatMoney, parseMoney } from '../../ui/format.ts';
import { Button, Dialog, ErrorBanner, SelectField, TextField } from '../../ui/kit.tsx';
import { METHOD_LABELS, newIdempotencyKey, type Payment, type PaymentMethod } from './types.ts';

export function PaymentDialog({ invoiceId, kind, currency, max, onClose, onRecorded }: {
  invoiceId: string;
  kind: 'payment' | 'refund';
  currency: string;
  /** The balance (payment) or what can be refunded, in minor units. */
  max: number;
  onClose: () => void;
  onRecorded: (p: Payment) => void;
}) {
  const { api } = useSession();
  const key = useRef(newIdempotencyKey());
  const inFlight = useRef(false);
  const [method, setMethod] = useState<PaymentMethod>('card');
  const [amount, setAmount] = useState('');
  const [reference, setReference] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [amountError, setAmountError] = useState<string | undefined>();
  const api400 = error instanceof ApiError ? error : null;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (inFlight.current) return;
    const minor = parseMoney(amount, currency);
    if (minor === null || minor === '0') {
      setAmountError('Enter an amount greater than zero, such as 25.00');
      return;
    }
    setAmountError(undefined);
    setError(null);
    inFlight.current = true;
    setBusy(true);
    try {
      const recorded = await api.post<Payment>(
        `/api/invoices/${invoiceId}/payments`,
        { kind, method, amount: Number(minor), ...(reference.trim() ? { reference: reference.trim() } : {}) },
        { 'idempotency-key': key.current },
      );
      onRecorded(recorded);
    } catch (err) {
      setError(err);
      // A refused payment recorded nothing: the next attempt is a new request.
      if (err instanceof ApiError && err.status >= 400 && err.status < 500) key.current = newIdempotencyKey();
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  }

  const title = kind === 'payment' ? 'Record a payment' : 'Record a refund';
  return (
    <Dialog open title={title} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <p className="muted">
          {kind === 'payment' ? 'Balance due' : 'Paid and not yet refunded'}: <strong>{formatMoney(max, currency)}</strong>
        </p>
        <SelectField label="Method" value={method} onChange={(e) => setMethod(e.target.value as PaymentMethod)} error={api400?.fieldError('method')}>
          {(Object.keys(METHOD_LABELS) as PaymentMethod[]).map((m) => (
            <option key={m} value={m}>{METHOD_LABELS[m]}</option>
          ))}
        </SelectField>
        <TextField label={`Amount (${currency})`} inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} error={amountError ?? api400?.fieldError('amount')} autoFocus />
        <TextField label="Reference (optional)" value={reference} onChange={(e) => setReference(e.target.value)} error={api400?.fieldError('reference')} hint="Card slip, cheque number or claim number" />
        <ErrorBanner error={api400?.errors.length ? null : error} title={`The ${kind} was not recorded`} />
        <div className="dialog-foot">
          <Button type="submit" busy={busy}>{kind === 'payment' ? 'Record payment' : 'Record refund'}</Button>
          <Button variant="secondary" onClick={onClose}>Cancel</Button>
        </div>
      </form>
    </Dialog>
  );
}
