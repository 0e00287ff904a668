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

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

// ---------------------------------------------------------------------------------------- XXH64
// XXH64 runs on every xl.meta read (the CRC) and in every signature, so it works on 32-bit
// halves instead of BigInt: a `Word` is one mutable 64-bit value.

interface Word {
  hi: number;
  lo: number;
}

const p1Hi = 0x9e3779b1, p1Lo = 0x85ebca87;
const p2Hi = 0xc2b2ae3d, p2Lo = 0x27d4eb4f;
const p3Hi = 0x165667b1, p3Lo = 0x9e3779f9;
const p4Hi = 0x85ebca77, p4Lo = 0xc2b2ae63;
const p5Hi = 0x27d4eb2f, p5Lo = 0x165667c5;
const two32 = 4294967296;

function addWord(a: Word, hi: number, lo: number): void {
  const low = a.lo + lo;
  a.lo = low >>> 0;
  a.hi = (a.hi + hi + (low >= two32 ? 1 : 0)) >>> 0;
}

/** a = a * b mod 2^64, exact: 16-bit limbs keep every partial product below 2^53. */
function mulWord(a: Word, hi: number, lo: number): void {
  const a0 = a.lo & 0xffff, a1 = a.lo >>> 16, b0 = lo & 0xffff, b1 = lo >>> 16;
  const middle = a0 * b1 + a1 * b0;
  const low = a0 * b0 + (middle % 65536) * 65536;
  const high = a1 * b1 + Math.floor(middle / 65536) + Math.floor(low / two32) +
    Math.imul(a.hi, lo) + Math.imul(a.lo, hi);
  a.lo = low >>> 0;
  a.hi = high >>> 0;
}

function rotlWord(a: Word, bits: number): void {
  let { hi, lo } = a;
  if (bits >= 32) {
    [hi, lo] = [lo, hi];
    bits -= 32;
  }
  if (bits === 0) {
    a.hi = hi;
    a.lo = lo;
    return;
  }
  a.hi = ((hi << bits) | (lo >>> (32 - bits))) >>> 0;
  a.lo = ((lo << bits) | (hi >>> (32 - bits))) >>> 0;
}

/** a ^= a >> bits, for 32 <= bits < 64 or 0 < bits < 32. */
function xorShiftWord(a: Word, bits: number): void {
  if (bits >= 32) {
    a.lo = (a.lo ^ (a.hi >>> (bits - 32))) >>> 0;
    return;
  }
  a.lo = (a.lo ^ ((a.lo >>> bits) | (a.hi << (32 - bits)))) >>> 0;
  a.hi = (a.hi ^ (a.hi >>> bits)) >>> 0;
}

/** acc = rotl(acc + lane * P2, 31) * P1. */
function roundWord(acc: Word, laneHi: number, laneLo: number, scratch: Word): void {
  scratch.hi = laneHi;
  scratch.lo = laneLo;
  mulWord(scratch, p2Hi, p2Lo);
  addWord(acc, scratch.hi, scratch.lo);
  rotlWord(acc, 31);
  mulWord(acc, p1Hi, p1Lo);
}

/** h = (h ^ round(0, v)) * P1 + P4. */
function mergeRoundWord(h: Word, v: Word, scratch: Word, lane: Word): void {
  lane.hi = 0;
  lane.lo = 0;
  roundWord(lane, v.hi, v.lo, scratch);
  h.hi = (h.hi ^ lane.hi) >>> 0;
  h.lo = (h.lo ^ lane.lo) >>> 0;
  mulWord(h, p1Hi, p1Lo);
  addWord(h, p4Hi, p4Lo);
}

function stripesWord(view: DataView, endOffset: number, h: Word): void {
  const v1: Word = { hi: p1Hi, lo: p1Lo };
  addWord(v1, p2Hi, p2Lo);
  const v2: Word = { hi: p2Hi, lo: p2Lo };
  const v3: Word = { hi: 0, lo: 0 };
  const v4: Word = { hi: 0, lo: 0 };
  // v4 = -P1 mod 2^64 (P1's low half is not zero, so the borrow turns hi into ~hi)
  v4.lo = (two32 - p1Lo) >>> 0;
  v4.hi = ~p1Hi >>> 0;
  const scratch: Word = { hi: 0, lo: 0 };
  for (let o = 0; o + 32 <= endOffset; o += 32) {
    roundWord(v1, view.getUint32(o + 4, true), view.getUint32(o, true), scratch);
    roundWord(v2, view.getUint32(o + 12, true), view.getUint32(o + 8, true), scratch);
    roundWord(v3, view.getUint32(o + 20, true), view.getUint32(o + 16, true), scratch);
    roundWord(v4, view.getUint32(o + 28, true), view.getUint32(o + 24, true), scratch);
  }
  h.hi = 0;
  h.lo = 0;
  const rotated: Word = { hi: 0, lo: 0 };
  for (const [v, bits] of [[v1, 1], [v2, 7], [v3, 12], [v4, 18]] as const) {
    rotated.hi = v.hi;
    rotated.lo = v.lo;
    rotlWord(rotated, bits);
    addWord(h, rotated.hi, rotated.lo);
  }
  const lane: Word = { hi: 0, lo: 0 };
  for (const v of [v1, v2, v3, v4]) mergeRoundWord(h, v, scratch, lane);
}

function tailWord(bytes: Uint8Array, view: DataView, h: Word): void {
  const length = bytes.length;
  const scratch: Word = { hi: 0, lo: 0 };
  const lane: Word = { hi: 0, lo: 0 };
  let offset = length - (length % 32);
  for (; offset + 8 <= length; offset += 8) {
    lane.hi = 0;
    lane.lo = 0;
    roundWord(lane, view.getUint32(offset + 4, true), view.getUint32(offset, true), scratch);
    h.hi = (h.hi ^ lane.hi) >>> 0;
    h.lo = (h.lo ^ lane.lo) >>> 0;
    rotlWord(h, 27);
    mulWord(h, p1Hi, p1Lo);
    addWord(h, p4Hi, p4Lo);
  }
  if (offset + 4 <= length) {
    lane.hi = 0;
    lane.lo = view.getUint32(offset, true);
    mulWord(lane, p1Hi, p1Lo);
    h.hi = (h.hi ^ lane.hi) >>> 0;
    h.lo = (h.lo ^ lane.lo) >>> 0;
    rotlWord(h, 23);
    mulWord(h, p2Hi, p2Lo);
    addWord(h, p3Hi, p3Lo);
    offset += 4;
  }
  for (; offset < length; offset++) {
    lane.hi = 0;
    lane.lo = bytes[offset];
    mulWord(lane, p5Hi, p5Lo);
    h.hi = (h.hi ^ lane.hi) >>> 0;
    h.lo = (h.lo ^ lane.lo) >>> 0;
    rotlWord(h, 11);
    mulWord(h, p1Hi, p1Lo);
  }
}

/** XXH64 of `bytes` with seed 0, as an unsigned 64-bit bigint. */
export function xxh64(bytes: Uint8Array): bigint {
  const view = viewOf(bytes);
  const length = bytes.length;
  const h: Word = { hi: p5Hi, lo: p5Lo };
  if (length >= 32) stripesWord(view, length, h);
  addWord(h, Math.floor(length / two32), length >>> 0);
  tailWord(bytes, view, h);
  xorShiftWord(h, 33);
  mulWord(h, p2Hi, p2Lo);
  xorShiftWord(h, 29);
  mulWord(h, p3Hi, p3Lo);
  xorShiftWord(h, 32);
  return (BigInt(h.hi) << 32n) | BigInt(h.lo);
}

/** The low 32 bits of XXH64: the xl.meta CRC (§4.7). */
export function xxh64Low32(bytes: Uint8Array): number {
  return Number(xxh64(bytes) & 0xffff_ffffn);
}

// ----------------------------------------------------------------------------------------- XXH3

function secret64(offset: number): bigint {
  return secretView.getBigUint64(offset, true);
}

function mul128Fold64(a: bigint, b: bigint): bigint {
  const product = a * b;
  return (product & mask64) ^ (product >> 64n);
}

function xxh3Avalanche(h: bigint): bigint {
  h = mul64(h ^ (h >> 37n), primeMx1);
  return h ^ (h >> 32n);
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
  if (length > 240) return xxh3Long(view, length);
  const h = xxh3ShortWord(bytes, view);
  return (BigInt(h.hi) << 32n) | BigInt(h.lo);
}

// XXH3 for inputs up to 240 bytes on 32-bit halves: signatures hash many short map entries.

const mx1Hi = 0x16566791, mx1Lo = 0x9e3779f9;
const mx2Hi = 0x9fb21c65, mx2Lo = 0x1e98df25;

function secretHi(offset: number): number {
  return secretView.getUint32(offset + 4, true);
}

function secretLo(offset: number): number {
  return secretView.getUint32(offset, true);
}

/** The exact 64-bit product of two uint32 values. */
function mul32Into(out: Word, a: number, b: number): void {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const middle = a0 * b1 + a1 * b0;
  const low = a0 * b0 + (middle % 65536) * 65536;
  out.lo = low >>> 0;
  out.hi = a1 * b1 + Math.floor(middle / 65536) + Math.floor(low / two32);
}

/** acc += low64(a * b) ^ high64(a * b), with a and b given as halves. */
function addFold128(acc: Word, aHi: number, aLo: number, bHi: number, bLo: number, t: Word[]) {
  const [ll, lh, hl, hh] = t;
  mul32Into(ll, aLo, bLo);
  mul32Into(lh, aLo, bHi);
  mul32Into(hl, aHi, bLo);
  mul32Into(hh, aHi, bHi);
  const w0 = ll.lo;
  const sum1 = ll.hi + lh.lo + hl.lo;
  const w1 = sum1 >>> 0;
  const sum2 = lh.hi + hl.hi + hh.lo + Math.floor(sum1 / two32);
  const w2 = sum2 >>> 0;
  const w3 = (hh.hi + Math.floor(sum2 / two32)) >>> 0;
  addWord(acc, (w1 ^ w3) >>> 0, (w0 ^ w2) >>> 0);
}

function scratchWords(): Word[] {
  return [{ hi: 0, lo: 0 }, { hi: 0, lo: 0 }, { hi: 0, lo: 0 }, { hi: 0, lo: 0 }];
}

function xxh64AvalancheWord(h: Word): Word {
  xorShiftWord(h, 33);
  mulWord(h, p2Hi, p2Lo);
  xorShiftWord(h, 29);
  mulWord(h, p3Hi, p3Lo);
  xorShiftWord(h, 32);
  return h;
}

function xxh3AvalancheWord(h: Word): Word {
  xorShiftWord(h, 37);
  mulWord(h, mx1Hi, mx1Lo);
  xorShiftWord(h, 32);
  return h;
}

function byteSwap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

function xxh3Tiny(bytes: Uint8Array, length: number): Word {
  if (length === 0) {
    return xxh64AvalancheWord({
      hi: (secretHi(56) ^ secretHi(64)) >>> 0,
      lo: (secretLo(56) ^ secretLo(64)) >>> 0,
    });
  }
  const combined = ((bytes[0] << 16) | (bytes[length >> 1] << 24) | bytes[length - 1] |
    (length << 8)) >>> 0;
  const bitflip = (secretView.getUint32(0, true) ^ secretView.getUint32(4, true)) >>> 0;
  return xxh64AvalancheWord({ hi: 0, lo: (combined ^ bitflip) >>> 0 });
}

function xxh3Small(view: DataView, length: number): Word {
  const first = view.getUint32(0, true);
  const last = view.getUint32(length - 4, true);
  const h: Word = {
    hi: (first ^ secretHi(8) ^ secretHi(16)) >>> 0,
    lo: (last ^ secretLo(8) ^ secretLo(16)) >>> 0,
  };
  const r49: Word = { hi: h.hi, lo: h.lo };
  rotlWord(r49, 49);
  const r24: Word = { hi: h.hi, lo: h.lo };
  rotlWord(r24, 24);
  h.hi = (h.hi ^ r49.hi ^ r24.hi) >>> 0;
  h.lo = (h.lo ^ r49.lo ^ r24.lo) >>> 0;
  mulWord(h, mx2Hi, mx2Lo);
  const shifted: Word = { hi: 0, lo: h.hi >>> 3 };
  addWord(shifted, 0, length);
  h.hi = (h.hi ^ shifted.hi) >>> 0;
  h.lo = (h.lo ^ shifted.lo) >>> 0;
  mulWord(h, mx2Hi, mx2Lo);
  xorShiftWord(h, 28);
  return h;
}

function xxh3Medium(view: DataView, length: number): Word {
  const loHi = (view.getUint32(4, true) ^ secretHi(24) ^ secretHi(32)) >>> 0;
  const loLo = (view.getUint32(0, true) ^ secretLo(24) ^ secretLo(32)) >>> 0;
  const hiHi = (view.getUint32(length - 4, true) ^ secretHi(40) ^ secretHi(48)) >>> 0;
  const hiLo = (view.getUint32(length - 8, true) ^ secretLo(40) ^ secretLo(48)) >>> 0;
  const acc: Word = { hi: 0, lo: length };
  addWord(acc, byteSwap32(loLo), byteSwap32(loHi));
  addWord(acc, hiHi, hiLo);
  addFold128(acc, loHi, loLo, hiHi, hiLo, scratchWords());
  return xxh3AvalancheWord(acc);
}

function addMix16(acc: Word, view: DataView, inputOffset: number, so: number, t: Word[]): void {
  addFold128(
    acc,
    (view.getUint32(inputOffset + 4, true) ^ secretHi(so)) >>> 0,
    (view.getUint32(inputOffset, true) ^ secretLo(so)) >>> 0,
    (view.getUint32(inputOffset + 12, true) ^ secretHi(so + 8)) >>> 0,
    (view.getUint32(inputOffset + 8, true) ^ secretLo(so + 8)) >>> 0,
    t,
  );
}

function lengthTimesPrime1(length: number): Word {
  const acc: Word = { hi: 0, lo: length };
  mulWord(acc, p1Hi, p1Lo);
  return acc;
}

function xxh3UpTo128Word(view: DataView, length: number): Word {
  const acc = lengthTimesPrime1(length);
  const t = scratchWords();
  const rounds = ((length - 1) >> 5) + 1;
  for (let i = 0; i < rounds; i++) {
    addMix16(acc, view, 16 * i, 32 * i, t);
    addMix16(acc, view, length - 16 * (i + 1), 32 * i + 16, t);
  }
  return xxh3AvalancheWord(acc);
}

function xxh3UpTo240Word(view: DataView, length: number): Word {
  const acc = lengthTimesPrime1(length);
  const t = scratchWords();
  for (let i = 0; i < 8; i++) addMix16(acc, view, 16 * i, 16 * i, t);
  xxh3AvalancheWord(acc);
  const rounds = Math.floor(length / 16);
  for (let i = 8; i < rounds; i++) addMix16(acc, view, 16 * i, 16 * (i - 8) + 3, t);
  addMix16(acc, view, length - 16, 136 - 17, t);
  return xxh3AvalancheWord(acc);
}

function xxh3ShortWord(bytes: Uint8Array, view: DataView): Word {
  const length = bytes.length;
  if (length <= 3) return xxh3Tiny(bytes, length);
  if (length <= 8) return xxh3Small(view, length);
  if (length <= 16) return xxh3Medium(view, length);
  if (length <= 128) return xxh3UpTo128Word(view, length);
  return xxh3UpTo240Word(view, length);
}
