/**
 * Building responses: S3 XML bodies, empty answers, error bodies, and the date formats S3 uses.
 */
import { el } from "./xml.ts";
import type { S3Error } from "./s3_errors.ts";

export function xmlResponse(
  body: string,
  options: { status?: number; headers?: HeadersInit } = {},
): Response {
  const headers = new Headers(options.headers);
  headers.set("Content-Type", "application/xml");
  return new Response(body, { status: options.status ?? 200, headers });
}

export function emptyResponse(status: number, headers?: HeadersInit): Response {
  return new Response(null, { status, headers });
}

/** The S3 error document (HEAD requests get the status and headers only). */
export function errorResponse(
  error: S3Error,
  options: { resource: string; requestId: string; method: string },
): Response {
  const headers = new Headers(error.headers);
  if (options.method === "HEAD" || error.status === 304) {
    return new Response(null, { status: error.status, headers });
  }
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n` +
    el(
      "Error",
      el("Code", error.code),
      el("Message", error.message),
      el("Resource", options.resource),
      el("RequestId", options.requestId),
    ).xml;
  headers.set("Content-Type", "application/xml");
  return new Response(body, { status: error.status, headers });
}

/** RFC 7231 IMF-fixdate, as in Last-Modified. */
export function httpDate(date: Date): string {
  return date.toUTCString();
}

/** ISO 8601 with milliseconds, as in listing XML. */
export function isoDate(date: Date): string {
  return date.toISOString();
}

export function quoteEtag(etag: string): string {
  return `"${etag}"`;
}
