/**
 * Checks a body against the SHA-256 its signer declared in `x-amz-content-sha256`: bytes pass
 * through unchanged, and the stream fails at its end with `XAmzContentSHA256Mismatch` when the
 * hash differs, so a consumer that commits only on a clean end stores nothing.
 */
import { createHash } from "../platform/crypto.ts";
import { AuthError } from "./auth_error.ts";
import { signaturesEqual } from "./sigv4_signing.ts";
import { toHex } from "./uri_encoding.ts";

export function createPayloadHashVerifier(
  expectedSha256Hex: string,
): TransformStream<Uint8Array, Uint8Array> {
  const expected = expectedSha256Hex.toLowerCase();
  const hash = createHash("sha256");
  return new TransformStream({
    transform(bytes, controller) {
      hash.update(bytes);
      controller.enqueue(bytes);
    },
    flush() {
      const actual = toHex(hash.digest());
      if (!signaturesEqual(expected, actual)) {
        throw new AuthError(
          "XAmzContentSHA256Mismatch",
          `The provided 'x-amz-content-sha256' header does not match what was computed: ${actual}`,
        );
      }
    },
  });
}
