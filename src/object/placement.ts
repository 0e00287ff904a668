/**
 * Where an object lives: which erasure set of a pool (SipHash-2-4 of the key, keyed by the
 * deployment id) and which shard each drive of the set holds (`hashOrder`, CRC-32 rotation).
 * Facts from spec/minio-format.md §1.1 (directory objects), §3.1 and §3.3.
 */

const mask64 = (1n << 64n) - 1n;

/** Suffix that replaces the trailing `/` of a directory object's key (MinIO `globalDirSuffix`). */
export const dirObjectSuffix = "__XLDIR__";

function rotl64(value: bigint, bits: bigint): bigint {
  return ((value << bits) | (value >> (64n - bits))) & mask64;
}

function readUint64Le(bytes: Uint8Array, offset: number): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 8);
  return view.getBigUint64(0, true);
}

/** One SipRound over the four state words, in place. */
function sipRound(v: bigint[]): void {
  v[0] = (v[0] + v[1]) & mask64;
  v[1] = rotl64(v[1], 13n) ^ v[0];
  v[0] = rotl64(v[0], 32n);
  v[2] = (v[2] + v[3]) & mask64;
  v[3] = rotl64(v[3], 16n) ^ v[2];
  v[0] = (v[0] + v[3]) & mask64;
  v[3] = rotl64(v[3], 21n) ^ v[0];
  v[2] = (v[2] + v[1]) & mask64;
  v[1] = rotl64(v[1], 17n) ^ v[2];
  v[2] = rotl64(v[2], 32n);
}

function sipCompress(v: bigint[], word: bigint, rounds: number): void {
  v[3] ^= word;
  for (let i = 0; i < rounds; i++) sipRound(v);
  v[0] ^= word;
}

/** The last message word: the tail bytes little endian, with the length mod 256 in the top byte. */
function lastWord(message: Uint8Array, tailOffset: number): bigint {
  let word = BigInt(message.length & 0xff) << 56n;
  for (let i = tailOffset; i < message.length; i++) {
    word |= BigInt(message[i]) << BigInt(8 * (i - tailOffset));
  }
  return word;
}

/** SipHash-2-4 of `message` under the 16-byte key (k0 = LE64(key[0:8]), k1 = LE64(key[8:16])). */
export function sipHash24(key16: Uint8Array, message: Uint8Array): bigint {
  if (key16.length !== 16) {
    throw new RangeError(`SipHash key must be 16 bytes, got ${key16.length}`);
  }
  const k0 = readUint64Le(key16, 0);
  const k1 = readUint64Le(key16, 8);
  const v = [
    k0 ^ 0x736f6d6570736575n,
    k1 ^ 0x646f72616e646f6dn,
    k0 ^ 0x6c7967656e657261n,
    k1 ^ 0x7465646279746573n,
  ];
  const wholeWordsBytes = message.length - (message.length % 8);
  for (let offset = 0; offset < wholeWordsBytes; offset += 8) {
    sipCompress(v, readUint64Le(message, offset), 2);
  }
  sipCompress(v, lastWord(message, wholeWordsBytes), 2);
  v[2] ^= 0xffn;
  for (let i = 0; i < 4; i++) sipRound(v);
  return v[0] ^ v[1] ^ v[2] ^ v[3];
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
  const hex = uuid.replaceAll("-", "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex) || uuid.length !== 36) {
    throw new RangeError(`Cannot parse UUID "${uuid}": expected 8-4-4-4-12 hex digits`);
  }
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/**
 * Index of the erasure set (0-based) holding `key` in a pool of `setCount` sets:
 * SipHash-2-4(deployment id bytes, UTF-8 key) mod setCount (SIPMOD, SIPMOD+PARITY).
 * `key` is the encoded key (directory objects already carry `__XLDIR__`).
 */
export function setIndexForKey(key: string, deploymentId: string, setCount: number): number {
  return setIndexForKeyBytes(new TextEncoder().encode(key), deploymentId, setCount);
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
  return Number(sipHash24(uuidBytes(deploymentId), keyBytes) % BigInt(setCount));
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
  return hashOrderBytes(new TextEncoder().encode(s), n);
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
