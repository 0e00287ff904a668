/**
 * The S3 HTTP API: a Hono app whose one catch-all handler routes the request to an S3 operation
 * (before auth), verifies the signature, authorizes, runs the operation and answers with AWS's
 * headers and error documents. Health endpoints answer without auth.
 */
import { Hono } from "hono";
import { type CredentialStore, verifyRequest } from "../auth/mod.ts";
import { hash, randomUuid as platformRandomUuid } from "../platform/crypto.ts";
import { authorize } from "./authorize.ts";
import { credentialStore } from "./credentials.ts";
import type { AppOptions, RequestContext } from "./context.ts";
import { handlers } from "./handlers.ts";
import { corsHeadersFor } from "./operations/cors.ts";
import { errorResponse } from "./responses.ts";
import { routeRequest, type S3Operation } from "./router.ts";
import { S3Error, toS3Error } from "./s3_errors.ts";

export type { AppOptions } from "./context.ts";

export function createApp(options: AppOptions): Hono {
  const app = new Hono();
  const credentials = credentialStore(options.credentials);
  app.get("/minio/health/live", () => new Response(null, { status: 200 }));
  app.get("/minio/health/ready", () => new Response(null, { status: 200 }));
  app.all("*", (c) => {
    // serveHttp passes `{ remoteAddress }` as the second fetch argument, which Hono calls env.
    const env = c.env as { remoteAddress?: string } | undefined;
    return handleS3Request(c.req.raw, { options, credentials, remoteAddress: env?.remoteAddress });
  });
  return app;
}

/** AWS-style request ids: 16 uppercase hex digits, and a longer base64 "host id". */
function requestIds(options: AppOptions): { requestId: string; hostId: string } {
  const uuid = (options.randomUuid ?? platformRandomUuid)();
  const requestId = uuid.replace(/-/g, "").slice(0, 16).toUpperCase();
  const hostId = btoa(String.fromCharCode(...hash("sha256", uuid)));
  return { requestId, hostId };
}

function nowFrom(options: AppOptions): Date {
  return new Date(Number(options.clock.nowNs() / 1_000_000n));
}

interface Server {
  options: AppOptions;
  credentials: CredentialStore;
  remoteAddress?: string;
}

/** One S3 request, start to end: route, verify, authorize, run, answer, log. */
export async function handleS3Request(request: Request, server: Server): Promise<Response> {
  const { options } = server;
  const started = nowFrom(options);
  const { requestId, hostId } = requestIds(options);
  const url = new URL(request.url);
  const outcome = await runOperation(request, { url, server, requestId, started });
  const response = await finishResponse(outcome.response, {
    context: outcome.context,
    requestId,
    hostId,
  });
  options.log?.({
    time: started.toISOString(),
    requestId,
    method: request.method,
    path: url.pathname,
    operation: outcome.operation?.name,
    payload: outcome.context?.verified.payload.kind,
    status: response.status,
    durationMs: nowFrom(options).getTime() - started.getTime(),
  });
  return response;
}

/** Route (before auth), verify the signature, authorize, run the handler; failures become S3 errors. */
async function runOperation(
  request: Request,
  at: { url: URL; server: Server; requestId: string; started: Date },
): Promise<{ response: Response; operation?: S3Operation; context?: RequestContext }> {
  const { url, server, requestId, started } = at;
  const { options } = server;
  let operation: S3Operation | undefined;
  let context: RequestContext | undefined;
  try {
    operation = routeRequest(request.method, url, request.headers, options);
    const verified = verifyRequest(
      {
        method: request.method,
        rawPath: url.pathname,
        rawQuery: url.search.slice(1),
        headers: request.headers,
      },
      { credentials: server.credentials, nowMs: started.getTime() },
    );
    context = {
      options,
      objects: options.objects,
      request,
      url,
      operation,
      verified,
      requestId,
      now: started,
      remoteAddress: server.remoteAddress,
    };
    await authorize(context);
    return { response: await handlers[operation.name](context), operation, context };
  } catch (error) {
    const response = failureResponse(error, { request, url, requestId, options });
    return { response, operation, context };
  }
}

function failureResponse(
  error: unknown,
  options: { request: Request; url: URL; requestId: string; options: AppOptions },
): Response {
  let s3Error = toS3Error(error);
  if (s3Error === undefined) {
    const log = options.options.log ?? ((line: object) => console.error(JSON.stringify(line)));
    log({
      level: "error",
      requestId: options.requestId,
      method: options.request.method,
      path: options.url.pathname,
      error: String(error),
      stack: error instanceof Error ? error.stack : undefined,
    });
    s3Error = new S3Error("InternalError");
  }
  if (!options.request.bodyUsed) options.request.body?.cancel().catch(() => {});
  return errorResponse(s3Error, {
    resource: decodeResource(options.url.pathname),
    requestId: options.requestId,
    method: options.request.method,
  });
}

function decodeResource(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Request ids, Server, and CORS headers when the bucket's rules allow the Origin. */
async function finishResponse(
  response: Response,
  options: { context?: RequestContext; requestId: string; hostId: string },
): Promise<Response> {
  const headers = new Headers(response.headers);
  headers.set("x-amz-request-id", options.requestId);
  headers.set("x-amz-id-2", options.hostId);
  headers.set("Server", "aistor");
  if (options.context !== undefined && options.context.operation.name !== "PreflightCors") {
    const cors = await corsHeadersFor(options.context);
    cors?.forEach((value, name) => headers.set(name, value));
  }
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}
