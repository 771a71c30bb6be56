/**
 * The operator's session, apart from any staff session in the same browser: its own tokens under
 * their own storage key, refreshed at /platform/auth/refresh, and its own API client.
 */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { ApiClient, publicApi, type TokenPair, type TokenStore } from '../../api.ts';

export interface OperatorSession extends TokenPair {
  readonly name: string;
  readonly email: string;
}

const KEY = 'healthtrack.operator';

function read(): OperatorSession | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as OperatorSession) : null;
  } catch {
    return null;
  }
}

interface OperatorValue {
  readonly session: OperatorSession | null;
  readonly api: ApiClient;
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const OperatorContext = createContext<OperatorValue | null>(null);

export function OperatorSessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<OperatorSession | null>(read);
  const api = useMemo(() => {
    const store: TokenStore = {
      refreshUrl: '/platform/auth/refresh',
      get: () => read(),
      set(tokens) {
        const current = read();
        if (!tokens || !current) {
          localStorage.removeItem(KEY);
          setSession(null);
          return;
        }
        const next = { ...current, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken };
        localStorage.setItem(KEY, JSON.stringify(next));
        setSession(next);
      },
      headers: () => ({}),
      onExpired() {
        localStorage.removeItem(KEY);
        setSession(null);
      },
    };
    return new ApiClient(store);
  }, []);

  const signIn = useCallback(async (email: string, password: string) => {
    const res = await publicApi.post<TokenPair & { operator: { name: string; email: string } }>('/platform/auth/login', { email, password });
    const next: OperatorSession = { accessToken: res.accessToken, refreshToken: res.refreshToken, name: res.operator.name, email: res.operator.email };
    localStorage.setItem(KEY, JSON.stringify(next));
    setSession(next);
  }, []);

  const signOut = useCallback(async () => {
    const s = read();
    localStorage.removeItem(KEY);
    setSession(null);
    if (s) await publicApi.post('/platform/auth/logout', { refreshToken: s.refreshToken }).catch(() => undefined);
  }, []);

  const value = useMemo(() => ({ session, api, signIn, signOut }), [session, api, signIn, signOut]);
  return <OperatorContext.Provider value={value}>{children}</OperatorContext.Provider>;
}

export function useOperator(): OperatorValue {
  const v = useContext(OperatorContext);
  if (!v) throw new Error('useOperator outside OperatorSessionProvider');
  return v;
}

/** Server shapes the console reads. */
export interface Usage {
  readonly patients: number;
  readonly activeStaff: number;
  readonly appointmentsLast30Days: number;
  readonly invoices: number;
  readonly storageBytes: number;
  readonly storageEstimated: boolean;
  readonly lastActivityAt: string | null;
  readonly measuredAt: string;
}

export interface TenantRow {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly subdomain: string | null;
  readonly tier: 'pooled' | 'schema';
  readonly schema: string;
  readonly status: 'active' | 'suspended';
  readonly plan: string;
  readonly suspendedReason: string | null;
  readonly createdAt: string;
}

export interface Plan {
  readonly key: string;
  readonly name: string;
  readonly description: string;
  readonly features: string[];
  readonly limits: { staffSeats: number; requestsPerMinute: number };
}

/** "1.2 MB": storage for people (1 kB = 1000 bytes). */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${bytes} bytes` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/**
 * A practice's own sign-in page: `<name>.<this host>/login`. The console is served at the base
 * host, so the practice's host is its name in front of this one.
 */
export function practiceSignInUrl(name: string): string {
  return `${window.location.protocol}//${name}.${window.location.host}/login`;
}
