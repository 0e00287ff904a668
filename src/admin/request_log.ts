/**
 * Wraps the S3 API's fetch handler: names each request's operation with the API's own router,
 * counts bytes in (Content-Length) and out (the response body as it streams), and when the
 * last byte has gone (or the client went away) records metrics and, when asked, writes one
 * structured JSON line.
 */
import { routeRequest } from "../api/router.ts";
import type { ServerMetrics } from "./server_metrics.ts";

export type FetchHandler = (
  request: Request,
  info: { remoteAddress: string },
) => Response | Promise<Response>;

export interface RequestLogLine {
  time: string;
  requestId: string;
  api: string;
  method: string;
  bucket: string;
  key: string;
  status: number;
  bytesIn: number;
  bytesOut: number;
  durationMs: number;
  remoteAddress: string;
}

export interface InstrumentOptions {
  metrics: ServerMetrics;
  /** Virtual-host domains, so that requests are named as the API routes them. */
  domains: string[];
  clock: { nowMs(): number };
  /** One line per request when given (`--log-requests`). */
  log?: (line: RequestLogLine) => void;
}

export function instrumentFetch(fetch: FetchHandler, options: InstrumentOptions): FetchHandler {
  return async (request, info) => {
    const startedMs = options.clock.nowMs();
    const { api, bucket, key } = nameRequest(request, options.domains);
    options.metrics.inflight.add({ api }, 1);
    const bytesIn = Number(request.headers.get("content-length") ?? 0) || 0;
    let response: Response;
    try {
      response = await fetch(request, info);
    } catch (error) {
      options.metrics.inflight.add({ api }, -1);
      throw error;
    }
    let finished = false;
    const finish = (bytesOut: number) => {
      if (finished) return;
      finished = true;
      const durationMs = options.clock.nowMs() - startedMs;
      options.metrics.inflight.add({ api }, -1);
      options.metrics.recordRequest({
        api,
        status: response.status,
        bytesIn,
        bytesOut,
        durationMs,
      });
      options.log?.({
        time: new Date(startedMs).toISOString(),
        requestId: response.headers.get("x-amz-request-id") ?? "",
        api,
        method: request.method,
        bucket,
        key,
        status: response.status,
        bytesIn,
        bytesOut,
        durationMs,
        remoteAddress: info.remoteAddress,
      });
    };
    if (response.body === null) {
      finish(0);
      return response;
    }
    return new Response(countBytes(response.body, finish), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/** The S3 operation, bucket and key as the API's router sees them; "Unknown" when it refuses. */
export function nameRequest(
  request: Request,
  domains: string[],
): { api: string; bucket: string; key: string } {
  try {
    const url = new URL(request.url);
    const operation = routeRequest(request.method, url, request.headers, { domains });
    return { api: operation.name, bucket: operation.bucket, key: operation.key };
  } catch {
    return { api: "Unknown", bucket: "", key: "" };
  }
}

function countBytes(
  body: ReadableStream<Uint8Array>,
  finish: (bytes: number) => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let bytes = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          finish(bytes);
          return;
        }
        bytes += value.byteLength;
        controller.enqueue(value);
      } catch (error) {
        finish(bytes);
        controller.error(error);
      }
    },
    async cancel(reason) {
      finish(bytes);
      await reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
