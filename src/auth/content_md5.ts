/**
 * `Content-MD5` checking: the header must be base64 of 16 bytes (else InvalidDigest), and the
 * body must hash to it (else the stream fails at its end with BadDigest).
 */
import { createHash } from "../platform/crypto.ts";
import { AuthError } from "./auth_error.ts";
import { fromBase64, toBase64 } from "./checksum.ts";

/** Validates a Content-MD5 header value and returns it in canonical base64. */
export function parseContentMd5(header: string): string {
  const bytes = fromBase64(header.trim());
  if (bytes === undefined || bytes.length !== 16) {
    throw new AuthError("InvalidDigest", "The Content-MD5 you specified was invalid.");
  }
  return toBase64(bytes);
}

export function createContentMd5Verifier(header: string): TransformStream<Uint8Array, Uint8Array> {
  const expected = parseContentMd5(header);
  const md5 = createHash("md5");
  return new TransformStream({
    transform(bytes, controller) {
      md5.update(bytes);
      controller.enqueue(bytes);
    },
    flush() {
      if (toBase64(md5.digest()) !== expected) {
        throw new AuthError(
          "BadDigest",
          "The Content-MD5 you specified did not match what we received.",
        );
      }
    },
  });
}
