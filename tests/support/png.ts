import { inflateSync } from 'zlib';

/** An 8-bit RGB or RGBA image decoded from a PNG file (what Chromium's --screenshot writes). */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** Bytes a pixel: 3 (RGB) or 4 (RGBA). */
  readonly channels: number;
  readonly pixels: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const COLOUR_RGB = 2;
const COLOUR_RGBA = 6;

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** PNG (ISO/IEC 15948 §11–12): IHDR, the IDAT stream inflated, each scanline unfiltered (filters 0–4). 8-bit RGB/RGBA, not interlaced. */
export function decodePng(file: Uint8Array): RgbImage {
  if (!SIGNATURE.every((b, i) => file[i] === b)) throw new Error('not a PNG file');
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Uint8Array[] = [];
  for (let at = SIGNATURE.length; at + 8 <= file.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...file.subarray(at + 4, at + 8));
    const data = file.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      const depth = data[8];
      const colour = data[9];
      if (depth !== 8 || (colour !== COLOUR_RGB && colour !== COLOUR_RGBA) || data[12] !== 0) throw new Error(`unsupported PNG: depth ${depth}, colour type ${colour}, interlace ${data[12]}`);
      channels = colour === COLOUR_RGB ? 3 : 4;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const left = x >= channels ? pixels[y * stride + x - channels] : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const upLeft = y > 0 && x >= channels ? pixels[(y - 1) * stride + x - channels] : 0;
      const predictor = filter === 0 ? 0 : filter === 1 ? left : filter === 2 ? up : filter === 3 ? (left + up) >> 1 : paeth(left, up, upLeft);
      pixels[y * stride + x] = (line[x] + predictor) & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

/** Pixels within `tolerance` of the colour `#rrggbb`. */
export function countColour(image: RgbImage, hex: string, tolerance = 8): number {
  const r = parseInt(hex.slice(1, 3), 16);
  const g = parseInt(hex.slice(3, 5), 16);
  const b = parseInt(hex.slice(5, 7), 16);
  let n = 0;
  for (let i = 0; i < image.pixels.length; i += image.channels) {
    const p = image.pixels;
    if (Math.abs(p[i] - r) <= tolerance && Math.abs(p[i + 1] - g) <= tolerance && Math.abs(p[i + 2] - b) <= tolerance) n++;
  }
  return n;
}
