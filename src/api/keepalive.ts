/**
 * Long operations answered the way S3 answers them: when the work finishes within one interval,
 * its response goes out as it is; otherwise a 200 with the headers goes out at once, then a
 * space every interval so that client and proxy idle timeouts do not cut the connection, then
 * the result document — or an <Error> document when the work failed (the SDKs read the body of
 * a 200 CompleteMultipartUpload for an Error).
 */
import { keepaliveIntervalMs } from "../limits.ts";
import type { RequestContext } from "./context.ts";
import { errorResponse } from "./responses.ts";
import { S3Error, toS3Error } from "./s3_errors.ts";

export interface KeepaliveOptions {
  intervalMs: number;
  /** For the error document of a failure after the 200 went out. */
  resource: string;
  requestId: string;
  /** Unknown failures after the 200 went out are logged here. */
  log: (line: object) => void;
}

/** The options for an operation on this request's object. */
export function keepaliveOptions(context: RequestContext): KeepaliveOptions {
  const { bucket, key } = context.operation;
  return {
    intervalMs: context.options.keepaliveIntervalMs ?? keepaliveIntervalMs,
    resource: `/${bucket}/${key}`,
    requestId: context.requestId,
    log: context.options.log ?? ((line) => console.error(JSON.stringify(line))),
  };
}

const space = new Uint8Array([0x20]);
const xmlDeclaration = '<?xml version="1.0" encoding="UTF-8"?>';

function withoutDeclaration(document: string): string {
  return document.replace(/^\s*<\?xml[^?]*\?>\s*/, "");
}

export async function withKeepalive(
  work: Promise<Response>,
  options: KeepaliveOptions,
): Promise<Response> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = Symbol("late");
  const first = await Promise.race([
    work,
    new Promise<typeof late>((resolve) =>
      timer = setTimeout(() => resolve(late), options.intervalMs)
    ),
  ]).finally(() => clearTimeout(timer));
  if (first !== late) return first;
  return new Response(streamWhileWorking(work, options), {
    status: 200,
    headers: { "Content-Type": "application/xml" },
  });
}

function streamWhileWorking(
  work: Promise<Response>,
  options: KeepaliveOptions,
): ReadableStream<Uint8Array> {
  let interval: ReturnType<typeof setInterval> | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      // The declaration goes first: whitespace may follow it, but may not precede it.
      controller.enqueue(new TextEncoder().encode(xmlDeclaration + "\n"));
      interval = setInterval(() => controller.enqueue(space), options.intervalMs);
      work.then((response) => response.text(), (error) => errorDocument(error, options))
        .then((text) => {
          clearInterval(interval);
          controller.enqueue(new TextEncoder().encode(withoutDeclaration(text)));
          controller.close();
        });
    },
    cancel() {
      clearInterval(interval);
    },
  });
}

async function errorDocument(error: unknown, options: KeepaliveOptions): Promise<string> {
  let s3Error = toS3Error(error);
  if (s3Error === undefined) {
    options.log({ level: "error", requestId: options.requestId, error: String(error) });
    s3Error = new S3Error("InternalError");
  }
  const response = errorResponse(s3Error, {
    resource: options.resource,
    requestId: options.requestId,
    method: "POST",
  });
  return await response.text();
}
