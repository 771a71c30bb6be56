/**
 * Branding: the practice's name, colours, contact details, logo and custom subdomain, with a live
 * preview of the header. Saving re-reads the app's branding so the header changes at once.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../../api.ts';
import { luminance, textOn, useBranding } from '../../branding.tsx';
import { useSession } from '../../session.tsx';
import { useLoad } from '../../ui/hooks.ts';
import { Button, ErrorBanner, Loading, PageHeader, TextField, useToast } from '../../ui/kit.tsx';
import { BrandingLogo } from './BrandingLogo.tsx';
import { BrandingSubdomain } from './BrandingSubdomain.tsx';
import './BrandingSettings.css';
import './LocationsWeeklyHours.css';

type Address = { line1: string; line2?: string; city: string; region?: string; postalCode?: string; country: string };

export interface StaffBranding {
  readonly displayName: string;
  readonly tagline: string | null;
  readonly primaryColor: string;
  readonly accentColor: string;
  readonly address: Address | null;
  readonly phone: string | null;
  readonly email: string | null;
  readonly website: string | null;
  readonly logo: { contentType: string; width: number; height: number; bytes: number; sha256: string; updatedAt: string } | null;
  readonly updatedAt: string | null;
  readonly subdomain: string | null;
}

interface Form {
  displayName: string;
  tagline: string;
  primaryColor: string;
  accentColor: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
  phone: string;
  email: string;
  website: string;
}

const HEX = /^#[0-9a-fA-F]{6}$/;

function toForm(b: StaffBranding): Form {
  return {
    displayName: b.displayName,
    tagline: b.tagline ?? '',
    primaryColor: b.primaryColor,
    accentColor: b.accentColor,
    line1: b.address?.line1 ?? '',
    line2: b.address?.line2 ?? '',
    city: b.address?.city ?? '',
    region: b.address?.region ?? '',
    postalCode: b.address?.postalCode ?? '',
    country: b.address?.country ?? '',
    phone: b.phone ?? '',
    email: b.email ?? '',
    website: b.website ?? '',
  };
}

/** Contrast ratio of the better of black or white text on `hex`. */
export function textContrast(hex: string): number {
  const bg = luminance(hex);
  const fg = luminance(textOn(hex));
  return (Math.max(bg, fg) + 0.05) / (Math.min(bg, fg) + 0.05);
}

/** Below this, text on the colour strains the eye even though it passes the 4.5:1 minimum. */
const COMFORTABLE_CONTRAST = 5;

function ColourField({ label, value, onChange, error }: { label: string; value: string; onChange: (v: string) => void; error?: string }) {
  const valid = HEX.test(value);
  const localError = value && !valid ? 'Use a hex colour like #1f5f8b' : undefined;
  const ratio = valid ? textContrast(value) : null;
  const slug = label.toLowerCase().replace(/\s+/g, '-');
  return (
    <div className="colour-field">
      <div className="field">
        <label htmlFor={`${slug}-picker`}>{label} picker</label>
        <input id={`${slug}-picker`} type="color" value={valid ? value.toLowerCase() : '#000000'} onChange={(e) => onChange(e.target.value)} />
      </div>
      <TextField
        id={`${slug}-hex`}
        label={label}
        value={value}
        maxLength={7}
        onChange={(e) => onChange(e.target.value.trim())}
        error={localError ?? error}
        hint={ratio !== null ? `Text on this colour: ${ratio.toFixed(1)}:1 contrast` : 'Hex, #rrggbb'}
      />
      {ratio !== null && ratio < COMFORTABLE_CONTRAST ? (
        <p className="banner banner-warn small colour-warning" role="status">
          Warning: text on this {label.toLowerCase()} is hard to read ({ratio.toFixed(1)}:1). Pick a darker or lighter shade.
        </p>
      ) : null}
    </div>
  );
}

export function BrandingSettings() {
  const { api, can, session } = useSession();
  const { reload: reloadBranding } = useBranding();
  const toast = useToast();
  const loaded = useLoad((signal) => api.get<StaffBranding>('/api/branding', undefined, signal), [api]);
  const [form, setForm] = useState<Form | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [current, setCurrent] = useState<StaffBranding | null>(null);

  useEffect(() => {
    if (loaded.data) {
      setForm(toForm(loaded.data));
      setCurrent(loaded.data);
    }
  }, [loaded.data]);

  if (loaded.loading && !form) return <><PageHeader title="Branding" /><Loading /></>;
  if (loaded.error && !form) return <><PageHeader title="Branding" /><ErrorBanner error={loaded.error} title="Could not load the branding" /></>;
  if (!form || !current) return null;

  const editable = can('settings:manage');
  const set = (patch: Partial<Form>) => setForm({ ...form, ...patch });
  const fe = (f: string) => (error instanceof ApiError ? error.fieldError(f) : undefined);
  const addressError = error instanceof ApiError ? error.errors.find((e) => e.field === 'address')?.message : undefined;

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!form) return;
    if (!HEX.test(form.primaryColor) || !HEX.test(form.accentColor)) {
      setError(new ApiError(400, 'validation_failed', 'Colours must be hex, like #1f5f8b', [
        ...(HEX.test(form.primaryColor) ? [] : [{ field: 'primaryColor', message: 'Use a hex colour like #1f5f8b' }]),
        ...(HEX.test(form.accentColor) ? [] : [{ field: 'accentColor', message: 'Use a hex colour like #1f5f8b' }]),
      ]));
      return;
    }
    const hasAddress = [form.line1, form.line2, form.city, form.region, form.postalCode, form.country].some((v) => v.trim());
    const opt = (v: string) => (v.trim() ? v.trim() : undefined);
    const body = {
      displayName: form.displayName.trim(),
      tagline: form.tagline.trim() || null,
      primaryColor: form.primaryColor.toLowerCase(),
      accentColor: form.accentColor.toLowerCase(),
      address: hasAddress
        ? { line1: form.line1.trim(), line2: opt(form.line2), city: form.city.trim(), region: opt(form.region), postalCode: opt(form.postalCode), country: form.country.trim().toUpperCase() }
        : null,
      phone: form.phone.trim() || null,
      email: form.email.trim() || null,
      website: form.website.trim() || null,
    };
    setBusy(true);
    setError(null);
    try {
      const saved = await api.put<StaffBranding>('/api/branding', body);
      setCurrent(saved);
      setForm(toForm(saved));
      await reloadBranding();
      toast('Branding saved');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const previewPrimary = HEX.test(form.primaryColor) ? form.primaryColor : current.primaryColor;
  const previewAccent = HEX.test(form.accentColor) ? form.accentColor : current.accentColor;
  const logoSrc = current.logo && session ? `/public/practices/${encodeURIComponent(session.slug)}/logo?v=${current.logo.sha256.slice(0, 16)}` : null;

  return (
    <>
      <PageHeader title="Branding" subtitle="How the practice appears to staff and patients: on screen, in emails and on documents." />
      {!editable ? <p className="banner banner-info">You can see the branding; changing it needs the settings permission.</p> : null}

      <section className="card branding-preview-card" aria-labelledby="branding-preview-title">
        <h2 id="branding-preview-title" className="small muted branding-preview-title">Preview</h2>
        <div className="branding-preview" style={{ background: previewPrimary, color: textOn(previewPrimary) }} data-testid="branding-preview">
          {logoSrc ? <img src={logoSrc} alt="" className="brand-logo" /> : null}
          <div className="branding-preview-text">
            <strong className="branding-preview-name">{form.displayName || 'Practice name'}</strong>
            {form.tagline ? <span className="branding-preview-tagline">{form.tagline}</span> : null}
          </div>
        </div>
        <div className="branding-preview-body">
          <span className="branding-preview-button" style={{ background: previewAccent, color: textOn(previewAccent) }}>Book an appointment</span>
        </div>
      </section>

      <form className="card" onSubmit={save} noValidate aria-labelledby="branding-form-title">
        <h2 id="branding-form-title">Name and colours</h2>
        {error && !(error instanceof ApiError && error.errors.length) ? <ErrorBanner error={error} title="Could not save the branding" /> : null}
        {error instanceof ApiError && error.errors.length ? (
          <p className="banner banner-error" role="alert">Some fields need attention: see the messages below them.</p>
        ) : null}
        <fieldset disabled={!editable} className="branding-fieldset">
          <div className="row">
            <TextField label="Display name" value={form.displayName} maxLength={120} required onChange={(e) => set({ displayName: e.target.value })} error={fe('displayName')} />
            <TextField label="Tagline" value={form.tagline} maxLength={160} onChange={(e) => set({ tagline: e.target.value })} error={fe('tagline')} hint="A short line under the name (optional)" />
          </div>
          <div className="row colour-row">
            <ColourField label="Primary colour" value={form.primaryColor} onChange={(v) => set({ primaryColor: v })} error={fe('primaryColor')} />
            <ColourField label="Accent colour" value={form.accentColor} onChange={(v) => set({ accentColor: v })} error={fe('accentColor')} />
          </div>
          <h3>Contact details</h3>
          <div className="row">
            <TextField label="Phone" type="tel" value={form.phone} onChange={(e) => set({ phone: e.target.value })} error={fe('phone')} />
            <TextField label="Email" type="email" value={form.email} onChange={(e) => set({ email: e.target.value })} error={fe('email')} />
            <TextField label="Website" type="url" value={form.website} onChange={(e) => set({ website: e.target.value })} error={fe('website')} hint="Starting with https://" />
          </div>
          <fieldset className="settings-fieldset">
            <legend>Address</legend>
            {addressError ? <p className="field-error" role="alert">Address: {addressError}</p> : null}
            <div className="row">
              <TextField label="Street and number" value={form.line1} onChange={(e) => set({ line1: e.target.value })} error={fe('address.line1')} />
              <TextField label="Address line 2" value={form.line2} onChange={(e) => set({ line2: e.target.value })} error={fe('address.line2')} />
            </div>
            <div className="row">
              <TextField label="City" value={form.city} onChange={(e) => set({ city: e.target.value })} error={fe('address.city')} />
              <TextField label="Region" value={form.region} onChange={(e) => set({ region: e.target.value })} error={fe('address.region')} />
              <TextField label="Postal code" value={form.postalCode} onChange={(e) => set({ postalCode: e.target.value })} error={fe('address.postalCode')} />
              <TextField label="Country code" value={form.country} maxLength={2} onChange={(e) => set({ country: e.target.value })} error={fe('address.country')} hint="Two letters, e.g. US" />
            </div>
          </fieldset>
          <div className="form-actions">
            <Button type="submit" busy={busy}>Save branding</Button>
            <Button variant="secondary" onClick={() => { setForm(toForm(current)); setError(null); }}>Discard changes</Button>
          </div>
        </fieldset>
      </form>

      <BrandingLogo
        logo={current.logo}
        src={logoSrc}
        editable={editable}
        onChanged={async (logo) => {
          setCurrent((c) => (c ? { ...c, logo } : c));
          await reloadBranding();
        }}
      />
      <BrandingSubdomain subdomain={current.subdomain} slug={session?.slug ?? ''} editable={editable} onChanged={(subdomain) => setCurrent((c) => (c ? { ...c, subdomain } : c))} />
    </>
  );
}
