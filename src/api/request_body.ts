/**
 * Request bodies, decoded and checked while they stream: aws-chunked framing (chunk signatures,
 * trailers), the x-amz-content-sha256 hash, and x-amz-checksum-* values from headers or trailers.
 * A failed check errors the stream before it ends, so the object layer never commits the write.
 */
import { xmlBodyMaxBytes } from "../limits.ts";
import { createAwsChunkedDecoder, createPayloadHashVerifier } from "../auth/mod.ts";
import { hash } from "../platform/crypto.ts";
import { md5HexFromHeader } from "./object_headers.ts";
import type { RequestContext } from "./context.ts";
import { S3Error } from "./s3_errors.ts";
import { checksumStream, requestedChecksum } from "./checksums.ts";

export interface ObjectBody {
  stream: ReadableStream<Uint8Array>;
  /** Declared decoded size, or -1 when unknown. */
  sizeBytes: number;
  /**
   * Checksums of the body by algorithm: filled in when the stream ends (a trailer's value is
   * only known then), before it closes — the object layer reads it after draining the stream.
   */
  checksums: Record<string, string>;
  checksumType?: string;
}

function emptyStream(): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (controller) => controller.close() });
}

/**
 * The request body as sent; a failed read (the client went away, the connection broke) becomes
 * IncompleteBody, an operating condition, instead of a runtime-specific error.
 */
export function clientBody(request: Request): ReadableStream<Uint8Array> {
  if (request.body === null) return emptyStream();
  const reader = request.body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (cause) {
        throw new S3Error(
          "IncompleteBody",
          "Cannot read the request body: the connection ended early",
          {
            cause,
          },
        );
      }
      if (result.done) controller.close();
      else controller.enqueue(result.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/** The decoded body bytes, as the client meant them, verified as they pass. */
export function decodedBody(context: RequestContext): {
  stream: ReadableStream<Uint8Array>;
  trailers?: Promise<Headers>;
  sizeBytes: number;
} {
  const raw = clientBody(context.request);
  const payload = context.verified.payload;
  switch (payload.kind) {
    case "unsigned":
      return { stream: raw, sizeBytes: declaredLength(context.request.headers) };
    case "sha256":
      return {
        stream: raw.pipeThrough(createPayloadHashVerifier(payload.hex)),
        sizeBytes: declaredLength(context.request.headers),
      };
    case "aws-chunked-signed":
    case "aws-chunked-unsigned-trailer": {
      const decoder = createAwsChunkedDecoder(payload);
      return {
        stream: raw.pipeThrough(decoder),
        trailers: decoder.trailers,
        sizeBytes: payload.decodedLengthBytes,
      };
    }
  }
}

function declaredLength(headers: Headers): number {
  const text = headers.get("content-length");
  if (text === null) return -1;
  if (!/^\d+$/.test(text)) {
    throw new S3Error("InvalidArgument", `Cannot read Content-Length "${text}"`);
  }
  return Number(text);
}

/** An object body (PutObject, UploadPart): size bound, checksum verified and recorded. */
export function objectBody(context: RequestContext, options: { sizeMaxBytes: number }): ObjectBody {
  const { stream, trailers, sizeBytes } = decodedBody(context);
  if (sizeBytes > options.sizeMaxBytes) {
    throw new S3Error(
      "EntityTooLarge",
      `Cannot accept ${sizeBytes} bytes: the maximum allowed size is ${options.sizeMaxBytes} bytes`,
    );
  }
  if (sizeBytes === -1 && !context.request.headers.has("transfer-encoding")) {
    throw new S3Error("MissingContentLength");
  }
  const requested = requestedChecksum(context.request.headers);
  const checksums: Record<string, string> = {};
  if (requested === undefined) return { stream, sizeBytes, checksums };
  const checked = stream.pipeThrough(checksumStream(requested, {
    trailers,
    onDigest: (algorithm, value) => checksums[algorithm] = value,
  }));
  return { stream: checked, sizeBytes, checksums, checksumType: "FULL_OBJECT" };
}

/** A small body (XML configuration, policy JSON) read whole, at most `xmlBodyMaxBytes`. */
export async function readBodyBytes(
  context: RequestContext,
  maxBytes = xmlBodyMaxBytes,
  options: { checksumHeadersDescribeBody: boolean } = { checksumHeadersDescribeBody: true },
): Promise<Uint8Array> {
  const { stream: decoded, trailers } = decodedBody(context);
  const requested = requestedChecksum(context.request.headers, {
    includeHeaders: options.checksumHeadersDescribeBody,
  });
  const stream = requested === undefined
    ? decoded
    : decoded.pipeThrough(checksumStream(requested, { trailers, onDigest: () => {} }));
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += chunk.length;
    if (total > maxBytes) {
      throw new S3Error(
        "MaxMessageLengthExceeded",
        `Cannot read a request body over ${maxBytes} bytes`,
      );
    }
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  checkContentMd5(context.request.headers.get("content-md5"), bytes);
  return bytes;
}

function checkContentMd5(header: string | null, bytes: Uint8Array): void {
  const expectedHex = md5HexFromHeader(header);
  if (expectedHex === undefined) return;
  const actualHex = [...hash("md5", bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
  if (actualHex !== expectedHex) throw new S3Error("BadDigest");
}

/**
 * `checksumHeadersDescribeBody: false` for CompleteMultipartUpload, whose `x-amz-checksum-*`
 * header is the whole object's checksum, not the XML body's (a trailer still checks the body).
 */
export async function readBodyText(
  context: RequestContext,
  maxBytes = xmlBodyMaxBytes,
  options: { checksumHeadersDescribeBody: boolean } = { checksumHeadersDescribeBody: true },
): Promise<string> {
  const bytes = await readBodyBytes(context, maxBytes, options);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new S3Error("MalformedXML", "Cannot read the request body: not UTF-8", { cause });
  }
}
