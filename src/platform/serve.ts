/**
 * An HTTP server for a Web-standard fetch handler, on Deno.serve or Bun.serve.
 */

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
  if (g.Bun) return serveBun(g.Bun, options);
  if (g.Deno) return serveDeno(g.Deno, options);
  throw new Error("Cannot start HTTP server: neither Deno nor Bun is the runtime");
}

// deno-lint-ignore no-explicit-any
function serveDeno(deno: any, options: ServeOptions): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    try {
      const server = deno.serve({
        hostname: options.hostname,
        port: options.port,
        ...(options.tls ?? {}),
        onListen: ({ port }: { port: number }) => resolve({ port, shutdown: () => server.shutdown() }),
        onError: (error: unknown) => {
          console.error(error);
          return new Response("Internal Server Error", { status: 500 });
        },
      }, (request: Request, info: { remoteAddr: { hostname: string } }) =>
        options.fetch(request, { remoteAddress: info.remoteAddr.hostname }));
    } catch (error) {
      reject(error);
    }
  });
}

// deno-lint-ignore no-explicit-any
function serveBun(bun: any, options: ServeOptions): Promise<HttpServer> {
  const server = bun.serve({
    hostname: options.hostname,
    port: options.port,
    tls: options.tls,
    idleTimeout: 120,
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    // deno-lint-ignore no-explicit-any
    fetch: (request: Request, srv: any) =>
      options.fetch(request, { remoteAddress: srv.requestIP(request)?.address ?? "" }),
  });
  return Promise.resolve({ port: server.port, shutdown: () => server.stop(false) });
}
