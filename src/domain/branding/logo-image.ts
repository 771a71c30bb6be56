/**
 * Logo uploads: PNG or JPEG only, recognised by their bytes, never by the declared type alone.
 * The declared type must agree with the content; size and pixel dimensions are capped; the image
 * must decode, so a logo that was accepted can always be embedded in a PDF later.
 * SVG is refused on purpose: it is a document format that can carry scripts and external references.
 */
import { PDFDocument } from 'pdf-lib';
import { AppError } from '../../errors/catalogue.ts';
import { readJpeg, readPng, sniffImageType, type Dimensions } from './image-formats.ts';

export const LOGO_TYPES = ['image/png', 'image/jpeg'] as const;
export type LogoType = (typeof LOGO_TYPES)[number];

/** 512 KiB: plenty for a logo, small enough to live in the practice's rows and load with a document. */
export const LOGO_MAX_BYTES = 512 * 1024;
export const LOGO_MAX_SIDE = 4000;
/** Every PDF decodes a PNG logo again (pdf-lib re-encodes it), so its cost grows with the pixel count. */
export const LOGO_MAX_PIXELS = 4_000_000;

export interface LogoInfo {
  readonly contentType: LogoType;
  readonly width: number;
  readonly height: number;
}

export function isLogoType(value: string): value is LogoType {
  return (LOGO_TYPES as readonly string[]).includes(value);
}

const NAMES: Record<string, string> = {
  'image/png': 'a PNG image',
  'image/jpeg': 'a JPEG image',
  'image/gif': 'a GIF image',
  'image/webp': 'a WebP image',
  'image/svg+xml': 'SVG markup',
  'application/pdf': 'a PDF document',
};

const invalid = (detail: string) => new AppError('logo_invalid', detail);

/** Throws `logo_too_large` beyond the side or pixel limits (before any pixel data is decoded). */
function checkDimensions({ width, height }: Dimensions): void {
  if (width > LOGO_MAX_SIDE || height > LOGO_MAX_SIDE || width * height > LOGO_MAX_PIXELS) {
    throw new AppError('logo_too_large', `The logo is ${width}×${height} pixels; at most ${LOGO_MAX_SIDE} on a side and ${LOGO_MAX_PIXELS / 1_000_000} megapixels are accepted`);
  }
}

/** The content type a client sent, without parameters, lower-case (`Image/PNG; x=y` → `image/png`). */
export function mediaType(declared: string | undefined): string {
  return (declared ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Checks an uploaded logo and returns what it is. Throws 415 `unsupported_media_type` for a declared
 * type other than PNG or JPEG, 400 `logo_invalid` when the bytes are not a well-formed image of the
 * declared type, 413 `logo_too_large` beyond the byte, side or pixel limits.
 * @example await inspectLogo(pngBytes, 'image/png') // → { contentType: 'image/png', width: 240, height: 80 }
 */
export async function inspectLogo(bytes: Uint8Array, declared: string | undefined): Promise<LogoInfo> {
  const declaredType = mediaType(declared);
  if (!isLogoType(declaredType)) {
    throw new AppError('unsupported_media_type', `A logo must be sent as image/png or image/jpeg${declaredType ? `, not ${declaredType}` : ''}; SVG and other formats are not accepted`);
  }
  if (bytes.length === 0) throw invalid('The logo is empty');
  if (bytes.length > LOGO_MAX_BYTES) throw new AppError('logo_too_large', `The logo is ${bytes.length} bytes; at most ${LOGO_MAX_BYTES} (512 KiB) are accepted`);
  const actual = sniffImageType(bytes);
  if (actual !== declaredType) {
    const found = actual === null ? 'not a PNG or JPEG image' : NAMES[actual]!;
    throw invalid(`The content is ${found} but was sent as ${declaredType}; only PNG and JPEG logos are accepted, sent with their own type`);
  }
  const { width, height } = declaredType === 'image/png' ? readPng(bytes, checkDimensions) : readJpeg(bytes);
  checkDimensions({ width, height });
  await assertEmbeddable(bytes, declaredType);
  return { contentType: declaredType, width, height };
}

/**
 * Decodes the image as the PDF renderer will, so a body that passed the structural checks but still
 * does not decode is refused now, not on every invoice.
 */
async function assertEmbeddable(bytes: Uint8Array, type: LogoType): Promise<void> {
  const doc = await PDFDocument.create();
  // A copy: pdf-lib's JPEG reader views `bytes.buffer` from offset 0, and a Buffer may sit inside a larger pool.
  const own = new Uint8Array(bytes);
  try {
    if (type === 'image/png') await doc.embedPng(own);
    else await doc.embedJpg(own);
  } catch {
    throw invalid(`The ${type === 'image/png' ? 'PNG' : 'JPEG'} image data could not be decoded`);
  }
}
