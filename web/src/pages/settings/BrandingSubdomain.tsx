/** The practice's custom subdomain (PUT /api/branding/subdomain): set, change or remove it. */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { Button, ErrorBanner, TextField, useToast } from '../../ui/kit.tsx';

/** The host the practice would be reached at, from the host the app runs on. */
function hostFor(name: string, slug: string): string {
  const host = window.location.host;
  const base = host.startsWith(`${slug}.`) ? host.slice(slug.length + 1) : host;
  return `${name}.${base}`;
}

export function BrandingSubdomain({ subdomain, slug, editable, onChanged }: { subdomain: string | null; slug: string; editable: boolean; onChanged: (s: string | null) => void }) {
  const { api } = useSession();
  const toast = useToast();
  const id = useId();
  const [value, setValue] = useState(subdomain ?? '');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setValue(subdomain ?? ''), [subdomain]);

  async function put(next: string | null) {
    setBusy(true);
    setError(null);
    try {
      const res = await api.put<{ slug: string; subdomain: string | null }>('/api/branding/subdomain', { subdomain: next });
      onChanged(res.subdomain);
      toast(res.subdomain ? 'Subdomain saved' : 'Subdomain removed');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const apiErr = error instanceof ApiError ? error : null;
  const fieldError = apiErr?.fieldError('subdomain') ?? (apiErr?.code === 'subdomain_taken' ? apiErr.detail : undefined);
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Custom subdomain</h2>
      <p className="muted">
        The practice is always reached at <strong>{hostFor(slug, slug)}</strong>
        {subdomain ? <> and also at <strong>{hostFor(subdomain, slug)}</strong></> : null}.
      </p>
      {error && !fieldError ? <ErrorBanner error={error} title="Could not change the subdomain" /> : null}
      {editable ? (
        <form onSubmit={(e: FormEvent) => { e.preventDefault(); void put(value.trim().toLowerCase() || null); }} noValidate>
          <div className="row">
            <TextField
              label="Subdomain"
              value={value}
              maxLength={40}
              onChange={(e) => setValue(e.target.value)}
              error={fieldError}
              hint="Lower-case letters, digits and dashes; must not be taken by another practice"
            />
          </div>
          <div className="form-actions">
            <Button type="submit" busy={busy}>Save subdomain</Button>
            {subdomain ? <Button variant="secondary" disabled={busy} onClick={() => void put(null)}>Remove subdomain</Button> : null}
          </div>
        </form>
      ) : null}
    </section>
  );
}
