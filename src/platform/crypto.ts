/**
 * Hashes and random ids from the runtime (node:crypto works the same on Deno and Bun).
 * Incremental hashes are needed because bodies stream through in blocks.
 */
import * as nodeCrypto from "node:crypto";

export interface IncrementalHash {
  update(bytes: Uint8Array): IncrementalHash;
  digest(): Uint8Array;
}

export type HashAlgorithm = "md5" | "sha1" | "sha256";

export function createHash(algorithm: HashAlgorithm): IncrementalHash {
  const hash = nodeCrypto.createHash(algorithm);
  return {
    update(bytes) {
      hash.update(bytes);
      return this;
    },
    digest: () => new Uint8Array(hash.digest()),
  };
}

export function hash(algorithm: HashAlgorithm, bytes: Uint8Array | string): Uint8Array {
  return new Uint8Array(nodeCrypto.createHash(algorithm).update(bytes).digest());
}

export function hmacSha256(key: Uint8Array | string, message: Uint8Array | string): Uint8Array {
  return new Uint8Array(nodeCrypto.createHmac("sha256", key).update(message).digest());
}

/** Constant-time comparison of two byte strings of any length. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && nodeCrypto.timingSafeEqual(a, b);
}

export function randomBytes(length: number): Uint8Array {
  return new Uint8Array(nodeCrypto.randomBytes(length));
}

/** A random version-4 UUID, lowercase text. */
export function randomUuid(): string {
  return nodeCrypto.randomUUID();
}
