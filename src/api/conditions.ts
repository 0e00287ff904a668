/**
 * Conditional requests: If-Match / If-None-Match / If-Modified-Since / If-Unmodified-Since on
 * GET and HEAD in S3's precedence (RFC 7232 §6), and the x-amz-copy-source-if-* variants of
 * CopyObject / UploadPartCopy, where every failure is 412.
 */

export type ConditionOutcome = "proceed" | "not-modified" | "precondition-failed";

export interface ConditionHeaders {
  ifMatch: string | null;
  ifNoneMatch: string | null;
  ifModifiedSince: string | null;
  ifUnmodifiedSince: string | null;
}

export interface ConditionTarget {
  /** Unquoted ETag. */
  etag: string;
  modTime: Date;
}

export function readConditions(headers: Headers): ConditionHeaders {
  return {
    ifMatch: headers.get("if-match"),
    ifNoneMatch: headers.get("if-none-match"),
    ifModifiedSince: headers.get("if-modified-since"),
    ifUnmodifiedSince: headers.get("if-unmodified-since"),
  };
}

export function readCopySourceConditions(headers: Headers): ConditionHeaders {
  return {
    ifMatch: headers.get("x-amz-copy-source-if-match"),
    ifNoneMatch: headers.get("x-amz-copy-source-if-none-match"),
    ifModifiedSince: headers.get("x-amz-copy-source-if-modified-since"),
    ifUnmodifiedSince: headers.get("x-amz-copy-source-if-unmodified-since"),
  };
}

/**
 * GET / HEAD: If-Match (else If-Unmodified-Since) fails with 412; then If-None-Match (else
 * If-Modified-Since) answers 304. A true If-Match makes If-Unmodified-Since irrelevant, and a
 * present If-None-Match makes If-Modified-Since irrelevant.
 */
export function evaluateConditions(
  conditions: ConditionHeaders,
  target: ConditionTarget,
): ConditionOutcome {
  if (conditions.ifMatch !== null) {
    if (!etagListMatches(conditions.ifMatch, target.etag)) return "precondition-failed";
  } else if (conditions.ifUnmodifiedSince !== null) {
    const since = parseHttpDate(conditions.ifUnmodifiedSince);
    if (since !== undefined && wholeSeconds(target.modTime) > since) return "precondition-failed";
  }
  if (conditions.ifNoneMatch !== null) {
    if (etagListMatches(conditions.ifNoneMatch, target.etag)) return "not-modified";
  } else if (conditions.ifModifiedSince !== null) {
    const since = parseHttpDate(conditions.ifModifiedSince);
    if (since !== undefined && wholeSeconds(target.modTime) <= since) return "not-modified";
  }
  return "proceed";
}

/** Copy-source conditions: the same tests, but a 304 outcome is a 412 for copies. */
export function evaluateCopySourceConditions(
  conditions: ConditionHeaders,
  target: ConditionTarget,
): "proceed" | "precondition-failed" {
  return evaluateConditions(conditions, target) === "proceed" ? "proceed" : "precondition-failed";
}

/** `"a", W/"b", *` against an unquoted ETag. */
export function etagListMatches(list: string, etag: string): boolean {
  return list.split(",").some((item) => {
    const candidate = item.trim().replace(/^W\//, "");
    return candidate === "*" || unquoteEtag(candidate) === etag;
  });
}

export function unquoteEtag(etag: string): string {
  return etag.trim().replace(/^"(.*)"$/, "$1");
}

/** Milliseconds since the epoch of an HTTP date (RFC 7231 IMF-fixdate and the obsolete forms). */
export function parseHttpDate(text: string): number | undefined {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function wholeSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000) * 1000;
}
