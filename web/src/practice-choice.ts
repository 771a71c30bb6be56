/** Which practice the page is for: the host's (`<practice>.<base host>`), if it names one. */
import { publicApi } from './api.ts';

export interface HostPractice {
  readonly slug: string;
  readonly displayName: string;
}

let cached: Promise<HostPractice | null> | undefined;

export function hostPractice(): Promise<HostPractice | null> {
  cached ??= publicApi.get<HostPractice>('/public/host-practice').catch(() => null);
  return cached;
}

const LAST = 'healthtrack.lastPractice';

export function lastPractice(): string {
  return localStorage.getItem(LAST) ?? '';
}

export function rememberPractice(slug: string): void {
  localStorage.setItem(LAST, slug);
}
