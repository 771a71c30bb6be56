/**
 * The practice logo: upload (raw bytes with their content type, PUT /api/branding/logo), preview and
 * removal. The API checks the bytes; its type and size errors are shown next to the file field.
 */
import { useId, useRef, useState } from 'react';
import { ApiError } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { Button, useToast } from '../../ui/kit.tsx';
import type { StaffBranding } from './BrandingSettings.tsx';

type Logo = StaffBranding['logo'];

const ACCEPTED = ['image/png', 'image/jpeg'];
const MAX_BYTES = 512 * 1024;

function sizeText(bytes: number): string {
  return bytes < 1024 ? `${bytes} bytes` : `${(bytes / 1024).toFixed(1)} KiB`;
}

export function BrandingLogo({ logo, src, editable, onChanged }: { logo: Logo; src: string | null; editable: boolean; onChanged: (logo: Logo) => Promise<void> | void }) {
  const { api } = useSession();
  const toast = useToast();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'upload' | 'remove' | null>(null);

  async function upload(file: File) {
    setError(null);
    // The API is the judge (it reads the bytes); these checks only save a round trip.
    if (file.type && !ACCEPTED.includes(file.type)) {
      setError(`${file.name} is ${file.type}: the logo must be a PNG or JPEG image.`);
      return;
    }
    if (file.size > MAX_BYTES) {
      setError(`${file.name} is ${sizeText(file.size)}: the logo may be at most 512 KiB.`);
      return;
    }
    setBusy('upload');
    try {
      const meta = await api.request<NonNullable<Logo>>('/api/branding/logo', {
        method: 'PUT',
        raw: file,
        headers: { 'content-type': file.type || 'application/octet-stream' },
      });
      await onChanged(meta);
      toast('Logo uploaded');
    } catch (err) {
      setError(err instanceof ApiError ? err.detail : 'The logo could not be uploaded');
    } finally {
      setBusy(null);
      if (input.current) input.current.value = '';
    }
  }

  async function remove() {
    setError(null);
    setBusy('remove');
    try {
      await api.delete('/api/branding/logo');
      await onChanged(null);
      toast('Logo removed');
    } catch (err) {
      setError(err instanceof ApiError ? err.detail : 'The logo could not be removed');
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Logo</h2>
      <div className="logo-panel">
        <div className="logo-preview">
          {logo && src ? (
            <img src={src} alt="Current practice logo" className="brand-logo-large" />
          ) : (
            <p className="muted">No logo yet: the name is shown on its own.</p>
          )}
          {logo ? <p className="small muted">{logo.contentType === 'image/png' ? 'PNG' : 'JPEG'}, {logo.width} × {logo.height} px, {sizeText(logo.bytes)}</p> : null}
        </div>
        {editable ? (
          <div>
            <div className={`field${error ? ' field-invalid' : ''}`}>
              <label htmlFor={`${id}-file`}>Logo file</label>
              <input
                ref={input}
                id={`${id}-file`}
                type="file"
                accept="image/png,image/jpeg"
                aria-describedby={`${id}-hint${error ? ` ${id}-err` : ''}`}
                aria-invalid={error ? true : undefined}
                disabled={busy !== null}
                onChange={(e) => {
                  const file = e.target.files?.[0];
                  if (file) void upload(file);
                }}
              />
              <div className="field-hint" id={`${id}-hint`}>PNG or JPEG, at most 512 KiB and 4000 px a side. Uploading replaces the current logo at once.</div>
              {error ? <div className="field-error" id={`${id}-err`} role="alert">{error}</div> : null}
            </div>
            {busy === 'upload' ? <p className="small muted" role="status">Uploading…</p> : null}
            {logo ? <Button variant="secondary" busy={busy === 'remove'} onClick={() => void remove()}>Remove logo</Button> : null}
          </div>
        ) : null}
      </div>
    </section>
  );
}
