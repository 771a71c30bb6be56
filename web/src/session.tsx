/**
 * The staff session: which practice, the tokens, and what the server says the person may do
 * (GET /api/me, re-read after sign-in and on demand so a role change shows without signing out).
 *
 * Decision: tokens live in localStorage so a reload or a second tab keeps the session. The access
 * token lives 15 minutes; the refresh token is single-use and revoked on sign-out. The pages are
 * served with a CSP that allows scripts from this origin only, which is what keeps them from
 * other scripts.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiClient, publicApi, type TokenPair, type TokenStore } from './api.ts';

export interface StaffSession extends TokenPair {
  readonly slug: string;
  readonly practiceName: string;
  readonly email: string;
  readonly name: string;
}

export interface Me {
  readonly userId: string;
  readonly tenant: { id: string; slug: string; name: string };
  readonly permissions: readonly string[];
  readonly plan: { key: string; name: string };
  readonly features: readonly string[];
}

const KEY = 'healthtrack.session';

function readSession(): StaffSession | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as StaffSession) : null;
  } catch {
    return null;
  }
}

interface SessionValue {
  readonly session: StaffSession | null;
  readonly me: Me | null;
  readonly api: ApiClient;
  /** True when the signed-in person holds `permission`. */
  can(permission: string): boolean;
  /** True when the practice's plan includes `feature`. */
  has(feature: string): boolean;
  signIn(slug: string, email: string, password: string): Promise<void>;
  /** Replaces the session with tokens for another practice (switching practices). */
  adopt(session: StaffSession): void;
  signOut(): Promise<void>;
  reloadMe(): Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<StaffSession | null>(readSession);
  const [me, setMe] = useState<Me | null>(null);

  const store = useMemo<TokenStore>(() => {
    return {
      refreshUrl: '/auth/refresh',
      get: () => readSession(),
      set(tokens) {
        const current = readSession();
        if (!tokens || !current) {
          localStorage.removeItem(KEY);
          setSession(null);
          return;
        }
        const next = { ...current, ...tokens };
        localStorage.setItem(KEY, JSON.stringify(next));
        setSession(next);
      },
      headers: (): Record<string, string> => {
        const s = readSession();
        return s ? { 'x-tenant': s.slug } : {};
      },
      onExpired() {
        localStorage.removeItem(KEY);
        setSession(null);
      },
    };
  }, []);
  const api = useMemo(() => new ApiClient(store), [store]);

  const reloadMe = useCallback(async () => {
    if (!readSession()) {
      setMe(null);
      return;
    }
    try {
      setMe(await api.get<Me>('/api/me'));
    } catch {
      setMe(null);
    }
  }, [api]);

  useEffect(() => {
    void reloadMe();
  }, [session?.slug, session?.email, reloadMe]);

  // Another tab signed in or out: follow it.
  useEffect(() => {
    const onStorage = (e: StorageEvent) => {
      if (e.key !== KEY) return;
      const next = readSession();
      setSession((current) => {
        // Another practice or person: drop what this tab shows so no page keeps the old practice's
        // data while its calls already go to the new one (X-Tenant and token are read per call).
        if (current?.slug !== next?.slug || current?.email !== next?.email) setMe(null);
        return next;
      });
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, []);

  const adopt = useCallback((next: StaffSession) => {
    const previous = readSession();
    // Switching practices ends the session being left, so it cannot be used for its remaining 30 days.
    if (previous && previous.refreshToken !== next.refreshToken) {
      void publicApi.post('/auth/logout', { refreshToken: previous.refreshToken }, { 'x-tenant': previous.slug }).catch(() => undefined);
    }
    localStorage.setItem(KEY, JSON.stringify(next));
    setMe(null);
    setSession(next);
  }, []);

  const signIn = useCallback(async (slug: string, email: string, password: string) => {
    const res = await publicApi.post<{ accessToken: string; refreshToken: string; user: { name: string; email: string }; tenant: { slug: string; name: string } }>(
      '/auth/login',
      { tenant: slug, email, password },
    );
    adopt({
      accessToken: res.accessToken,
      refreshToken: res.refreshToken,
      slug: res.tenant.slug,
      practiceName: res.tenant.name,
      email: res.user.email,
      name: res.user.name,
    });
  }, [adopt]);

  const signOut = useCallback(async () => {
    const s = readSession();
    localStorage.removeItem(KEY);
    setSession(null);
    setMe(null);
    if (s) await publicApi.post('/auth/logout', { refreshToken: s.refreshToken }).catch(() => undefined);
  }, []);

  const value = useMemo<SessionValue>(
    () => ({
      session,
      me,
      api,
      can: (p) => me?.permissions.includes(p) ?? false,
      has: (f) => me?.features.includes(f) ?? false,
      signIn,
      adopt,
      signOut,
      reloadMe,
    }),
    [session, me, api, signIn, adopt, signOut, reloadMe],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

/** The signed-in staff API client (pages under the staff layout only). */
export function useApiClient(): ApiClient {
  return useSession().api;
}
