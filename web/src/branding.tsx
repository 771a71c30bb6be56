/**
 * The practice's look, from its public branding (GET /public/practices/{slug}/branding): colours
 * become CSS variables on <html>, the name goes in the title bar, the logo in the header. Staff
 * pages and patient pages use the same provider, so a change in Settings shows everywhere.
 */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { publicApi } from './api.ts';

export interface PublicBranding {
  readonly displayName: string;
  readonly tagline: string | null;
  readonly primaryColor: string;
  readonly accentColor: string;
  readonly address: Record<string, string | null> | null;
  readonly phone: string | null;
  readonly email: string | null;
  readonly website: string | null;
  readonly logoUrl: string | null;
}

export const DEFAULT_PRIMARY = '#1f5f8b';
export const DEFAULT_ACCENT = '#2e8540';

function channel(hex: string, i: number): number {
  const v = parseInt(hex.slice(1 + i * 2, 3 + i * 2), 16) / 255;
  return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
}

/** WCAG relative luminance of #rrggbb. */
export function luminance(hex: string): number {
  return 0.2126 * channel(hex, 0) + 0.7152 * channel(hex, 1) + 0.0722 * channel(hex, 2);
}

/** Black or white text on `hex`, whichever contrasts more. */
export function textOn(hex: string): string {
  const l = luminance(hex);
  return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? '#111111' : '#ffffff';
}

/** Darkens a colour until text in it on white reaches 4.5:1 (links and outlines stay legible). */
export function readableOnWhite(hex: string): string {
  let [r, g, b] = [0, 1, 2].map((i) => parseInt(hex.slice(1 + i * 2, 3 + i * 2), 16)) as [number, number, number];
  for (let step = 0; step < 20; step++) {
    const cur = `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
    if (1.05 / (luminance(cur) + 0.05) >= 4.5) return cur;
    [r, g, b] = [r, g, b].map((v) => Math.round(v * 0.85)) as [number, number, number];
  }
  return '#000000';
}

export function applyBrandColours(primary: string, accent: string): void {
  const root = document.documentElement.style;
  root.setProperty('--brand', primary);
  root.setProperty('--brand-text', textOn(primary));
  root.setProperty('--brand-ink', readableOnWhite(primary));
  root.setProperty('--accent', accent);
  root.setProperty('--accent-text', textOn(accent));
  root.setProperty('--accent-ink', readableOnWhite(accent));
}

interface BrandingValue {
  readonly branding: PublicBranding | null;
  readonly slug: string | null;
  /** False until the first answer (or failure) arrived. */
  readonly loaded: boolean;
  /** Re-reads the branding (after Settings saves it); bypasses the 5-minute cache. */
  reload(): Promise<void>;
}

const BrandingContext = createContext<BrandingValue>({ branding: null, slug: null, loaded: false, reload: async () => undefined });

export function BrandingProvider({ slug, children }: { slug: string | null; children: ReactNode }) {
  const [branding, setBranding] = useState<PublicBranding | null>(null);
  const [loaded, setLoaded] = useState(false);
  const load = useCallback(
    async (fresh: boolean) => {
      if (!slug) {
        setBranding(null);
        applyBrandColours(DEFAULT_PRIMARY, DEFAULT_ACCENT);
        setLoaded(true);
        return;
      }
      try {
        const b = await publicApi.get<PublicBranding>(`/public/practices/${encodeURIComponent(slug)}/branding`, fresh ? { t: Date.now() } : undefined);
        setBranding(b);
        applyBrandColours(b.primaryColor, b.accentColor);
      } catch {
        setBranding(null);
        applyBrandColours(DEFAULT_PRIMARY, DEFAULT_ACCENT);
      }
      setLoaded(true);
    },
    [slug],
  );
  useEffect(() => {
    void load(false);
  }, [load]);
  useEffect(() => {
    if (branding) document.title = branding.displayName;
  }, [branding]);
  return <BrandingContext.Provider value={{ branding, slug, loaded, reload: () => load(true) }}>{children}</BrandingContext.Provider>;
}

export function useBranding(): BrandingValue {
  return useContext(BrandingContext);
}
