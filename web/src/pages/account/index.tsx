/**
 * Password pages: ask for a reset link (/forgot-password), and set a new password with the link's
 * token (/reset-password#token=…, in the fragment so it never reaches a server log or a Referer).
 */
import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ApiError, publicApi } from '../../api.ts';
import { applyBrandColours, DEFAULT_ACCENT, DEFAULT_PRIMARY } from '../../branding.tsx';
import { hostPractice, lastPractice, rememberPractice } from '../../practice-choice.ts';
import { Button, ErrorBanner, TextField } from '../../ui/kit.tsx';
import './account.css';

export function AccountPages({ page }: { page: 'forgot' | 'reset' }) {
  useEffect(() => applyBrandColours(DEFAULT_PRIMARY, DEFAULT_ACCENT), []);
  return (
    <div className="auth-page">
      <main className="auth-card" id="main">
        <div className="auth-brand">
          <p className="auth-title">HealthTrack</p>
        </div>
        {page === 'forgot' ? <ForgotPassword /> : <ResetPassword />}
      </main>
    </div>
  );
}

function ForgotPassword() {
  const [host, setHost] = useState<string | null | undefined>(undefined);
  const [practice, setPractice] = useState(lastPractice());
  const [email, setEmail] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);
  useEffect(() => {
    document.title = 'Forgot password · HealthTrack';
    void hostPractice().then((h) => {
      setHost(h?.slug ?? null);
      if (h) setPractice(h.slug);
    });
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const slug = practice.trim().toLowerCase();
      await publicApi.post('/auth/password-reset', { email: email.trim(), ...(host ? {} : { tenant: slug }) });
      if (!host) rememberPractice(slug);
      setSentTo(email.trim());
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (sentTo) {
    return (
      <>
        <h1>Check your email</h1>
        <div className="banner banner-info" role="status">
          <p className="account-done">
            If <strong>{sentTo}</strong> belongs to a staff member of that practice, we have sent a link to set a new password. It works once, for 30 minutes.
          </p>
        </div>
        <p>Nothing arrived after a few minutes? Check the spelling and the practice, or ask your practice administrator.</p>
        <p className="auth-links"><Link to="/login">Back to sign-in</Link></p>
      </>
    );
  }
  const fieldErr = (f: string) => (error instanceof ApiError ? error.fieldError(f) : undefined);
  return (
    <>
      <h1>Forgot your password?</h1>
      <p className="muted">Enter the email you sign in with, and we will send you a link to set a new password.</p>
      {error && !(error instanceof ApiError && error.errors.length) ? <ErrorBanner error={error} title="Could not send the link" /> : null}
      <form onSubmit={submit} noValidate>
        {host ? null : (
          <TextField
            label="Practice"
            name="practice"
            autoComplete="organization"
            value={practice}
            onChange={(e) => setPractice(e.target.value)}
            hint="The short name of your practice, as in its web address"
            error={fieldErr('tenant')}
            required
          />
        )}
        <TextField label="Email" name="email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} error={fieldErr('email')} required />
        <Button type="submit" busy={busy} className="btn-block">Send the link</Button>
      </form>
      <p className="auth-links"><Link to="/login">Back to sign-in</Link></p>
    </>
  );
}

/** The token of the link; the fragment is then dropped from the address bar and history. */
let takenToken = '';
function takeToken(): string {
  const token = new URLSearchParams(window.location.hash.replace(/^#/, '')).get('token');
  if (token) {
    takenToken = token;
    window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
  }
  return token ?? takenToken;
}

function ResetPassword() {
  const [token] = useState(takeToken);
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  useEffect(() => {
    document.title = 'Set a new password · HealthTrack';
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    if (password !== repeat) {
      setMismatch('The two passwords are not the same');
      return;
    }
    setMismatch(undefined);
    setBusy(true);
    try {
      await publicApi.post('/auth/password-reset/confirm', { token, password });
      setDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (!token) {
    return (
      <>
        <h1>Set a new password</h1>
        <div className="banner banner-error" role="alert">
          <strong>This link is incomplete</strong>
          <p>Open the link from the email again, or ask for a new one.</p>
        </div>
        <p className="auth-links"><Link to="/forgot-password">Ask for a new link</Link></p>
      </>
    );
  }
  if (done) {
    return (
      <>
        <h1>Password changed</h1>
        <div className="banner banner-info" role="status">
          <p className="account-done">Your new password is set. You were signed out everywhere, so sign in again with it.</p>
        </div>
        <p><Link className="btn btn-primary" to="/login">Sign in</Link></p>
      </>
    );
  }
  const tokenProblem = error instanceof ApiError && error.code.startsWith('reset_token_');
  const passwordErr = error instanceof ApiError ? error.fieldError('password') : undefined;
  return (
    <>
      <h1>Set a new password</h1>
      <p className="muted">Choose a new password for your HealthTrack account. It works in every practice you belong to.</p>
      {error && !passwordErr ? (
        <ErrorBanner error={error} title={tokenProblem ? 'This link cannot be used' : 'Could not change the password'} />
      ) : null}
      {tokenProblem ? <p><Link to="/forgot-password">Ask for a new link</Link></p> : null}
      <form onSubmit={submit} noValidate>
        <TextField
          label="New password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          hint="At least 10 characters"
          error={passwordErr}
          required
        />
        <TextField label="Repeat the new password" type="password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} error={mismatch} required />
        <Button type="submit" busy={busy} className="btn-block">Set new password</Button>
      </form>
      <p className="auth-links"><Link to="/login">Back to sign-in</Link></p>
    </>
  );
}
