/** Operator sign-in: HealthTrack staff who run the platform, not practice staff. */
import { useEffect, useState, type FormEvent } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { ApiError } from '../../api.ts';
import { Button, ErrorBanner, TextField } from '../../ui/kit.tsx';
import { useOperator } from './operator-session.tsx';

export function OperatorSignIn() {
  const { session, signIn } = useOperator();
  const navigate = useNavigate();
  const location = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = 'Operator sign-in · HealthTrack';
  }, []);
  if (session && !busy) return <Navigate to="/operator/tenants" replace />;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
      const from = (location.state as { from?: string } | null)?.from;
      navigate(from && from.startsWith('/operator/') && from !== '/operator/login' ? from : '/operator/tenants', { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }
  const fieldErr = (f: string) => (error instanceof ApiError ? error.fieldError(f) : undefined);
  return (
    <div className="auth-page">
      <main className="auth-card" id="main">
        <div className="auth-brand">
          <h1>HealthTrack operators</h1>
          <p className="muted">For the people who run HealthTrack. Practice staff sign in on the practice sign-in page.</p>
        </div>
        <h2 className="auth-title">Operator sign-in</h2>
        {error && !(error instanceof ApiError && error.errors.length) ? (
          <ErrorBanner error={error} title={error instanceof ApiError && error.status === 401 ? 'Those details did not match' : 'Could not sign in'} />
        ) : null}
        <form onSubmit={submit} noValidate>
          <TextField label="Email" name="email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} error={fieldErr('email')} required />
          <TextField label="Password" name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} error={fieldErr('password')} required />
          <Button type="submit" busy={busy} className="btn-block">Sign in</Button>
        </form>
        <p className="auth-links">
          <Link to="/login">Practice sign-in</Link>
        </p>
      </main>
    </div>
  );
}
