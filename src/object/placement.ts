/**
 * Where an object lives: which erasure set of a pool (SipHash-2-4 of the key, keyed by the
 * deployment id) and which shard each drive of the set holds (`hashOrder`, CRC-32 rotation).
 * Facts from spec/minio-format.md §1.1 (directory objects), §3.1 and §3.3.
 */

/** Suffix that replaces the trailing `/` of a directory object's key (MinIO `globalDirSuffix`). */
export const dirObjectSuffix = "__XLDIR__";

/** Stateless encoder, shared. */
const utf8 = new TextEncoder();

function readUint32Le(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) |
    (bytes[offset + 3] << 24)) >>>
    0;
}

/**
 * SipHash-2-4 as [hi, lo] 32-bit halves. Written over 32-bit locals (BigInt arithmetic is
 * ~20× slower and this runs per request): v_i = (vIh << 32) | vIl.
 */
function sipHash24Halves(key16: Uint8Array, message: Uint8Array): [number, number] {
  if (key16.length !== 16) {
    throw new RangeError(`SipHash key must be 16 bytes, got ${key16.length}`);
  }
  const k0l = readUint32Le(key16, 0), k0h = readUint32Le(key16, 4);
  const k1l = readUint32Le(key16, 8), k1h = readUint32Le(key16, 12);
  let v0l = (k0l ^ 0x70736575) >>> 0, v0h = (k0h ^ 0x736f6d65) >>> 0; // k0 ^ "somepseu"
  let v1l = (k1l ^ 0x6e646f6d) >>> 0, v1h = (k1h ^ 0x646f7261) >>> 0; // k1 ^ "dorandom"
  let v2l = (k0l ^ 0x6e657261) >>> 0, v2h = (k0h ^ 0x6c796765) >>> 0; // k0 ^ "lygenera"
  let v3l = (k1l ^ 0x79746573) >>> 0, v3h = (k1h ^ 0x74656462) >>> 0; // k1 ^ "tedbytes"

  const sipRound = () => {
    let lo: number, hi: number;
    // v0 += v1; v1 = rotl(v1, 13) ^ v0; v0 = rotl(v0, 32)
    lo = (v0l + v1l) >>> 0;
    v0h = (v0h + v1h + (lo < v0l ? 1 : 0)) >>> 0;
    v0l = lo;
    lo = v1l, hi = v1h;
    v1l = (((lo << 13) | (hi >>> 19)) ^ v0l) >>> 0;
    v1h = (((hi << 13) | (lo >>> 19)) ^ v0h) >>> 0;
    lo = v0l, v0l = v0h, v0h = lo;
    // v2 += v3; v3 = rotl(v3, 16) ^ v2
    lo = (v2l + v3l) >>> 0;
    v2h = (v2h + v3h + (lo < v2l ? 1 : 0)) >>> 0;
    v2l = lo;
    lo = v3l, hi = v3h;
    v3l = (((lo << 16) | (hi >>> 16)) ^ v2l) >>> 0;
    v3h = (((hi << 16) | (lo >>> 16)) ^ v2h) >>> 0;
    // v0 += v3; v3 = rotl(v3, 21) ^ v0
    lo = (v0l + v3l) >>> 0;
    v0h = (v0h + v3h + (lo < v0l ? 1 : 0)) >>> 0;
    v0l = lo;
    lo = v3l, hi = v3h;
    v3l = (((lo << 21) | (hi >>> 11)) ^ v0l) >>> 0;
    v3h = (((hi << 21) | (lo >>> 11)) ^ v0h) >>> 0;
    // v2 += v1; v1 = rotl(v1, 17) ^ v2; v2 = rotl(v2, 32)
    lo = (v2l + v1l) >>> 0;
    v2h = (v2h + v1h + (lo < v2l ? 1 : 0)) >>> 0;
    v2l = lo;
    lo = v1l, hi = v1h;
    v1l = (((lo << 17) | (hi >>> 15)) ^ v2l) >>> 0;
    v1h = (((hi << 17) | (lo >>> 15)) ^ v2h) >>> 0;
    lo = v2l, v2l = v2h, v2h = lo;
  };
  const compress = (ml: number, mh: number) => {
    v3l = (v3l ^ ml) >>> 0, v3h = (v3h ^ mh) >>> 0;
    sipRound();
    sipRound();
    v0l = (v0l ^ ml) >>> 0, v0h = (v0h ^ mh) >>> 0;
  };

  const wholeWordsBytes = message.length - (message.length % 8);
  for (let offset = 0; offset < wholeWordsBytes; offset += 8) {
    compress(readUint32Le(message, offset), readUint32Le(message, offset + 4));
  }
  // Last word: the tail bytes little endian, the length mod 256 in the top byte.
  let tailLo = 0, tailHi = (message.length & 0xff) << 24;
  for (let i = wholeWordsBytes; i < message.length; i++) {
    const shift = 8 * (i - wholeWordsBytes);
    if (shift < 32) tailLo |= message[i] << shift;
    else tailHi |= message[i] << (shift - 32);
  }
  compress(tailLo >>> 0, tailHi >>> 0);
  v2l = (v2l ^ 0xff) >>> 0;
  for (let i = 0; i < 4; i++) sipRound();
  return [(v0h ^ v1h ^ v2h ^ v3h) >>> 0, (v0l ^ v1l ^ v2l ^ v3l) >>> 0];
}

/** SipHash-2-4 of `message` under the 16-byte key (k0 = LE64(key[0:8]), k1 = LE64(key[8:16])). */
export function sipHash24(key16: Uint8Array, message: Uint8Array): bigint {
  const [hi, lo] = sipHash24Halves(key16, message);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

function makeCrc32Table(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** Read-only after construction. */
const crc32Table = makeCrc32Table();

/** CRC-32/IEEE (zlib, PNG; reflected polynomial 0xEDB88320) as an unsigned 32-bit number. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) {
    crc = crc32Table[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** The 16 bytes of a UUID in text form (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`). */
export function uuidBytes(uuid: string): Uint8Array {
  const bytes = new Uint8Array(16);
  let digits = 0;
  for (let i = 0; i < uuid.length; i++) {
    const c = uuid.charCodeAt(i);
    if (c === 0x2d && (i === 8 || i === 13 || i === 18 || i === 23)) continue;
    const value = hexValue(c);
    if (value < 0 || digits >= 32) break;
    bytes[digits >> 1] |= digits & 1 ? value : value << 4;
    digits++;
  }
  if (digits !== 32 || uuid.length !== 36) {
    throw new RangeError(`Cannot parse UUID "${uuid}": expected 8-4-4-4-12 hex digits`);
  }
  return bytes;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/**
 * Index of the erasure set (0-based) holding `key` in a pool of `setCount` sets:
 * SipHash-2-4(deployment id bytes, UTF-8 key) mod setCount (SIPMOD, SIPMOD+PARITY).
 * `key` is the encoded key (directory objects already carry `__XLDIR__`).
 */
export function setIndexForKey(key: string, deploymentId: string, setCount: number): number {
  return setIndexForKeyBytes(utf8.encode(key), deploymentId, setCount);
}

/** As `setIndexForKey`, for a key given as raw bytes. */
export function setIndexForKeyBytes(
  keyBytes: Uint8Array,
  deploymentId: string,
  setCount: number,
): number {
  if (!Number.isInteger(setCount) || setCount <= 0) {
    throw new RangeError(`Cannot place a key in ${setCount} sets: need at least one set`);
  }
  const [hi, lo] = sipHash24Halves(uuidBytes(deploymentId), keyBytes);
  if (setCount >= 2 ** 21) return Number(((BigInt(hi) << 32n) | BigInt(lo)) % BigInt(setCount));
  // (hi·2^32 + lo) mod n without BigInt; exact while n < 2^21 (products stay below 2^53).
  const twoTo32ModN = 2 ** 32 % setCount;
  return ((hi % setCount) * twoTo32ModN + (lo % setCount)) % setCount;
}

/** Legacy CRCMOD placement: CRC-32/IEEE of the key bytes mod setCount. */
export function setIndexForKeyCrcMod(keyBytes: Uint8Array, setCount: number): number {
  if (!Number.isInteger(setCount) || setCount <= 0) {
    throw new RangeError(`Cannot place a key in ${setCount} sets: need at least one set`);
  }
  return crc32(keyBytes) % setCount;
}

/**
 * The shard distribution of a new object: `result[d]` is the 1-based shard index stored on
 * drive position `d` of the set, a rotation of 1..n starting after CRC-32(s) mod n.
 * `s` is `bucket + "/" + encodedKey`. n ≤ 0 gives an empty list.
 */
export function hashOrder(s: string, n: number): number[] {
  return hashOrderBytes(utf8.encode(s), n);
}

/** As `hashOrder`, for a name given as raw bytes. */
export function hashOrderBytes(bytes: Uint8Array, n: number): number[] {
  if (n <= 0) return [];
  const start = crc32(bytes) % n;
  const order: number[] = [];
  for (let i = 1; i <= n; i++) order.push(1 + ((start + i) % n));
  return order;
}

/** `photos/` → `photos__XLDIR__`: the stored (and hashed) name of a directory object. */
export function encodeDirObject(key: string): string {
  return key.endsWith("/") ? key.slice(0, -1) + dirObjectSuffix : key;
}

/** `photos__XLDIR__` → `photos/`: the key of a stored directory object; other names unchanged. */
export function decodeDirObject(name: string): string {
  return name.endsWith(dirObjectSuffix) ? name.slice(0, -dirObjectSuffix.length) + "/" : name;
}
