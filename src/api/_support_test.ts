/**
 * Helpers for the API's SDK tests (named *_test.ts so the import rules treat it as test code;
 * it has no tests of its own).
 */
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { openObjectLayer, type ServerPools } from "../object/mod.ts";
import type { ObjectLayer } from "../object/object_layer.ts";
import { serveHttp } from "../platform/serve.ts";
import { MemoryDrive } from "../testing/memory_drive.ts";
import { parseTopology } from "../topology/mod.ts";
import { type AppOptions, createApp } from "./app.ts";

/** The S3 error code (SDK `name`) and HTTP status of a failed command. */
export async function failure(
  promise: Promise<unknown>,
): Promise<{ code: string; status: number }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; $metadata?: { httpStatusCode?: number } };
    return { code: e.name, status: e.$metadata?.httpStatusCode ?? 0 };
  }
  throw new Error("expected the request to fail, it succeeded");
}

export interface TestServerOptions {
  credentials: { accessKey: string; secretKey: string };
  clock?: { nowNs(): bigint };
  /** Wrap the real object layer (fault injection) before the app sees it. */
  objects?: (layer: ServerPools) => ObjectLayer;
  app?: Pick<Partial<AppOptions>, "domains" | "log" | "keepaliveIntervalMs">;
  /** Look at each request before the app answers it. */
  onRequest?: (request: Request) => void;
}

/**
 * The app over the real object layer on four MemoryDrives (no lifecycle timer), served on
 * 127.0.0.1 at a free port; `client()` makes SDK clients that `close()` destroys.
 */
export async function startAppServer(options: TestServerOptions) {
  const clock = options.clock ?? { nowNs: () => BigInt(Date.now()) * 1_000_000n };
  const randomUuid = () => crypto.randomUUID();
  const { layer } = await openObjectLayer({
    topology: parseTopology(["/drive{1...4}"], {}),
    makeDrive: (endpoint) => new MemoryDrive(endpoint),
    clock,
    randomUuid,
    lifecycleIntervalMs: 0,
  });
  const app = createApp({
    objects: options.objects?.(layer) ?? layer,
    credentials: options.credentials,
    region: "us-east-1",
    domains: [],
    clock,
    randomUuid,
    ...options.app,
  });
  const server = await serveHttp({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request: Request) => {
      options.onRequest?.(request);
      return app.fetch(request);
    },
  });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const clients: S3Client[] = [];
  return {
    layer,
    app,
    endpoint,
    client(config: Partial<S3ClientConfig> = {}): S3Client {
      const client = new S3Client({
        endpoint,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: {
          accessKeyId: options.credentials.accessKey,
          secretAccessKey: options.credentials.secretKey,
        },
        ...config,
      });
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.destroy();
      await server.shutdown();
      await layer.close();
    },
  };
}
