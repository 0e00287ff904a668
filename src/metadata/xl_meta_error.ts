/**
 * The one error type of the metadata codecs: what a drive can hand us (truncated, corrupt,
 * from an unknown future format) is reported as an `XlMetaError`, never as a crash.
 */

export type XlMetaErrorCode =
  /** Not an xl.meta file at all (wrong magic, too short). */
  | "notXlMeta"
  /** A format, header or meta version newer than this code reads. */
  | "unsupportedVersion"
  /** The stored CRC does not match the payload. */
  | "crcMismatch"
  /** Lengths, types or values that do not make a valid file (includes truncation). */
  | "corrupt";

export class XlMetaError extends Error {
  readonly code: XlMetaErrorCode;
  constructor(code: XlMetaErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "XlMetaError";
    this.code = code;
  }
}
