/**
 * Serves the built single-page app: hashed assets under /assets with a year of caching, and
 * index.html for every other GET that asks for HTML and is not an API path, so that deep links
 * (/patients/…, /p/{practice}/forms/…) work. Without a build, those pages explain how to make one.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';

/** Paths the server answers itself; everything else that wants HTML is the app's. */
const SERVER_PREFIXES = ['/api/', '/auth/', '/platform/', '/public/', '/feeds/', '/waitlist/offers/', '/docs', '/openapi.json', '/.well-known/', '/healthz', '/readyz', '/assets/'];

/**
 * The app's pages: scripts from this origin only, no framing, no plugins. Styles allow inline
 * attributes (brand colours are CSS variables set at run time); images may be blob: or data: URLs
 * (logo previews).
 */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function wantsAppPage(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const pathname = request.url.split('?')[0] ?? '/';
  if (SERVER_PREFIXES.some((p) => pathname === p.replace(/\/$/, '') || pathname.startsWith(p))) return false;
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html');
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>HealthTrack</title></head>
<body><main><h1>The web app is not built</h1><p>Run <code>npm run build:web</code> (or start with <code>npm start</code>, which builds it) and reload.</p>
<p>The API is running: see <a href="/docs">/docs</a>.</p></main></body></html>`;

export interface WebApp {
  /** Sends index.html (or the not-built page). */
  sendIndex(reply: FastifyReply): FastifyReply;
}

export async function registerWebApp(app: FastifyInstance, webDir: string): Promise<WebApp> {
  const indexFile = path.join(webDir, 'index.html');
  const built = existsSync(indexFile);
  if (built) {
    await app.register(fastifyStatic, {
      root: path.join(webDir, 'assets'),
      prefix: '/assets/',
      decorateReply: false,
      immutable: true,
      maxAge: '365d',
      index: false,
      schemaHide: true,
      // Only the build's hashed files: never a dotfile, and never a type the browser guesses.
      dotfiles: 'ignore',
      setHeaders: (res) => res.setHeader('x-content-type-options', 'nosniff'),
    });
  }
  // Read once: the build is immutable for the life of the process.
  const html = built ? readFileSync(indexFile, 'utf8') : NOT_BUILT;
  return {
    sendIndex(reply) {
      return reply
        .code(200)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('content-security-policy', APP_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'same-origin')
        .send(html);
    },
  };
}
