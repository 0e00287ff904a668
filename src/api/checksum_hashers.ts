/** Incremental x-amz-checksum-* hashers: CRCs from auth/crc.ts, SHA-1/SHA-256 from platform. */
import { createCrc } from "../auth/crc.ts";
import { createHash } from "../platform/crypto.ts";

export interface ChecksumHasher {
  update(bytes: Uint8Array): void;
  /** The digest as S3 sends it: base64 of the big-endian bytes. */
  digestBase64(): string;
}

export function createChecksumHasher(
  algorithm: "CRC32" | "CRC32C" | "CRC64NVME" | "SHA1" | "SHA256",
): ChecksumHasher {
  const inner = algorithm === "SHA1"
    ? createHash("sha1")
    : algorithm === "SHA256"
    ? createHash("sha256")
    : createCrc(algorithm);
  return {
    update: (bytes) => void inner.update(bytes),
    digestBase64: () => btoa(String.fromCharCode(...inner.digest())),
  };
}
