/** Draws the demo practices' logos: a small PNG (a cross in a rounded square) made in code, no asset files. */
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

function rgb(hex: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

/** A `size`×`size` RGBA PNG: a rounded square in `color` with a white cross. */
export function demoLogoPng(color: string, size = 96): Uint8Array {
  const [r, g, b] = rgb(color);
  const raw = Buffer.alloc((size * 4 + 1) * size);
  const radius = size * 0.2;
  const arm = size * 0.14;
  const reach = size * 0.32;
  const c = (size - 1) / 2;
  for (let y = 0; y < size; y++) {
    const row = y * (size * 4 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      // Distance outside the rounded square's corner arcs decides transparency.
      const dx = Math.max(0, Math.abs(x - c) - (c - radius));
      const dy = Math.max(0, Math.abs(y - c) - (c - radius));
      const inside = Math.hypot(dx, dy) <= radius;
      const cross = (Math.abs(x - c) <= arm && Math.abs(y - c) <= reach) || (Math.abs(y - c) <= arm && Math.abs(x - c) <= reach);
      const o = row + 1 + x * 4;
      if (!inside) continue; // transparent black
      raw[o] = cross ? 255 : r;
      raw[o + 1] = cross ? 255 : g;
      raw[o + 2] = cross ? 255 : b;
      raw[o + 3] = 255;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
