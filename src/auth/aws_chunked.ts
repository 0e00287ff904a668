/**
 * Decoder for `Content-Encoding: aws-chunked` request bodies:
 *
 * - `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: `hex-size;chunk-signature=<sig>\r\n<data>\r\n`, ending
 *   with a zero-size chunk; each signature chains from the previous one (the first from the seed
 *   signature of the Authorization header).
 * - `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: the same, then trailer lines and a signed
 *   `x-amz-trailer-signature` line.
 * - `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: `hex-size\r\n<data>\r\n` chunks, then unsigned trailers.
 *
 * Data is passed on as it arrives (memory is bounded by the line buffer, not the chunk size);
 * a chunk whose signature does not match fails the stream before it can end, so a consumer
 * that commits only on a clean end never stores forged bytes.
 */
import { awsChunkLineMaxBytes, awsChunkMaxBytes, awsChunkTrailersMax } from "../limits.ts";
import { createHash, type IncrementalHash } from "../platform/crypto.ts";
import { AuthError } from "./auth_error.ts";
import type { PayloadMode } from "./sigv4.ts";
import {
  emptySha256Hex,
  sha256Hex,
  signatureHex,
  signaturesEqual,
  type SigningContext,
} from "./sigv4_signing.ts";
import { toHex } from "./uri_encoding.ts";

export type AwsChunkedMode = Extract<
  PayloadMode,
  { kind: "aws-chunked-signed" } | { kind: "aws-chunked-unsigned-trailer" }
>;

/** A transform stream (encoded body in, object bytes out) plus the trailers once it ends. */
export interface AwsChunkedDecoder {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
  /** Trailing headers (e.g. `x-amz-checksum-crc32`), resolved when the body ended cleanly. */
  trailers: Promise<Headers>;
}

const trailerSignatureName = "x-amz-trailer-signature";

export function createAwsChunkedDecoder(mode: AwsChunkedMode): AwsChunkedDecoder {
  const parser = new ChunkedParser(mode);
  let resolveTrailers!: (headers: Headers) => void;
  let rejectTrailers!: (error: unknown) => void;
  const trailers = new Promise<Headers>((resolve, reject) => {
    resolveTrailers = resolve;
    rejectTrailers = reject;
  });
  trailers.catch(() => {}); // the stream itself reports the error; avoid an unhandled rejection
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    transform(bytes, controller) {
      try {
        parser.push(bytes, (data) => controller.enqueue(data));
      } catch (error) {
        rejectTrailers(error);
        throw error;
      }
    },
    flush() {
      try {
        resolveTrailers(parser.finish());
      } catch (error) {
        rejectTrailers(error);
        throw error;
      }
    },
    cancel(reason) {
      rejectTrailers(reason);
    },
  });
  return { readable: stream.readable, writable: stream.writable, trailers };
}

type State = "header" | "data" | "data-cr" | "data-lf" | "trailer" | "done";

/** The framing state machine; `push` may be called with any split of the body. */
class ChunkedParser {
  #state: State = "header";
  #line: number[] = [];
  #remainingBytes = 0;
  #decodedBytes = 0;
  #chunkSignature = "";
  #chunkHash: IncrementalHash | undefined;
  #previousSignature: string;
  #trailers = new Headers();
  #trailerLines: string[] = [];
  #trailerSignature: string | undefined;

  constructor(readonly mode: AwsChunkedMode) {
    this.#previousSignature = mode.kind === "aws-chunked-signed" ? mode.seedSignature : "";
  }

  push(bytes: Uint8Array, emit: (data: Uint8Array) => void): void {
    let offset = 0;
    while (offset < bytes.length) {
      if (this.#state === "data") {
        offset = this.#consumeData(bytes, offset, emit);
      } else if (this.#state === "data-cr" || this.#state === "data-lf") {
        this.#consumeDataEnd(bytes[offset++]);
      } else if (this.#state === "done") {
        throw malformedChunk("Cannot accept bytes after the end of an aws-chunked body");
      } else {
        offset = this.#consumeLineByte(bytes, offset);
      }
    }
  }

  finish(): Headers {
    if (this.#state !== "done") {
      throw new AuthError("IncompleteBody", "The aws-chunked body ended before its final chunk");
    }
    return this.#trailers;
  }

  #consumeData(bytes: Uint8Array, offset: number, emit: (data: Uint8Array) => void): number {
    const take = Math.min(this.#remainingBytes, bytes.length - offset);
    const data = bytes.subarray(offset, offset + take);
    this.#chunkHash?.update(data);
    this.#remainingBytes -= take;
    this.#decodedBytes += take;
    if (this.#decodedBytes > this.mode.decodedLengthBytes) {
      throw new AuthError(
        "IncompleteBody",
        `Cannot accept more than x-amz-decoded-content-length (${this.mode.decodedLengthBytes}) bytes`,
      );
    }
    if (take > 0) emit(data);
    if (this.#remainingBytes === 0) this.#state = "data-cr";
    return offset + take;
  }

  #consumeDataEnd(byte: number): void {
    const expected = this.#state === "data-cr" ? 0x0d : 0x0a;
    if (byte !== expected) throw malformedChunk("Cannot find CRLF after chunk data");
    if (this.#state === "data-cr") {
      this.#state = "data-lf";
      return;
    }
    this.#verifyChunkSignature();
    this.#state = "header";
  }

  /** Accumulates one CRLF-terminated line (header or trailer), then handles it. */
  #consumeLineByte(bytes: Uint8Array, offset: number): number {
    const byte = bytes[offset];
    if (byte === 0x0a) {
      const last = this.#line.length - 1;
      if (last < 0 || this.#line[last] !== 0x0d) {
        throw malformedChunk("Cannot find CR before LF in an aws-chunked line");
      }
      const line = String.fromCharCode(...this.#line.slice(0, last));
      this.#line = [];
      if (this.#state === "header") this.#handleChunkHeader(line);
      else this.#handleTrailerLine(line);
      return offset + 1;
    }
    if (this.#line.length >= awsChunkLineMaxBytes) {
      throw malformedChunk(
        `Cannot accept an aws-chunked line longer than ${awsChunkLineMaxBytes} bytes`,
      );
    }
    this.#line.push(byte);
    return offset + 1;
  }

  #handleChunkHeader(line: string): void {
    const [sizeText, ...extensions] = line.split(";");
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) {
      throw malformedChunk(`Cannot parse chunk size "${sizeText}"`);
    }
    const sizeBytes = parseInt(sizeText, 16);
    if (sizeBytes > awsChunkMaxBytes) {
      throw malformedChunk(
        `Cannot accept a chunk of ${sizeBytes} bytes: the limit is ${awsChunkMaxBytes}`,
      );
    }
    this.#chunkSignature = this.#signatureFrom(extensions);
    this.#chunkHash = this.mode.kind === "aws-chunked-signed" ? createHash("sha256") : undefined;
    if (sizeBytes === 0) {
      this.#verifyChunkSignature();
      this.#state = "trailer";
      return;
    }
    this.#remainingBytes = sizeBytes;
    this.#state = "data";
  }

  #signatureFrom(extensions: string[]): string {
    const signature = extensions
      .map((e) => e.trim())
      .find((e) => e.startsWith("chunk-signature="))
      ?.slice("chunk-signature=".length);
    if (this.mode.kind !== "aws-chunked-signed") return "";
    if (signature === undefined || !/^[0-9a-f]{64}$/.test(signature)) {
      throw new AuthError("SignatureDoesNotMatch", "A chunk has no valid chunk-signature");
    }
    return signature;
  }

  #verifyChunkSignature(): void {
    if (this.mode.kind !== "aws-chunked-signed") return;
    const dataHashHex = this.#chunkHash === undefined
      ? emptySha256Hex
      : toHex(this.#chunkHash.digest());
    const expected = chunkSignature(this.mode.signing, this.#previousSignature, dataHashHex);
    if (!signaturesEqual(expected, this.#chunkSignature)) {
      throw new AuthError(
        "SignatureDoesNotMatch",
        "The chunk signature we calculated does not match the signature you provided.",
      );
    }
    this.#previousSignature = this.#chunkSignature;
  }

  #handleTrailerLine(line: string): void {
    if (line === "") {
      this.#endTrailers();
      return;
    }
    const allowsTrailers = this.mode.kind === "aws-chunked-unsigned-trailer" || this.mode.trailer;
    if (!allowsTrailers) throw malformed("Cannot accept trailers on a body signed without them");
    if (this.#trailerLines.length >= awsChunkTrailersMax) {
      throw malformed(`Cannot accept more than ${awsChunkTrailersMax} trailer lines`);
    }
    const colon = line.indexOf(":");
    if (colon <= 0) throw malformed(`Cannot parse trailer line "${line}"`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === trailerSignatureName) {
      this.#trailerSignature = value;
      return;
    }
    if (this.#trailerSignature !== undefined || this.#trailers.has(name)) {
      throw malformed(`Cannot accept trailer "${name}" here`);
    }
    this.#trailers.set(name, value);
    this.#trailerLines.push(`${name}:${value}\n`);
  }

  #endTrailers(): void {
    this.#checkDeclaredTrailers();
    if (this.mode.kind === "aws-chunked-signed" && this.mode.trailer) {
      this.#verifyTrailerSignature();
    }
    if (this.#decodedBytes !== this.mode.decodedLengthBytes) {
      throw new AuthError(
        "IncompleteBody",
        `The body has ${this.#decodedBytes} bytes; x-amz-decoded-content-length says ${this.mode.decodedLengthBytes}`,
      );
    }
    this.#state = "done";
  }

  #checkDeclaredTrailers(): void {
    const declared = this.mode.trailerNames;
    for (const name of this.#trailers.keys()) {
      if (!declared.includes(name)) {
        throw malformed(`Cannot accept trailer "${name}": not declared in x-amz-trailer`);
      }
    }
    for (const name of declared) {
      if (!this.#trailers.has(name)) {
        throw malformed(`Cannot find trailer "${name}" declared in x-amz-trailer`);
      }
    }
  }

  #verifyTrailerSignature(): void {
    if (this.mode.kind !== "aws-chunked-signed") return;
    const given = this.#trailerSignature;
    const expected = trailerSignature(
      this.mode.signing,
      this.#previousSignature,
      sha256Hex(this.#trailerLines.join("")),
    );
    if (given === undefined || !signaturesEqual(expected, given)) {
      throw new AuthError(
        "SignatureDoesNotMatch",
        "The trailer signature we calculated does not match the signature you provided.",
      );
    }
  }
}

function malformed(message: string): AuthError {
  return new AuthError("MalformedTrailerError", message);
}

function malformedChunk(message: string): AuthError {
  return new AuthError("InvalidRequest", message);
}

/** Signature of one chunk: `AWS4-HMAC-SHA256-PAYLOAD` string to sign over the chunk's SHA-256. */
export function chunkSignature(
  signing: SigningContext,
  previousSignature: string,
  dataSha256Hex: string,
): string {
  const stringToSign = [
    "AWS4-HMAC-SHA256-PAYLOAD",
    signing.amzDate,
    signing.scope,
    previousSignature,
    emptySha256Hex,
    dataSha256Hex,
  ].join("\n");
  return signatureHex(signing.signingKey, stringToSign);
}

/** Signature of the trailer: `AWS4-HMAC-SHA256-TRAILER` over the SHA-256 of `name:value\n` lines. */
export function trailerSignature(
  signing: SigningContext,
  previousSignature: string,
  trailerSha256Hex: string,
): string {
  const stringToSign = [
    "AWS4-HMAC-SHA256-TRAILER",
    signing.amzDate,
    signing.scope,
    previousSignature,
    trailerSha256Hex,
  ].join("\n");
  return signatureHex(signing.signingKey, stringToSign);
}
