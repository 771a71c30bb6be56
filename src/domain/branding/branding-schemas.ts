/** Practice branding on the wire: what staff save (PUT), what they read, and the public subset. */
import { Type, type Static } from 'typebox';
import { Address } from '../patients/patient-schemas.ts';

// Null first, as in patient-schemas.ts: with type coercion a string branch tried first turns null into "".
const Nullable = <T extends ReturnType<typeof Type.String> | typeof Address>(t: T) => Type.Union([Type.Null(), t]);

const Color = Type.String({ pattern: '^#[0-9A-Fa-f]{6}$', description: 'Hex colour `#rrggbb` (stored lower-case)' });

export const BrandingInput = Type.Object(
  {
    displayName: Type.String({ minLength: 1, maxLength: 120, description: 'The name printed on documents and shown to patients' }),
    tagline: Type.Optional(Nullable(Type.String({ maxLength: 160, description: 'A short line under the name, e.g. "Family medicine since 1998"' }))),
    primaryColor: Type.Optional(Color),
    accentColor: Type.Optional(Color),
    address: Type.Optional(Nullable(Address)),
    phone: Type.Optional(Nullable(Type.String({ maxLength: 40, description: 'Any common notation; 7 to 15 digits' }))),
    email: Type.Optional(Nullable(Type.String({ maxLength: 254, description: 'Contact address printed on documents' }))),
    website: Type.Optional(Nullable(Type.String({ maxLength: 300, description: 'An http or https URL' }))),
  },
  { additionalProperties: false, description: 'Replaces the branding (PUT): optional keys left out or null return to their defaults; the logo is kept' },
);
export type BrandingInput = Static<typeof BrandingInput>;

export const LogoMeta = Type.Object({
  contentType: Type.Union([Type.Literal('image/png'), Type.Literal('image/jpeg')]),
  width: Type.Integer({ description: 'Pixels, read from the image header' }),
  height: Type.Integer(),
  bytes: Type.Integer({ description: 'Size in bytes' }),
  sha256: Type.String({ description: 'Hex SHA-256 of the bytes; also the ETag of GET /api/branding/logo' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type LogoMeta = Static<typeof LogoMeta>;

export const Branding = Type.Object({
  displayName: Type.String(),
  tagline: Type.Union([Type.Null(), Type.String()]),
  primaryColor: Type.String(),
  accentColor: Type.String(),
  address: Type.Union([Type.Null(), Address]),
  phone: Type.Union([Type.Null(), Type.String()]),
  email: Type.Union([Type.Null(), Type.String()]),
  website: Type.Union([Type.Null(), Type.String()]),
  logo: Type.Union([Type.Null(), LogoMeta]),
  updatedAt: Type.Union([Type.Null(), Type.String({ format: 'date-time' })], {
    description: 'null while the practice still shows the defaults (its own name, the default colours)',
  }),
});
export type Branding = Static<typeof Branding>;

/** Branding as staff read it: plus the practice's custom subdomain (PUT /api/branding/subdomain). */
export const StaffBranding = Type.Object({
  ...Branding.properties,
  subdomain: Type.Union([Type.Null(), Type.String()], {
    description: 'The custom subdomain: the practice is also reached at `<subdomain>.<base host>`; null when it has none',
  }),
});

/** What anyone may see without signing in: the practice's public face, nothing about its data. */
export const PublicBranding = Type.Object(
  {
    displayName: Type.String(),
    tagline: Type.Union([Type.Null(), Type.String()]),
    primaryColor: Type.String(),
    accentColor: Type.String(),
    address: Type.Union([Type.Null(), Address]),
    phone: Type.Union([Type.Null(), Type.String()]),
    email: Type.Union([Type.Null(), Type.String()]),
    website: Type.Union([Type.Null(), Type.String()]),
    logoUrl: Type.Union([Type.Null(), Type.String({ description: 'Path of the public logo, versioned by its hash so it can be cached' })]),
  },
  { additionalProperties: false },
);
export type PublicBranding = Static<typeof PublicBranding>;
