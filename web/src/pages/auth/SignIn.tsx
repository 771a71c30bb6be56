/**
 * Staff sign-in. On a practice's own host (`<practice>.<base host>`) the practice is known and
 * shown in its branding; elsewhere the person types the practice's short name (remembered for next
 * time).
 */
import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useLocation, Link } from 'react-router';
import { ApiError } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { hostPractice, lastPractice, rememberPractice, type HostPractice } from '../../practice-choice.ts';
import { applyBrandColours, DEFAULT_ACCENT, DEFAULT_PRIMARY, type PublicBranding } from '../../branding.tsx';
import { publicApi } from '../../api.ts';
import { Button, ErrorBanner, TextField } from '../../ui/kit.tsx';

export function SignIn() {
  const { signIn } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [host, setHost] = useState<HostPractice | null | undefined>(undefined);
  const [practice, setPractice] = useState(lastPractice());
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [branding, setBranding] = useState<PublicBranding | null>(null);

  useEffect(() => {
    void hostPractice().then((h) => {
      setHost(h);
      if (h) setPractice(h.slug);
    });
  }, []);

  // Show the practice's colours and logo as soon as its name is known.
  useEffect(() => {
    const slug = practice.trim().toLowerCase();
    if (!/^[a-z0-9-]{1,40}$/.test(slug)) {
      setBranding(null);
      applyBrandColours(DEFAULT_PRIMARY, DEFAULT_ACCENT);
      return;
    }
    const t = setTimeout(() => {
      publicApi.get<PublicBranding>(`/public/practices/${slug}/branding`).then(
        (b) => {
          setBranding(b);
          applyBrandColours(b.primaryColor, b.accentColor);
        },
        () => {
          setBranding(null);
          applyBrandColours(DEFAULT_PRIMARY, DEFAULT_ACCENT);
        },
      );
    }, 300);
    return () => clearTimeout(t);
  }, [practice]);

  useEffect(() => {
    document.title = branding ? `Sign in · ${branding.displayName}` : 'Sign in · HealthTrack';
  }, [branding]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const slug = practice.trim().toLowerCase();
      await signIn(slug, email.trim(), password);
      rememberPractice(slug);
      const from = (location.state as { from?: string } | null)?.from;
      navigate(from && from !== '/login' ? from : '/dashboard', { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const fieldErr = (f: string) => (error instanceof ApiError ? error.fieldError(f) : undefined);
  return (
    <div className="auth-page">
      <main className="auth-card" id="main">
        <div className="auth-brand">
          {branding?.logoUrl ? <img src={branding.logoUrl} alt="" className="brand-logo-large" /> : null}
          <h1>{branding ? branding.displayName : 'HealthTrack'}</h1>
          {branding?.tagline ? <p className="muted">{branding.tagline}</p> : null}
        </div>
        <h2 className="auth-title">Sign in</h2>
        {error && !(error instanceof ApiError && error.errors.length) ? (
          <ErrorBanner error={error} title={error instanceof ApiError && error.status === 401 ? 'Those details did not match' : 'Could not sign in'} />
        ) : null}
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
          <TextField label="Password" name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} error={fieldErr('password')} required />
          <Button type="submit" busy={busy} className="btn-block">Sign in</Button>
        </form>
        <p className="auth-links">
          <Link to="/forgot-password">Forgot your password?</Link>
          <span aria-hidden="true"> · </span>
          <Link to="/operator">Operator console</Link>
        </p>
      </main>
    </div>
  );
}
