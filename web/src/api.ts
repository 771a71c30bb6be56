/**
 * The one way the web app talks to the server: JSON over fetch with the session's bearer token,
 * a single shared refresh when the access token has expired, and problem+json errors turned into
 * `ApiError` with the field errors the forms show inline.
 */

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors: readonly FieldError[] = [],
    readonly body: Record<string, unknown> = {},
  ) {
    super(detail);
  }

  /** The message of one field (dotted path as the API names it), if the API named it. */
  fieldError(field: string): string | undefined {
    return this.errors.find((e) => e.field === field)?.message;
  }
}

export interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
}

/** Where a client keeps its tokens; the staff app and the operator console each have one. */
export interface TokenStore {
  get(): TokenPair | null;
  set(tokens: TokenPair | null): void;
  /** The refresh endpoint of this kind of session. */
  readonly refreshUrl: string;
  /** Extra headers on every call (X-Tenant for the staff app on a host without the practice in it). */
  headers(): Record<string, string>;
  /** Called when the session cannot be refreshed any more. */
  onExpired(): void;
}

export interface RequestOptions {
  readonly method?: string;
  readonly body?: unknown;
  readonly query?: Record<string, string | number | boolean | undefined | null>;
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
  /** Raw body (file upload); sent as is with `headers['content-type']`. */
  readonly raw?: Blob | ArrayBuffer;
}

export function withQuery(path: string, query?: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

async function toError(res: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    // not JSON (a proxy's page): fall through with the status only
  }
  const errors = Array.isArray(body.errors) ? (body.errors as FieldError[]) : [];
  return new ApiError(
    res.status,
    typeof body.code === 'string' ? body.code : `http_${res.status}`,
    typeof body.detail === 'string' ? body.detail : res.statusText || 'Request failed',
    errors,
    body,
  );
}

export class ApiClient {
  private refreshing: Promise<'refreshed' | 'expired' | 'unavailable'> | null = null;

  constructor(private readonly store: TokenStore | null) {}

  /** Fetches with auth; on 401 refreshes once (shared by concurrent calls and tabs) and retries. */
  async fetch(path: string, options: RequestOptions = {}): Promise<Response> {
    const send = () => {
      const headers: Record<string, string> = { accept: 'application/json', ...(this.store?.headers() ?? {}), ...(options.headers ?? {}) };
      const tokens = this.store?.get();
      if (tokens) headers.authorization = `Bearer ${tokens.accessToken}`;
      let body: BodyInit | undefined;
      if (options.raw !== undefined) body = options.raw;
      else if (options.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(options.body);
      }
      return { sentWith: tokens?.accessToken, response: fetch(withQuery(path, options.query), { method: options.method ?? 'GET', headers, body, signal: options.signal }) };
    };
    const first = send();
    let res = await first.response;
    if (res.status === 401 && first.sentWith) {
      const outcome = await this.refresh(first.sentWith);
      if (outcome === 'refreshed') res = await send().response;
      else if (outcome === 'expired') this.store?.onExpired();
    }
    return res;
  }

  /**
   * Exchanges the refresh token once for every caller in this tab, and across tabs under a Web Lock:
   * the server treats a second use of one refresh token as theft and ends the session, so a tab that
   * waited finds the tokens already replaced (by another tab) and simply uses them.
   */
  private refresh(failedAccessToken: string): Promise<'refreshed' | 'expired' | 'unavailable'> {
    const store = this.store;
    if (!store) return Promise.resolve('expired');
    const run = async (): Promise<'refreshed' | 'expired' | 'unavailable'> => {
      const tokens = store.get();
      if (!tokens) return 'expired';
      if (tokens.accessToken !== failedAccessToken) return 'refreshed';
      let res: Response;
      try {
        res = await fetch(store.refreshUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', ...store.headers() },
          body: JSON.stringify({ refreshToken: tokens.refreshToken }),
        });
      } catch {
        return 'unavailable';
      }
      // Only a refused token ends the session; a server or network failure keeps it for a retry.
      if (res.status === 400 || res.status === 401 || res.status === 403) {
        store.set(null);
        return 'expired';
      }
      if (!res.ok) return 'unavailable';
      const next = (await res.json()) as TokenPair;
      // A practice switch in the meantime replaced the session: these tokens belong to the old one.
      if (store.get()?.refreshToken !== tokens.refreshToken) return 'refreshed';
      store.set({ accessToken: next.accessToken, refreshToken: next.refreshToken });
      return 'refreshed';
    };
    this.refreshing ??= (async () => {
      const locks = typeof navigator !== 'undefined' ? (navigator as Navigator & { locks?: LockManager }).locks : undefined;
      return locks ? locks.request(`healthtrack-refresh:${store.refreshUrl}`, run) : run();
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** JSON call: resolves the parsed body (undefined for 204), rejects with ApiError. */
  async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.fetch(path, options);
    if (!res.ok) throw await toError(res);
    if (res.status === 204) return undefined as T;
    const type = res.headers.get('content-type') ?? '';
    return (type.includes('json') ? await res.json() : await res.text()) as T;
  }

  get<T>(path: string, query?: RequestOptions['query'], signal?: AbortSignal): Promise<T> {
    return this.request<T>(path, { query, signal });
  }
  post<T>(path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    return this.request<T>(path, { method: 'POST', body: body ?? {}, headers });
  }
  put<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>(path, { method: 'PUT', body: body ?? {} });
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>(path, { method: 'PATCH', body });
  }
  delete<T>(path: string): Promise<T> {
    return this.request<T>(path, { method: 'DELETE' });
  }

  /** Downloads a binary (PDF, CSV) with auth and hands it to the browser as a file. */
  async download(path: string, filename: string, query?: RequestOptions['query']): Promise<void> {
    const res = await this.fetch(path, { query, headers: { accept: '*/*' } });
    if (!res.ok) throw await toError(res);
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

/** A client without a session: public pages (patient links, branding, sign-in). */
export const publicApi = new ApiClient(null);
