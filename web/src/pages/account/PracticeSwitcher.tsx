/**
 * The top bar's practice switcher, shown to a person who is staff of more than one practice. On the
 * shared host the session is traded for one in the chosen practice (POST /auth/switch); on a
 * practice's own host (a different browser origin per practice) it goes to the chosen practice's
 * own sign-in page instead, since a session cannot move between origins.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { hostPractice, rememberPractice } from '../../practice-choice.ts';
import { useToast } from '../../ui/kit.tsx';
import './account.css';

interface Choice {
  readonly slug: string;
  readonly name: string;
  readonly current: boolean;
}

interface SwitchedSession {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly user: { name: string; email: string };
  readonly tenant: { slug: string; name: string };
}

export function PracticeSwitcher() {
  const { api, session, adopt } = useSession();
  const navigate = useNavigate();
  const toast = useToast();
  const list = useLoad((signal) => api.get<{ items: Choice[] }>('/auth/practices', undefined, signal), [api, session?.slug]);
  const [chosen, setChosen] = useState(session?.slug ?? '');
  const [busy, setBusy] = useState(false);
  const [onPracticeHost, setOnPracticeHost] = useState(false);
  useEffect(() => setChosen(session?.slug ?? ''), [session?.slug]);
  useEffect(() => {
    void hostPractice().then((h) => setOnPracticeHost(Boolean(h)));
  }, []);

  const items = list.data?.items ?? [];
  if (items.length < 2) return null;

  async function go(e: FormEvent) {
    e.preventDefault();
    if (!chosen || chosen === session?.slug) return;
    if (onPracticeHost) {
      // <practice>.<base host>: swap the first label for the chosen practice.
      const rest = window.location.host.split('.').slice(1).join('.');
      window.location.assign(`${window.location.protocol}//${chosen}.${rest}/login`);
      return;
    }
    setBusy(true);
    try {
      // The session being left hands over its refresh token; the server ends it with the switch.
      const res = await api.post<SwitchedSession>('/auth/switch', { tenant: chosen, refreshToken: session?.refreshToken ?? '' });
      rememberPractice(res.tenant.slug);
      adopt({ accessToken: res.accessToken, refreshToken: res.refreshToken, slug: res.tenant.slug, practiceName: res.tenant.name, email: res.user.email, name: res.user.name });
      navigate('/dashboard');
      toast(`Switched to ${res.tenant.name}`);
    } catch (err) {
      toast(err instanceof Error ? `Could not switch: ${err.message}` : 'Could not switch practice', 'bad');
      setChosen(session?.slug ?? '');
      list.reload();
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="practice-switcher" onSubmit={go} aria-label="Switch practice">
      <label htmlFor="practice-switch" className="visually-hidden">Practice</label>
      <select id="practice-switch" value={chosen} onChange={(e) => setChosen(e.target.value)} disabled={busy}>
        {items.map((p) => (
          <option key={p.slug} value={p.slug}>{p.name}</option>
        ))}
      </select>
      <button type="submit" className="btn btn-secondary btn-small" disabled={busy || chosen === session?.slug} aria-busy={busy || undefined}>
        Switch
      </button>
    </form>
  );
}
