/**
 * Small real images made in the test, so logo tests need no binary fixtures: PNG through zlib, and a
 * minimal baseline JPEG (one grey level, DC coefficients only) written by hand.
 */
import { crc32, deflateSync } from 'node:zlib';

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/** Adam7 passes: x start, y start, x step, y step. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];

function png(width: number, height: number, colourType: number, depth: number, pixelRow: (w: number) => Buffer, options: { interlaced?: boolean; extra?: Buffer[] }): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = depth;
  header[9] = colourType;
  header[12] = options.interlaced ? 1 : 0;
  const passes = options.interlaced ? ADAM7 : [[0, 0, 1, 1]];
  const rows: Buffer[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    const w = width > x0! ? Math.ceil((width - x0!) / dx!) : 0;
    const h = height > y0! ? Math.ceil((height - y0!) / dy!) : 0;
    if (w === 0) continue;
    for (let r = 0; r < h; r++) rows.push(Buffer.concat([Buffer.from([0]), pixelRow(w)]));
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    ...(options.extra ?? []),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** An RGB PNG of `width` × `height` in one colour (`[r, g, b]`, 0–255), optionally Adam7-interlaced. */
export function makePng(width: number, height: number, color: readonly [number, number, number] = [31, 95, 139], options: { interlaced?: boolean } = {}): Buffer {
  return png(width, height, 2, 8, (w) => Buffer.concat(Array.from({ length: w }, () => Buffer.from(color))), options);
}

/** A 1-bit palette PNG (black and white stripes), a layout whose rows are not whole bytes per pixel. */
export function makePalettePng(width: number, height: number): Buffer {
  const palette = pngChunk('PLTE', Buffer.from([0, 0, 0, 255, 255, 255]));
  return png(width, height, 3, 1, (w) => Buffer.alloc(Math.ceil(w / 8), 0b10101010), { extra: [palette] });
}

const segment = (marker: number, body: number[]) => [0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body];

/** Appends `count` bits of `value`, most significant first. */
function writeBits(bits: number[], value: number, count: number): void {
  for (let i = count - 1; i >= 0; i--) bits.push((value >> i) & 1);
}

/**
 * A baseline greyscale JPEG of `width` × `height` in one grey `level` (0–255). Every 8×8 block has
 * only a DC coefficient, so two tiny Huffman tables suffice: DC codes 00 (no change) and 01 (the
 * first block's category), AC code 0 (end of block).
 */
export function makeJpeg(width: number, height: number, level = 128): Buffer {
  const dc = 8 * (level - 128); // the DC coefficient of a flat block, quantised by 1
  const category = dc === 0 ? 0 : Math.floor(Math.log2(Math.abs(dc))) + 1;
  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
  const bits: number[] = [];
  for (let b = 0; b < blocks; b++) {
    if (b === 0 && category > 0) {
      writeBits(bits, 0b01, 2);
      writeBits(bits, dc > 0 ? dc : dc + (1 << category) - 1, category);
    } else writeBits(bits, 0b00, 2);
    writeBits(bits, 0, 1); // end of block
  }
  while (bits.length % 8 !== 0) bits.push(1);
  const scan: number[] = [];
  for (let i = 0; i < bits.length; i += 8) {
    const byte = bits.slice(i, i + 8).reduce((a, bit) => (a << 1) | bit, 0);
    scan.push(byte);
    if (byte === 0xff) scan.push(0x00); // byte stuffing
  }
  const dcSymbols = category > 0 ? [0, category] : [0];
  return Buffer.from([
    0xff, 0xd8,
    ...segment(0xdb, [0x00, ...new Array(64).fill(1)]), // quantisation table 0: all ones
    ...segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]), // SOF0, one component
    ...segment(0xc4, [0x00, 0, dcSymbols.length, ...new Array(14).fill(0), ...dcSymbols]), // DC table 0: codes of length 2
    ...segment(0xc4, [0x10, 1, ...new Array(15).fill(0), 0x00]), // AC table 0: end of block, length 1
    ...segment(0xda, [1, 1, 0x00, 0, 63, 0]), // start of scan
    ...scan,
    0xff, 0xd9,
  ]);
}
