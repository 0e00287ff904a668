/**
 * XXH64 and XXH3-64, both with seed 0 and (for XXH3) the default 192-byte secret.
 *
 * MinIO uses XXH64 for the xl.meta CRC (spec §4.2, §4.7) and both hashes for the
 * version-header signature (§4.6). The code follows the published xxHash algorithm
 * description; it works on BigInt, which is fast enough for headers and for CRCs of
 * xl.meta payloads (a few hundred KiB at worst).
 */

const mask64 = 0xffff_ffff_ffff_ffffn;

const prime32_1 = 0x9e3779b1n;
const prime32_2 = 0x85ebca77n;
const prime32_3 = 0xc2b2ae3dn;
const prime64_1 = 0x9e3779b185ebca87n;
const prime64_2 = 0xc2b2ae3d27d4eb4fn;
const prime64_3 = 0x165667b19e3779f9n;
const prime64_4 = 0x85ebca77c2b2ae63n;
const prime64_5 = 0x27d4eb2f165667c5n;
const primeMx1 = 0x165667919e3779f9n;
const primeMx2 = 0x9fb21c651e98df25n;

/** The default XXH3 secret (`XXH3_kSecret` of the reference implementation). */
const defaultSecret = new Uint8Array([
  0xb8,
  0xfe,
  0x6c,
  0x39,
  0x23,
  0xa4,
  0x4b,
  0xbe,
  0x7c,
  0x01,
  0x81,
  0x2c,
  0xf7,
  0x21,
  0xad,
  0x1c,
  0xde,
  0xd4,
  0x6d,
  0xe9,
  0x83,
  0x90,
  0x97,
  0xdb,
  0x72,
  0x40,
  0xa4,
  0xa4,
  0xb7,
  0xb3,
  0x67,
  0x1f,
  0xcb,
  0x79,
  0xe6,
  0x4e,
  0xcc,
  0xc0,
  0xe5,
  0x78,
  0x82,
  0x5a,
  0xd0,
  0x7d,
  0xcc,
  0xff,
  0x72,
  0x21,
  0xb8,
  0x08,
  0x46,
  0x74,
  0xf7,
  0x43,
  0x24,
  0x8e,
  0xe0,
  0x35,
  0x90,
  0xe6,
  0x81,
  0x3a,
  0x26,
  0x4c,
  0x3c,
  0x28,
  0x52,
  0xbb,
  0x91,
  0xc3,
  0x00,
  0xcb,
  0x88,
  0xd0,
  0x65,
  0x8b,
  0x1b,
  0x53,
  0x2e,
  0xa3,
  0x71,
  0x64,
  0x48,
  0x97,
  0xa2,
  0x0d,
  0xf9,
  0x4e,
  0x38,
  0x19,
  0xef,
  0x46,
  0xa9,
  0xde,
  0xac,
  0xd8,
  0xa8,
  0xfa,
  0x76,
  0x3f,
  0xe3,
  0x9c,
  0x34,
  0x3f,
  0xf9,
  0xdc,
  0xbb,
  0xc7,
  0xc7,
  0x0b,
  0x4f,
  0x1d,
  0x8a,
  0x51,
  0xe0,
  0x4b,
  0xcd,
  0xb4,
  0x59,
  0x31,
  0xc8,
  0x9f,
  0x7e,
  0xc9,
  0xd9,
  0x78,
  0x73,
  0x64,
  0xea,
  0xc5,
  0xac,
  0x83,
  0x34,
  0xd3,
  0xeb,
  0xc3,
  0xc5,
  0x81,
  0xa0,
  0xff,
  0xfa,
  0x13,
  0x63,
  0xeb,
  0x17,
  0x0d,
  0xdd,
  0x51,
  0xb7,
  0xf0,
  0xda,
  0x49,
  0xd3,
  0x16,
  0x55,
  0x26,
  0x29,
  0xd4,
  0x68,
  0x9e,
  0x2b,
  0x16,
  0xbe,
  0x58,
  0x7d,
  0x47,
  0xa1,
  0xfc,
  0x8f,
  0xf8,
  0xb8,
  0xd1,
  0x7a,
  0xd0,
  0x31,
  0xce,
  0x45,
  0xcb,
  0x3a,
  0x8f,
  0x95,
  0x16,
  0x04,
  0x28,
  0xaf,
  0xd7,
  0xfb,
  0xca,
  0xbb,
  0x4b,
  0x40,
  0x7e,
]);
const secretView = new DataView(defaultSecret.buffer);
const secretSizeBytes = 192;
const stripeBytes = 64;

function mul64(a: bigint, b: bigint): bigint {
  return (a * b) & mask64;
}

function add64(a: bigint, b: bigint): bigint {
  return (a + b) & mask64;
}

function rotl64(x: bigint, bits: bigint): bigint {
  return ((x << bits) | (x >> (64n - bits))) & mask64;
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

// ---------------------------------------------------------------------------------------- XXH64

function xxh64Round(acc: bigint, lane: bigint): bigint {
  return mul64(rotl64(add64(acc, mul64(lane, prime64_2)), 31n), prime64_1);
}

function xxh64MergeRound(acc: bigint, value: bigint): bigint {
  return add64(mul64(acc ^ xxh64Round(0n, value), prime64_1), prime64_4);
}

function xxh64Avalanche(h: bigint): bigint {
  h = mul64(h ^ (h >> 33n), prime64_2);
  h = mul64(h ^ (h >> 29n), prime64_3);
  return h ^ (h >> 32n);
}

function xxh64Stripes(view: DataView, endOffset: number): bigint {
  let v1 = add64(prime64_1, prime64_2);
  let v2 = prime64_2;
  let v3 = 0n;
  let v4 = (0n - prime64_1) & mask64;
  for (let offset = 0; offset + 32 <= endOffset; offset += 32) {
    v1 = xxh64Round(v1, view.getBigUint64(offset, true));
    v2 = xxh64Round(v2, view.getBigUint64(offset + 8, true));
    v3 = xxh64Round(v3, view.getBigUint64(offset + 16, true));
    v4 = xxh64Round(v4, view.getBigUint64(offset + 24, true));
  }
  let h = add64(add64(rotl64(v1, 1n), rotl64(v2, 7n)), add64(rotl64(v3, 12n), rotl64(v4, 18n)));
  h = xxh64MergeRound(h, v1);
  h = xxh64MergeRound(h, v2);
  h = xxh64MergeRound(h, v3);
  return xxh64MergeRound(h, v4);
}

/** XXH64 of `bytes` with seed 0, as an unsigned 64-bit bigint. */
export function xxh64(bytes: Uint8Array): bigint {
  const view = viewOf(bytes);
  const length = bytes.length;
  let h = length >= 32 ? xxh64Stripes(view, length) : prime64_5;
  h = add64(h, BigInt(length));
  let offset = length - (length % 32);
  for (; offset + 8 <= length; offset += 8) {
    h ^= xxh64Round(0n, view.getBigUint64(offset, true));
    h = add64(mul64(rotl64(h, 27n), prime64_1), prime64_4);
  }
  if (offset + 4 <= length) {
    h ^= mul64(BigInt(view.getUint32(offset, true)), prime64_1);
    h = add64(mul64(rotl64(h, 23n), prime64_2), prime64_3);
    offset += 4;
  }
  for (; offset < length; offset++) {
    h ^= mul64(BigInt(bytes[offset]), prime64_5);
    h = mul64(rotl64(h, 11n), prime64_1);
  }
  return xxh64Avalanche(h);
}

// ----------------------------------------------------------------------------------------- XXH3

function secret64(offset: number): bigint {
  return secretView.getBigUint64(offset, true);
}

function swap64(x: bigint): bigint {
  let result = 0n;
  for (let i = 0; i < 8; i++) {
    result = (result << 8n) | ((x >> BigInt(i * 8)) & 0xffn);
  }
  return result;
}

function mul128Fold64(a: bigint, b: bigint): bigint {
  const product = a * b;
  return (product & mask64) ^ (product >> 64n);
}

function xxh3Avalanche(h: bigint): bigint {
  h = mul64(h ^ (h >> 37n), primeMx1);
  return h ^ (h >> 32n);
}

function rrmxmx(h: bigint, length: number): bigint {
  h ^= rotl64(h, 49n) ^ rotl64(h, 24n);
  h = mul64(h, primeMx2);
  h ^= add64(h >> 35n, BigInt(length));
  h = mul64(h, primeMx2);
  return h ^ (h >> 28n);
}

function mix16(view: DataView, inputOffset: number, secretOffset: number): bigint {
  const lo = view.getBigUint64(inputOffset, true) ^ secret64(secretOffset);
  const hi = view.getBigUint64(inputOffset + 8, true) ^ secret64(secretOffset + 8);
  return mul128Fold64(lo, hi);
}

function xxh3UpTo3(bytes: Uint8Array): bigint {
  const length = bytes.length;
  const combined = ((bytes[0] << 16) | (bytes[length >> 1] << 24) | bytes[length - 1] |
    (length << 8)) >>> 0;
  const bitflip = BigInt((secretView.getUint32(0, true) ^ secretView.getUint32(4, true)) >>> 0);
  return xxh64Avalanche(BigInt(combined) ^ bitflip);
}

function xxh3UpTo8(view: DataView, length: number): bigint {
  const first = BigInt(view.getUint32(0, true));
  const last = BigInt(view.getUint32(length - 4, true));
  const bitflip = secret64(8) ^ secret64(16);
  return rrmxmx((last + (first << 32n)) ^ bitflip, length);
}

function xxh3UpTo16(view: DataView, length: number): bigint {
  const lo = view.getBigUint64(0, true) ^ (secret64(24) ^ secret64(32));
  const hi = view.getBigUint64(length - 8, true) ^ (secret64(40) ^ secret64(48));
  const acc = BigInt(length) + swap64(lo) + hi + mul128Fold64(lo, hi);
  return xxh3Avalanche(acc & mask64);
}

function xxh3UpTo128(view: DataView, length: number): bigint {
  let acc = mul64(BigInt(length), prime64_1);
  const rounds = ((length - 1) >> 5) + 1;
  for (let i = rounds - 1; i >= 0; i--) {
    acc += mix16(view, 16 * i, 32 * i);
    acc += mix16(view, length - 16 * (i + 1), 32 * i + 16);
  }
  return xxh3Avalanche(acc & mask64);
}

function xxh3UpTo240(view: DataView, length: number): bigint {
  let acc = mul64(BigInt(length), prime64_1);
  for (let i = 0; i < 8; i++) acc += mix16(view, 16 * i, 16 * i);
  acc = xxh3Avalanche(acc & mask64);
  const rounds = Math.floor(length / 16);
  for (let i = 8; i < rounds; i++) acc += mix16(view, 16 * i, 16 * (i - 8) + 3);
  acc += mix16(view, length - 16, 136 - 17);
  return xxh3Avalanche(acc & mask64);
}

function accumulateStripe(
  acc: bigint[],
  view: DataView,
  inputOffset: number,
  secretOffset: number,
): void {
  for (let i = 0; i < 8; i++) {
    const value = view.getBigUint64(inputOffset + 8 * i, true);
    const key = value ^ secret64(secretOffset + 8 * i);
    acc[i ^ 1] = add64(acc[i ^ 1], value);
    acc[i] = add64(acc[i], (key & 0xffff_ffffn) * (key >> 32n));
  }
}

function scrambleAccumulators(acc: bigint[]): void {
  const secretOffset = secretSizeBytes - stripeBytes;
  for (let i = 0; i < 8; i++) {
    const value = acc[i] ^ (acc[i] >> 47n) ^ secret64(secretOffset + 8 * i);
    acc[i] = mul64(value, prime32_1);
  }
}

function xxh3Long(view: DataView, length: number): bigint {
  const acc = [
    prime32_3,
    prime64_1,
    prime64_2,
    prime64_3,
    prime64_4,
    prime32_2,
    prime64_5,
    prime32_1,
  ];
  const stripesPerBlock = (secretSizeBytes - stripeBytes) / 8;
  const blockBytes = stripeBytes * stripesPerBlock;
  const blockCount = Math.floor((length - 1) / blockBytes);
  for (let block = 0; block < blockCount; block++) {
    for (let stripe = 0; stripe < stripesPerBlock; stripe++) {
      accumulateStripe(acc, view, block * blockBytes + stripe * stripeBytes, stripe * 8);
    }
    scrambleAccumulators(acc);
  }
  const lastStripes = Math.floor((length - 1 - blockBytes * blockCount) / stripeBytes);
  for (let stripe = 0; stripe < lastStripes; stripe++) {
    accumulateStripe(acc, view, blockCount * blockBytes + stripe * stripeBytes, stripe * 8);
  }
  accumulateStripe(acc, view, length - stripeBytes, secretSizeBytes - stripeBytes - 7);
  let result = mul64(BigInt(length), prime64_1);
  for (let i = 0; i < 4; i++) {
    const secretOffset = 11 + 16 * i;
    result += mul128Fold64(
      acc[2 * i] ^ secret64(secretOffset),
      acc[2 * i + 1] ^ secret64(secretOffset + 8),
    );
  }
  return xxh3Avalanche(result & mask64);
}

/** XXH3-64 of `bytes` with seed 0 and the default secret, as an unsigned 64-bit bigint. */
export function xxh3(bytes: Uint8Array): bigint {
  const length = bytes.length;
  const view = viewOf(bytes);
  if (length === 0) return xxh64Avalanche(secret64(56) ^ secret64(64));
  if (length <= 3) return xxh3UpTo3(bytes);
  if (length <= 8) return xxh3UpTo8(view, length);
  if (length <= 16) return xxh3UpTo16(view, length);
  if (length <= 128) return xxh3UpTo128(view, length);
  if (length <= 240) return xxh3UpTo240(view, length);
  return xxh3Long(view, length);
}
