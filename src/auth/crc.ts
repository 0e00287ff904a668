/**
 * Table-driven CRCs (slicing-by-8) for the S3 checksum algorithms, and CRC combination.
 *
 * All three are reflected CRCs with all-ones initial value and final XOR:
 * CRC-32 (ISO-HDLC, poly 0x04C11DB7), CRC-32C (Castagnoli, 0x1EDC6F41) and CRC-64/NVME
 * (0xAD93D23594C93659). 64-bit state is kept as two 32-bit halves so the hot loop stays in
 * small integers.
 */

/** Reflected polynomials. */
const crc32Poly = 0xedb88320;
const crc32cPoly = 0x82f63b78;
const crc64NvmePolyHi = 0x9a6c9329;
const crc64NvmePolyLo = 0xac4bc9b5;

export type CrcAlgorithm = "CRC32" | "CRC32C" | "CRC64NVME";

/** Eight 256-entry tables, table k at offset 256 * k. */
function crc32Tables(poly: number): Uint32Array {
  const tables = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    tables[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 8; k++) {
      const previous = tables[256 * (k - 1) + n];
      tables[256 * k + n] = (previous >>> 8) ^ tables[previous & 0xff];
    }
  }
  return tables;
}

/** The same for a 64-bit CRC: low and high halves in two arrays. */
function crc64Tables(polyHi: number, polyLo: number): { lo: Uint32Array; hi: Uint32Array } {
  const lo = new Uint32Array(8 * 256);
  const hi = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let l = n;
    let h = 0;
    for (let k = 0; k < 8; k++) {
      const odd = l & 1;
      l = ((l >>> 1) | (h << 31)) >>> 0;
      h = h >>> 1;
      if (odd) {
        l = (l ^ polyLo) >>> 0;
        h = (h ^ polyHi) >>> 0;
      }
    }
    lo[n] = l;
    hi[n] = h;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 8; k++) {
      const pl = lo[256 * (k - 1) + n];
      const ph = hi[256 * (k - 1) + n];
      const index = pl & 0xff;
      lo[256 * k + n] = (((pl >>> 8) | (ph << 24)) ^ lo[index]) >>> 0;
      hi[256 * k + n] = ((ph >>> 8) ^ hi[index]) >>> 0;
    }
  }
  return { lo, hi };
}

/** Built once at load (about 40 KiB in all); constants, never written after. */
const crc32Table = crc32Tables(crc32Poly);
const crc32cTable = crc32Tables(crc32cPoly);
const crc64NvmeTables = crc64Tables(crc64NvmePolyHi, crc64NvmePolyLo);

/** Advances a 32-bit reflected CRC register (not inverted) over `bytes`. */
function update32(t: Uint32Array, register: number, bytes: Uint8Array): number {
  let c = register;
  let i = 0;
  const end8 = bytes.length - 7;
  for (; i < end8; i += 8) {
    c ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    c = t[1792 + (c & 0xff)] ^ t[1536 + ((c >>> 8) & 0xff)] ^ t[1280 + ((c >>> 16) & 0xff)] ^
      t[1024 + (c >>> 24)] ^ t[768 + bytes[i + 4]] ^ t[512 + bytes[i + 5]] ^
      t[256 + bytes[i + 6]] ^ t[bytes[i + 7]];
  }
  for (; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return c >>> 0;
}

/** Advances a 64-bit reflected CRC register held as [lo, hi] over `bytes`. */
function update64(
  tables: { lo: Uint32Array; hi: Uint32Array },
  register: [number, number],
  bytes: Uint8Array,
): [number, number] {
  const { lo: tl, hi: th } = tables;
  let [l, h] = register;
  let i = 0;
  const end8 = bytes.length - 7;
  for (; i < end8; i += 8) {
    l ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    h ^= bytes[i + 4] | (bytes[i + 5] << 8) | (bytes[i + 6] << 16) | (bytes[i + 7] << 24);
    const b0 = 1792 + (l & 0xff), b1 = 1536 + ((l >>> 8) & 0xff);
    const b2 = 1280 + ((l >>> 16) & 0xff), b3 = 1024 + (l >>> 24);
    const b4 = 768 + (h & 0xff), b5 = 512 + ((h >>> 8) & 0xff);
    const b6 = 256 + ((h >>> 16) & 0xff), b7 = h >>> 24;
    l = tl[b0] ^ tl[b1] ^ tl[b2] ^ tl[b3] ^ tl[b4] ^ tl[b5] ^ tl[b6] ^ tl[b7];
    h = th[b0] ^ th[b1] ^ th[b2] ^ th[b3] ^ th[b4] ^ th[b5] ^ th[b6] ^ th[b7];
  }
  for (; i < bytes.length; i++) {
    const index = (l ^ bytes[i]) & 0xff;
    l = ((l >>> 8) | (h << 24)) ^ tl[index];
    h = (h >>> 8) ^ th[index];
  }
  return [l >>> 0, h >>> 0];
}

/** An incremental CRC whose digest is the big-endian bytes S3 base64-encodes. */
export interface Crc {
  update(bytes: Uint8Array): void;
  digest(): Uint8Array;
}

export function createCrc(algorithm: CrcAlgorithm): Crc {
  return algorithm === "CRC64NVME" ? createCrc64() : createCrc32(algorithm);
}

function createCrc32(algorithm: "CRC32" | "CRC32C"): Crc {
  const tables = algorithm === "CRC32" ? crc32Table : crc32cTable;
  let register = 0xffffffff;
  return {
    update(bytes) {
      register = update32(tables, register, bytes);
    },
    digest() {
      const value = (register ^ 0xffffffff) >>> 0;
      return new Uint8Array([
        value >>> 24,
        (value >>> 16) & 0xff,
        (value >>> 8) & 0xff,
        value & 0xff,
      ]);
    },
  };
}

function createCrc64(): Crc {
  const tables = crc64NvmeTables;
  let register: [number, number] = [0xffffffff, 0xffffffff];
  return {
    update(bytes) {
      register = update64(tables, register, bytes);
    },
    digest() {
      const out = new Uint8Array(8);
      const view = new DataView(out.buffer);
      view.setUint32(0, (register[1] ^ 0xffffffff) >>> 0);
      view.setUint32(4, (register[0] ^ 0xffffffff) >>> 0);
      return out;
    },
  };
}

// ---- combination: crc(A || B) from crc(A), crc(B) and |B| (GF(2) polynomial arithmetic) ----

interface CrcShape {
  widthBits: bigint;
  poly: bigint;
}

const shapes: Record<CrcAlgorithm, CrcShape> = {
  CRC32: { widthBits: 32n, poly: BigInt(crc32Poly) },
  CRC32C: { widthBits: 32n, poly: BigInt(crc32cPoly) },
  CRC64NVME: { widthBits: 64n, poly: (BigInt(crc64NvmePolyHi) << 32n) | BigInt(crc64NvmePolyLo) },
};

/** a(x) * b(x) mod P(x), in the reflected representation. */
function multiplyModP(shape: CrcShape, a: bigint, b: bigint): bigint {
  let mask = 1n << (shape.widthBits - 1n);
  let product = 0n;
  while (mask !== 0n) {
    if (a & mask) product ^= b;
    mask >>= 1n;
    b = b & 1n ? (b >> 1n) ^ shape.poly : b >> 1n;
  }
  return product;
}

/** x^(8 * lengthBytes) mod P(x), by repeated squaring. */
function xPowerOfBytes(shape: CrcShape, lengthBytes: bigint): bigint {
  let result = 1n << (shape.widthBits - 1n); // x^0
  let square = 1n << (shape.widthBits - 2n); // x^1
  for (let k = 0; k < 3; k++) square = multiplyModP(shape, square, square); // x^8
  for (let n = lengthBytes; n > 0n; n >>= 1n) {
    if (n & 1n) result = multiplyModP(shape, square, result);
    square = multiplyModP(shape, square, square);
  }
  return result;
}

/** The CRC of A followed by B, given crc(A), crc(B) and the length of B (finalised CRCs). */
export function combineCrc(
  algorithm: CrcAlgorithm,
  crcA: bigint,
  crcB: bigint,
  lengthBBytes: number,
): bigint {
  const shape = shapes[algorithm];
  return multiplyModP(shape, xPowerOfBytes(shape, BigInt(lengthBBytes)), crcA) ^ crcB;
}
