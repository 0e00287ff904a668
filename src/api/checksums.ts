/**
 * x-amz-checksum-* on uploads: which algorithm the client asked for (a header with the value,
 * a trailer named in x-amz-trailer, or only x-amz-sdk-checksum-algorithm), and a pass-through
 * stream that computes it and fails with BadDigest before the end when the value differs.
 */
import {
  type ChecksumAlgorithm,
  checksumAlgorithms,
  createChecksum,
  decodeChecksum,
  parseChecksumAlgorithm,
  verifyChecksum,
} from "../auth/mod.ts";
import { S3Error } from "./s3_errors.ts";

export interface RequestedChecksum {
  algorithm: ChecksumAlgorithm;
  /** The base64 value from a header; undefined when it comes in a trailer or is only computed. */
  expected?: string;
  /** The trailer header carrying the value (`x-amz-checksum-crc32`), when sent as a trailer. */
  trailerName?: string;
}

function algorithmFrom(name: string): ChecksumAlgorithm {
  const algorithm = parseChecksumAlgorithm(name);
  if (algorithm === undefined) {
    throw new S3Error("InvalidArgument", `Cannot use checksum algorithm "${name}": not supported`);
  }
  return algorithm;
}

export function requestedChecksum(
  headers: Headers,
  options: { includeHeaders: boolean } = { includeHeaders: true },
): RequestedChecksum | undefined {
  const found: RequestedChecksum[] = [];
  for (const algorithm of options.includeHeaders ? checksumAlgorithms : []) {
    const value = headers.get(`x-amz-checksum-${algorithm.toLowerCase()}`);
    if (value === null) continue;
    decodeChecksum(algorithm, value.trim()); // InvalidRequest now, not after the whole body
    found.push({ algorithm, expected: value.trim() });
  }
  const trailer = headers.get("x-amz-trailer");
  if (trailer !== null) {
    for (const name of trailer.split(",").map((n) => n.trim().toLowerCase())) {
      if (name.startsWith("x-amz-checksum-")) {
        found.push({
          algorithm: algorithmFrom(name.slice("x-amz-checksum-".length)),
          trailerName: name,
        });
      }
    }
  }
  if (found.length > 1) {
    throw new S3Error(
      "InvalidRequest",
      "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
    );
  }
  if (found.length === 1) return found[0];
  const sdkAlgorithm = headers.get("x-amz-sdk-checksum-algorithm");
  return sdkAlgorithm === null ? undefined : { algorithm: algorithmFrom(sdkAlgorithm) };
}

/**
 * Computes the checksum as bytes pass; at the end compares it with the header or trailer value
 * (BadDigest when different) and reports it through `onDigest` — before the stream closes.
 */
export function checksumStream(
  requested: RequestedChecksum,
  options: {
    trailers?: Promise<Headers>;
    onDigest: (algorithm: ChecksumAlgorithm, base64: string) => void;
  },
): TransformStream<Uint8Array, Uint8Array> {
  const checksum = createChecksum(requested.algorithm);
  return new TransformStream({
    transform(bytes, controller) {
      checksum.update(bytes);
      controller.enqueue(bytes);
    },
    async flush() {
      const actual = btoa(String.fromCharCode(...checksum.digest()));
      const expected = requested.trailerName !== undefined
        ? (await options.trailers)?.get(requested.trailerName) ?? undefined
        : requested.expected;
      if (requested.trailerName !== undefined && expected === undefined) {
        throw new S3Error(
          "MalformedTrailerError",
          `The trailer ${requested.trailerName} was not sent`,
        );
      }
      if (expected !== undefined) verifyChecksum(requested.algorithm, expected, actual);
      options.onDigest(requested.algorithm, actual);
    },
  });
}
