/**
 * S3 additional checksums (`x-amz-checksum-*`): CRC32, CRC32C, CRC64NVME, SHA1, SHA256.
 * Incremental hashing, a pass-through stream that computes several at once, S3's base64 text
 * form, and the multipart forms: COMPOSITE (`base64(hash(concat(raw part checksums)))-N`) and
 * FULL_OBJECT (the part CRCs combined into the CRC of the whole object).
 */
import { partNumberMax } from "../limits.ts";
import { createHash } from "../platform/crypto.ts";
import { AuthError } from "./auth_error.ts";
import { combineCrc, type CrcAlgorithm, createCrc } from "./crc.ts";

export type ChecksumAlgorithm = "CRC32" | "CRC32C" | "CRC64NVME" | "SHA1" | "SHA256";
export type ChecksumType = "COMPOSITE" | "FULL_OBJECT";

export const checksumAlgorithms: readonly ChecksumAlgorithm[] = [
  "CRC32",
  "CRC32C",
  "CRC64NVME",
  "SHA1",
  "SHA256",
];

const digestBytes: Record<ChecksumAlgorithm, number> = {
  CRC32: 4,
  CRC32C: 4,
  CRC64NVME: 8,
  SHA1: 20,
  SHA256: 32,
};

/** The header (and trailer) that carries this checksum: `x-amz-checksum-crc32`, ... */
export function checksumHeaderName(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/** `CRC32`, `crc32c`, ... → the algorithm, or undefined when S3 has no such checksum. */
export function parseChecksumAlgorithm(text: string): ChecksumAlgorithm | undefined {
  const upper = text.toUpperCase();
  return checksumAlgorithms.find((a) => a === upper);
}

/** `x-amz-checksum-crc32` → CRC32, or undefined for other header names. */
export function checksumAlgorithmOfHeader(headerName: string): ChecksumAlgorithm | undefined {
  const prefix = "x-amz-checksum-";
  const lower = headerName.toLowerCase();
  return lower.startsWith(prefix) ? parseChecksumAlgorithm(lower.slice(prefix.length)) : undefined;
}

export interface Checksum {
  readonly algorithm: ChecksumAlgorithm;
  update(bytes: Uint8Array): void;
  /** The raw digest (big-endian for CRCs). */
  digest(): Uint8Array;
}

export function createChecksum(algorithm: ChecksumAlgorithm): Checksum {
  if (algorithm === "SHA1" || algorithm === "SHA256") {
    const hash = createHash(algorithm === "SHA1" ? "sha1" : "sha256");
    return { algorithm, update: (bytes) => void hash.update(bytes), digest: () => hash.digest() };
  }
  const crc = createCrc(algorithm);
  return { algorithm, update: (bytes) => crc.update(bytes), digest: () => crc.digest() };
}

/** The base64 checksum of `bytes`, as S3 writes it. */
export function checksumOf(algorithm: ChecksumAlgorithm, bytes: Uint8Array): string {
  const checksum = createChecksum(algorithm);
  checksum.update(bytes);
  return toBase64(checksum.digest());
}

/**
 * Decodes a client-supplied checksum value; fails with InvalidRequest when it is not base64 of
 * the algorithm's digest length (S3: "Value for x-amz-checksum-crc32 header is invalid.").
 */
export function decodeChecksum(algorithm: ChecksumAlgorithm, base64: string): Uint8Array {
  const bytes = fromBase64(base64);
  if (bytes === undefined || bytes.length !== digestBytes[algorithm]) {
    throw new AuthError(
      "InvalidRequest",
      `Value for ${checksumHeaderName(algorithm)} header is invalid.`,
    );
  }
  return bytes;
}

/** Fails with BadDigest when a computed checksum differs from the one the client declared. */
export function verifyChecksum(
  algorithm: ChecksumAlgorithm,
  declaredBase64: string,
  computedBase64: string,
): void {
  const declared = toBase64(decodeChecksum(algorithm, declaredBase64));
  if (declared !== computedBase64) {
    throw new AuthError(
      "BadDigest",
      `The ${algorithm} you specified did not match the calculated checksum.`,
    );
  }
}

/** A pass-through stream computing checksums; `digests` resolves (base64) when it ends. */
export interface ChecksumStream {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
  digests: Promise<Partial<Record<ChecksumAlgorithm, string>>>;
}

export function createChecksumStream(algorithms: readonly ChecksumAlgorithm[]): ChecksumStream {
  const checksums = [...new Set(algorithms)].map(createChecksum);
  let resolveDigests!: (digests: Partial<Record<ChecksumAlgorithm, string>>) => void;
  let rejectDigests!: (error: unknown) => void;
  const digests = new Promise<Partial<Record<ChecksumAlgorithm, string>>>((resolve, reject) => {
    resolveDigests = resolve;
    rejectDigests = reject;
  });
  digests.catch(() => {}); // the stream reports the error itself
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    transform(bytes, controller) {
      for (const checksum of checksums) checksum.update(bytes);
      controller.enqueue(bytes);
    },
    flush() {
      const out: Partial<Record<ChecksumAlgorithm, string>> = {};
      for (const checksum of checksums) out[checksum.algorithm] = toBase64(checksum.digest());
      resolveDigests(out);
    },
    cancel(reason) {
      rejectDigests(reason);
    },
  });
  return { readable: stream.readable, writable: stream.writable, digests };
}

/**
 * The COMPOSITE checksum of a multipart object: the checksum of the concatenated raw part
 * checksums, base64, with `-<part count>` appended.
 */
export function compositeChecksum(algorithm: ChecksumAlgorithm, partChecksums: string[]): string {
  checkPartCount(partChecksums.length);
  const checksum = createChecksum(algorithm);
  for (const part of partChecksums) checksum.update(decodeChecksum(algorithm, part));
  return `${toBase64(checksum.digest())}-${partChecksums.length}`;
}

export interface PartChecksum {
  /** The part's checksum, base64. */
  checksum: string;
  sizeBytes: number;
}

/** The FULL_OBJECT checksum of a multipart object: part CRCs combined in order (CRCs only). */
export function fullObjectChecksum(algorithm: ChecksumAlgorithm, parts: PartChecksum[]): string {
  checkPartCount(parts.length);
  if (algorithm === "SHA1" || algorithm === "SHA256") {
    throw new AuthError(
      "InvalidRequest",
      `The FULL_OBJECT checksum type cannot be used with the ${algorithm} checksum algorithm.`,
    );
  }
  const crcAlgorithm: CrcAlgorithm = algorithm;
  let combined = toBigInt(decodeChecksum(algorithm, parts[0].checksum));
  for (const part of parts.slice(1)) {
    const next = toBigInt(decodeChecksum(algorithm, part.checksum));
    combined = combineCrc(crcAlgorithm, combined, next, part.sizeBytes);
  }
  return toBase64(fromBigInt(combined, digestBytes[algorithm]));
}

function checkPartCount(count: number): void {
  if (count < 1 || count > partNumberMax) {
    throw new AuthError("InvalidRequest", `Cannot combine checksums of ${count} parts`);
  }
}

function toBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function fromBigInt(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return out;
}

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Strict base64 (padded) to bytes, or undefined. */
export function fromBase64(text: string): Uint8Array | undefined {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) {
    return undefined;
  }
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
