/**
 * Practice branding: staff read it and change it under /api/branding (name, colours, contact details,
 * logo); anyone reads the public face, without signing in, under /public/practices/{slug}.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../services.ts';
import { AppError } from '../../errors/catalogue.ts';
import { BrandingInput, LogoMeta, PublicBranding, StaffBranding } from '../../domain/branding/branding-schemas.ts';
import { getBranding, getLogo, publicBranding, publicLogo, removeLogo, replaceBranding, setLogo, type StoredLogo } from '../../domain/branding/branding-service.ts';
import { LOGO_MAX_BYTES, LOGO_TYPES } from '../../domain/branding/logo-image.ts';
import { problems } from '../schemas.ts';
import { slugFromHost } from '../plugins/tenant-resolution.ts';

const tags = ['Branding'];

const Binary = { type: 'string', format: 'binary' } as const;
const IMAGE_CONTENT = Object.fromEntries(LOGO_TYPES.map((t) => [t, { schema: Binary }]));
const LogoResponse = { description: 'The logo bytes, with its own content type', content: IMAGE_CONTENT };
const NotModified = Type.Null({ description: 'Not modified: the `If-None-Match` ETag is current' });

/** Whether `If-None-Match` names the current ETag (or `*`). */
function notModified(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  if (typeof header !== 'string') return false;
  return header.split(',').some((tag) => {
    const t = tag.trim().replace(/^W\//, '');
    return t === '*' || t === etag;
  });
}

/** Sends logo bytes with the ETag (its SHA-256), or 304 when the client's copy is current. */
function sendLogo(request: FastifyRequest, reply: FastifyReply, logo: StoredLogo, cacheControl: string): FastifyReply {
  const etag = `"${logo.sha256}"`;
  reply.header('etag', etag).header('cache-control', cacheControl).header('last-modified', new Date(logo.updatedAt).toUTCString());
  if (notModified(request, etag)) return reply.code(304).send();
  // nosniff: the bytes were checked to be PNG or JPEG; browsers must never guess anything else.
  return reply.type(logo.contentType).header('x-content-type-options', 'nosniff').send(Buffer.from(logo.bytes));
}

/** Staff routes, registered inside /api. */
export async function brandingRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/branding', {
    schema: {
      tags,
      summary: "The practice's branding",
      description: 'Defaults until saved (`updatedAt` null): the practice name and the default colours. `subdomain` is the custom subdomain (PUT /api/branding/subdomain). Any signed-in staff member.',
      response: { 200: StaffBranding, ...problems(401) },
    },
  }, async (request) => ({ ...(await getBranding(request.ctx, request.tenantRecord!.name)), subdomain: request.tenantRecord!.subdomain }));

  r.put('/branding', {
    config: { permission: 'settings:manage' },
    schema: {
      tags,
      summary: "Replace the practice's branding",
      description:
        'Colours are `#rrggbb`; `website` must be an http or https URL; `phone` 7 to 15 digits. Optional keys left out or null return to their defaults; the logo is kept (see PUT /api/branding/logo). Needs `settings:manage`.',
      body: BrandingInput,
      response: { 200: StaffBranding, ...problems(400, 401, 403) },
    },
  }, async (request) => ({ ...(await replaceBranding(request.ctx, request.body)), subdomain: request.tenantRecord!.subdomain }));

  await app.register(logoRoutes);
}

/** The logo routes, in a scope of their own: their bodies are raw images, never JSON. */
async function logoRoutes(app: FastifyInstance): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser([...LOGO_TYPES], { parseAs: 'buffer', bodyLimit: LOGO_MAX_BYTES }, (_request, body, done) => done(null, body));
  // A body over the limit is refused while it streams in; name it like the checked limit. Anything
  // else goes on to the application's error handler (an error thrown here is handed to the parent).
  app.setErrorHandler((err) => {
    if ((err as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      throw new AppError('logo_too_large', `The logo exceeds ${LOGO_MAX_BYTES} bytes (512 KiB)`);
    }
    throw err;
  });
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.put('/branding/logo', {
    config: { permission: 'settings:manage' },
    // The body is a Buffer checked by the domain (inspectLogo); the schema below only documents it.
    validatorCompiler: () => () => true,
    schema: {
      tags,
      summary: 'Upload the practice logo',
      description:
        'Raw body, `Content-Type: image/png` or `image/jpeg`, at most 512 KiB, 4000 px a side and 4 megapixels. The content must be the declared type (checked by its bytes): otherwise 400 `logo_invalid`; other types, SVG included, 415 `unsupported_media_type`; too large 413 `logo_too_large`. Needs `settings:manage`.',
      consumes: [...LOGO_TYPES],
      body: Binary,
      response: { 200: LogoMeta, ...problems(400, 401, 403, 413, 415) },
    },
  }, async (request) => {
    const raw: unknown = request.body;
    const body = raw instanceof Uint8Array ? raw : new Uint8Array(0);
    return setLogo(request.ctx, body, request.headers['content-type']);
  });

  r.get('/branding/logo', {
    schema: {
      tags,
      summary: 'The practice logo',
      description: 'The bytes with their content type; `ETag` is the SHA-256, so `If-None-Match` answers 304 while it is unchanged. 404 when there is no logo. Any signed-in staff member.',
      response: { 200: LogoResponse, 304: NotModified, ...problems(401, 404) },
    },
  }, async (request, reply) => sendLogo(request, reply, await getLogo(request.ctx), 'private, no-cache'));

  r.delete('/branding/logo', {
    config: { permission: 'settings:manage' },
    schema: {
      tags,
      summary: 'Remove the practice logo',
      description: 'Idempotent: 204 whether or not there was a logo. Needs `settings:manage`.',
      response: { 204: Type.Null({ description: 'Removed' }), ...problems(401, 403) },
    },
  }, async (request, reply) => {
    await removeLogo(request.ctx);
    return reply.code(204).send(null);
  });
}

const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
const SlugParams = Type.Object({ slug: Type.String({ maxLength: 40, description: 'The practice slug' }) });

/** Public routes (no login): the non-PHI face of a practice for its patient pages and sign-in screen. */
export function brandingPublicRoutes(services: Services) {
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    // Unknown and suspended practices answer alike: existence is not confirmed.
    const practiceOf = async (slug: string) => {
      const key = slug.toLowerCase();
      const tenant = SLUG_RE.test(key) ? await services.tenants.bySlug(key) : null;
      if (!tenant || tenant.status !== 'active') throw new AppError('not_found', 'No such practice');
      return tenant;
    };

    r.get('/public/practices/:slug/branding', {
      schema: {
        tags,
        summary: "A practice's public branding (no login)",
        description: 'Name, tagline, colours, contact details and the logo URL, for patient pages and the sign-in screen; nothing else. Cached for 5 minutes. 404 for an unknown or suspended practice.',
        params: SlugParams,
        response: { 200: PublicBranding, ...problems(400, 404) },
      },
    }, async (request, reply) => {
      const tenant = await practiceOf(request.params.slug);
      const b = await publicBranding(services.db, tenant);
      reply.header('cache-control', 'public, max-age=300');
      return {
        displayName: b.displayName,
        tagline: b.tagline,
        primaryColor: b.primaryColor,
        accentColor: b.accentColor,
        address: b.address,
        phone: b.phone,
        email: b.email,
        website: b.website,
        // Versioned by the hash: a new logo gets a new URL, so caches never show a stale one for long.
        logoUrl: b.logo === null ? null : `/public/practices/${tenant.slug}/logo?v=${b.logo.sha256.slice(0, 16)}`,
      };
    });

    r.get('/public/host-practice', {
      schema: {
        tags,
        summary: 'The practice this host name belongs to (no login)',
        description:
          "For the web app's sign-in page: on `<slug or subdomain>.<base host>` it answers the practice's slug and display name, so the page needs no practice picker. 404 `not_found` on any other host, or for an unknown or suspended practice.",
        response: { 200: Type.Object({ slug: Type.String(), displayName: Type.String() }), ...problems(404) },
      },
    }, async (request, reply) => {
      const name = slugFromHost(request.headers.host, services.config.baseHost);
      const tenant = name ? await services.tenants.byName(name) : null;
      if (!tenant || tenant.status !== 'active') throw new AppError('not_found', 'This host names no practice');
      const b = await publicBranding(services.db, tenant);
      reply.header('cache-control', 'no-cache');
      return { slug: tenant.slug, displayName: b.displayName };
    });

    r.get('/public/practices/:slug/logo', {
      schema: {
        tags,
        summary: "A practice's logo (no login)",
        description: 'The bytes with their content type, cached for an hour; `ETag` is the SHA-256 (`If-None-Match` → 304). 404 for an unknown or suspended practice, or one without a logo.',
        params: SlugParams,
        response: { 200: LogoResponse, 304: NotModified, ...problems(400, 404) },
      },
    }, async (request, reply) => {
      const tenant = await practiceOf(request.params.slug);
      return sendLogo(request, reply, await publicLogo(services.db, tenant), 'public, max-age=3600');
    });
  };
}
