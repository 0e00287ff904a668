/**
 * An HTTP server for a Web-standard fetch handler: Deno.serve under Deno, node:http under Bun.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import { Readable } from "node:stream";

/** Readable.toWeb exists on Node ≥ 17 and Bun; the bundled types lack it. */
const toWebStream = (readable: Readable) =>
  (Readable as unknown as { toWeb(r: Readable): ReadableStream<Uint8Array> }).toWeb(readable);

export interface ServeOptions {
  hostname: string;
  port: number;
  /** PEM certificate chain and key: serve HTTPS. */
  tls?: { cert: string; key: string };
  fetch: (request: Request, info: { remoteAddress: string }) => Response | Promise<Response>;
}

export interface HttpServer {
  /** The bound port (useful with port 0). */
  readonly port: number;
  /** Stop accepting connections and wait for in-flight requests to finish. */
  shutdown(): Promise<void>;
}

export function serveHttp(options: ServeOptions): Promise<HttpServer> {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  if (g.Bun) return serveNodeHttp(options);
  if (g.Deno) return serveDeno(g.Deno, options);
  throw new Error("Cannot start HTTP server: neither Deno nor Bun is the runtime");
}

// deno-lint-ignore no-explicit-any
function serveDeno(deno: any, options: ServeOptions): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    try {
      const server = deno.serve(
        {
          hostname: options.hostname,
          port: options.port,
          ...(options.tls ?? {}),
          onListen: ({ port }: { port: number }) =>
            resolve({ port, shutdown: () => server.shutdown() }),
          onError: (error: unknown) => {
            console.error(error);
            return new Response("Internal Server Error", { status: 500 });
          },
        },
        (request: Request, info: { remoteAddr: { hostname: string } }) =>
          options.fetch(request, { remoteAddress: info.remoteAddr.hostname }),
      );
    } catch (error) {
      reject(error);
    }
  });
}

/**
 * Under Bun, serve through node:http rather than Bun.serve: Bun.serve drops a handler-set
 * Content-Length on streamed bodies and answers with chunked encoding (oven-sh/bun#10507),
 * which S3 clients reject (s3cmd needs Content-Length on GET). node:http keeps it.
 */
function serveNodeHttp(options: ServeOptions): Promise<HttpServer> {
  const handler = (request: IncomingMessage, response: ServerResponse) =>
    void answer(options, request, response);
  const server = options.tls
    ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, handler)
    : http.createServer(handler);
  server.requestTimeout = 0; // large uploads take as long as they take
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, () => {
      server.off("error", reject);
      const address = server.address();
      resolve({
        port: typeof address === "object" && address ? address.port : options.port,
        shutdown: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          }),
      });
    });
  });
}

async function answer(options: ServeOptions, incoming: IncomingMessage, outgoing: ServerResponse) {
  const aborted = new AbortController();
  outgoing.once("close", () => aborted.abort());
  try {
    const response = await options.fetch(toRequest(incoming, options.tls !== undefined, aborted), {
      remoteAddress: incoming.socket.remoteAddress ?? "",
    });
    const headers: Record<string, string | string[]> = {};
    response.headers.forEach((value, name) => {
      headers[name] = name === "set-cookie" ? response.headers.getSetCookie() : value;
    });
    outgoing.writeHead(response.status, headers);
    if (response.body === null || incoming.method === "HEAD") {
      await response.body?.cancel();
      outgoing.end();
      return;
    }
    for await (const chunk of response.body) {
      if (aborted.signal.aborted) break;
      if (!outgoing.write(chunk)) await drained(outgoing);
    }
    outgoing.end();
  } catch (error) {
    if (!outgoing.headersSent) {
      console.error(error);
      outgoing.writeHead(500, { "content-type": "text/plain" });
    }
    outgoing.destroy();
  }
}

/** Resolves when the socket can take more, or is gone. */
function drained(outgoing: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      outgoing.off("drain", done);
      outgoing.off("close", done);
      resolve();
    };
    outgoing.on("drain", done);
    outgoing.on("close", done);
  });
}

function toRequest(incoming: IncomingMessage, secure: boolean, aborted: AbortController): Request {
  const host = incoming.headers.host ?? "localhost";
  const headers = new Headers();
  for (let i = 0; i < incoming.rawHeaders.length; i += 2) {
    headers.append(incoming.rawHeaders[i], incoming.rawHeaders[i + 1]);
  }
  const hasBody = incoming.method !== "GET" && incoming.method !== "HEAD";
  return new Request(`${secure ? "https" : "http"}://${host}${incoming.url}`, {
    method: incoming.method,
    headers,
    body: hasBody ? toWebStream(incoming) : null,
    signal: aborted.signal,
    // @ts-ignore: duplex is required for streamed request bodies, missing from older lib types
    duplex: "half",
  });
}
