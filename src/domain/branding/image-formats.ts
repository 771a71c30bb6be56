/**
 * Reading PNG and JPEG files defensively: the signature says what a file claims to be, and the
 * structure is walked with every length bounds-checked before any decoder sees the bytes. This
 * matters: pdf-lib's PNG decoder loops forever on a chunk length that runs past the end of the file,
 * so a PNG reaches it only once every chunk's length and CRC check out and its pixel data inflates to
 * exactly the size its header promises.
 */
import { inflateSync } from 'node:zlib';
import { AppError } from '../../errors/catalogue.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const startsWith = (bytes: Uint8Array, prefix: readonly number[]) => prefix.every((b, i) => bytes[i] === b);
const ascii = (bytes: Uint8Array, from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
const invalid = (detail: string) => new AppError('logo_invalid', detail);

/** What the bytes are, by their signature: a media type, or null when it is none we recognise. */
export function sniffImageType(bytes: Uint8Array): string | null {
  if (startsWith(bytes, PNG_SIGNATURE)) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return 'image/gif';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'image/webp';
  if (ascii(bytes, 0, 4) === '%PDF') return 'application/pdf';
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 1024)).replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('<') && /<svg[\s>]/i.test(head)) return 'image/svg+xml';
  return null;
}

export interface Dimensions {
  readonly width: number;
  readonly height: number;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Valid bit depths per PNG colour type, and the channels of each (PNG spec, IHDR). */
const PNG_DEPTHS: Record<number, readonly number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Adam7 passes: x start, y start, x step, y step. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;

/** Bytes per scanline (filter byte included) of each row the decoder will read, pass by pass. */
function scanlines(width: number, height: number, bitsPerPixel: number, interlaced: boolean): number[] {
  const passes = interlaced ? ADAM7 : ([[0, 0, 1, 1]] as const);
  const rows: number[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    const w = width > x0 ? Math.ceil((width - x0) / dx) : 0;
    const h = height > y0 ? Math.ceil((height - y0) / dy) : 0;
    if (w === 0) continue;
    for (let r = 0; r < h; r++) rows.push(1 + Math.ceil((w * bitsPerPixel) / 8));
  }
  return rows;
}

/**
 * Checks a PNG's structure and returns its dimensions: signature, IHDR first, every chunk inside the
 * file with a correct CRC, IEND last, and IDAT data inflating to exactly the scanlines IHDR implies.
 * `maxPixels` is checked before anything is inflated. Throws `logo_invalid` (or what `tooLarge` throws).
 */
export function readPng(bytes: Uint8Array, tooLarge: (d: Dimensions) => void): Dimensions {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = PNG_SIGNATURE.length;
  let header: { width: number; height: number; bitsPerPixel: number; interlaced: boolean; palette: boolean } | null = null;
  let sawPalette = false;
  const idat: Uint8Array[] = [];
  for (;;) {
    if (at + 12 > bytes.length) throw invalid('The PNG image is truncated (no IEND chunk)');
    const length = view.getUint32(at);
    const type = ascii(bytes, at + 4, at + 8);
    if (length > bytes.length - at - 12) throw invalid(`The PNG image is truncated or corrupt (chunk ${JSON.stringify(type)} runs past the end)`);
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) throw invalid(`The PNG image is corrupt (bad CRC in chunk ${JSON.stringify(type)})`);
    if (header === null && type !== 'IHDR') throw invalid('The PNG image does not start with an IHDR chunk');
    if (type === 'IHDR') {
      if (header !== null || length !== 13) throw invalid('The PNG image has an invalid IHDR chunk');
      const width = view.getUint32(at + 8);
      const height = view.getUint32(at + 12);
      const [depth, colourType, compression, filter, interlace] = [data[8]!, data[9]!, data[10]!, data[11]!, data[12]!];
      if (width === 0 || height === 0) throw invalid('The PNG image header gives impossible dimensions');
      if (!PNG_DEPTHS[colourType]?.includes(depth) || compression !== 0 || filter !== 0 || interlace > 1) throw invalid('The PNG image header is not valid');
      tooLarge({ width, height });
      header = { width, height, bitsPerPixel: depth * PNG_CHANNELS[colourType]!, interlaced: interlace === 1, palette: colourType === 3 };
    } else if (type === 'PLTE') sawPalette = true;
    else if (type === 'IDAT') idat.push(data);
    at += 12 + length;
    if (type === 'IEND') break;
  }
  if (header === null || idat.length === 0) throw invalid('The PNG image has no image data');
  if (header.palette && !sawPalette) throw invalid('The PNG image uses a palette but has none');
  const rows = scanlines(header.width, header.height, header.bitsPerPixel, header.interlaced);
  const expected = rows.reduce((a, b) => a + b, 0);
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: expected });
  } catch {
    throw invalid('The PNG image data is corrupt (it does not decompress to the size its header states)');
  }
  if (raw.length !== expected) throw invalid('The PNG image data is corrupt (it does not decompress to the size its header states)');
  for (let row = 0, offset = 0; row < rows.length; offset += rows[row]!, row++) {
    if (raw[offset]! > 4) throw invalid('The PNG image data is corrupt (unknown row filter)');
  }
  return { width: header.width, height: header.height };
}

/** JPEG start-of-frame markers every PDF viewer decodes: baseline, extended sequential, progressive (Huffman). */
const SUPPORTED_SOF = new Set([0xc0, 0xc1, 0xc2]);
const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

/** Width and height from a JPEG's start-of-frame segment, walking (bounds-checked) the segments before it. */
export function readJpeg(bytes: Uint8Array): Dimensions {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) throw invalid('The JPEG image is malformed (expected a marker)');
    let marker = bytes[++at]!;
    while (marker === 0xff && at + 1 < bytes.length) marker = bytes[++at]!; // fill bytes
    at++;
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue; // markers without a length
    if (marker === 0xd9 || marker === 0xda) break; // end of image, or scan data before any frame header
    if (at + 2 > bytes.length) break;
    const length = view.getUint16(at);
    if (length < 2 || at + length > bytes.length) throw invalid('The JPEG image is malformed (truncated segment)');
    if (isSof(marker)) {
      if (!SUPPORTED_SOF.has(marker)) {
        throw invalid('The JPEG image uses a lossless, hierarchical or arithmetic coding that not every viewer can show; save it as a baseline or progressive JPEG');
      }
      if (length < 8) throw invalid('The JPEG image has a truncated frame header');
      const height = view.getUint16(at + 3);
      const width = view.getUint16(at + 5);
      if (width === 0 || height === 0) throw invalid('The JPEG image does not state its dimensions in its frame header');
      if (![1, 3, 4].includes(bytes[at + 7]!)) throw invalid('The JPEG image has an unsupported number of colour components');
      return { width, height };
    }
    at += length;
  }
  throw invalid('The JPEG image has no frame header');
}
