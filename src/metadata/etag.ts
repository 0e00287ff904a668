/**
 * ETag helpers that need no I/O (spec §10). Object bytes are hashed by the platform; here only
 * the multipart ETag is formed from the parts' raw MD5s.
 */

import { md5 } from "./md5.ts";

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * `hex(MD5(md5₁ ‖ md5₂ ‖ …))-<count>`: the ETag of a completed multipart upload, given the
 * 16-byte MD5 of each part in the Complete request's order.
 */
export function multipartEtag(partMd5s: Uint8Array[]): string {
  const joined = new Uint8Array(partMd5s.length * 16);
  partMd5s.forEach((partMd5, i) => {
    if (partMd5.length !== 16) {
      throw new RangeError(`Cannot use part MD5 of ${partMd5.length} bytes`);
    }
    joined.set(partMd5, 16 * i);
  });
  return `${toHex(md5(joined))}-${partMd5s.length}`;
}

/**
 * The raw MD5 of a client-sent part ETag (quotes allowed); undefined when it is not 32 hex
 * digits (multipart-style or otherwise unparsable ETags).
 */
export function etagMd5Bytes(etag: string): Uint8Array | undefined {
  const bare = etag.replace(/^"|"$/g, "").toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(bare)) return undefined;
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(bare.slice(2 * i, 2 * i + 2), 16));
}
