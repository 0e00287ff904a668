/**
 * `aistor serve`: check the drives, open the object layer, serve S3 until SIGINT/SIGTERM.
 * Each step fails with one line saying what is wrong and how to fix it.
 */
import type { ServeCommand } from "./args.ts";
import { UsageError } from "./args.ts";
import { parseTopology } from "../topology/mod.ts";
import { LocalDrive } from "../drive/local_drive.ts";
import { openObjectLayer } from "../object/mod.ts";
import { createApp } from "../api/app.ts";
import { prepareDriveDirectory } from "../platform/drive_dirs.ts";
import { serveHttp } from "../platform/serve.ts";
import { readTextFile } from "../platform/files.ts";
import { randomUuid } from "../platform/crypto.ts";
import { onSignal, writeStderr, writeStdout } from "../platform/process.ts";

export interface RunningServer {
  port: number;
  /** Stop accepting, finish in-flight requests (bounded), close the object layer. */
  shutdown(): Promise<void>;
}

export async function runServe(command: ServeCommand): Promise<RunningServer> {
  const topology = parseTopology(command.driveArgs, {
    setDriveCount: command.setDriveCount,
    standard: command.standardParity,
    rrs: command.rrsParity,
  });
  const endpoints = topology.pools.flatMap((pool) => pool.drives);
  for (const endpoint of endpoints) await prepareDriveDirectory(endpoint);

  const clock = { nowNs: () => BigInt(Date.now()) * 1_000_000n };
  const { layer, deploymentId, report } = await openObjectLayer({
    topology,
    makeDrive: (endpoint: string) => new LocalDrive(endpoint),
    clock,
    randomUuid,
  });
  const app = createApp({
    objects: layer,
    credentials: command.credentials,
    region: command.region,
    domains: command.domains,
    clock,
    randomUuid,
    log: command.logRequests ? (line: object) => writeStdout(JSON.stringify(line) + "\n") : undefined,
  });
  const tls = command.certsDir ? await readCertificates(command.certsDir) : undefined;
  const server = await serveHttp({
    hostname: command.hostname,
    port: command.port,
    tls,
    fetch: app.fetch,
  }).catch((error) => {
    throw listenError(command, error);
  });

  if (!command.quiet) {
    const scheme = tls ? "https" : "http";
    writeStdout(banner({ command, scheme, port: server.port, deploymentId, report }));
  }
  if (command.credentials.source === "default") {
    writeStderr(
      "WARNING: root credentials are the default minioadmin/minioadmin; set AISTOR_ROOT_USER and AISTOR_ROOT_PASSWORD\n",
    );
  }

  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    stopping ??= (async () => {
      await withTimeout(server.shutdown(), command.shutdownTimeoutMs);
      await layer.close();
    })();
  return { port: server.port, shutdown };
}

/** Run until a signal, then shut down gracefully and exit. */
export async function serveUntilSignal(command: ServeCommand, exit: (code: number) => never) {
  const server = await runServe(command);
  const stop = async (signal: string) => {
    writeStderr(`${signal}: finishing in-flight requests, then stopping\n`);
    await server.shutdown();
    exit(0);
  };
  onSignal("SIGINT", () => void stop("SIGINT"));
  onSignal("SIGTERM", () => void stop("SIGTERM"));
}

async function readCertificates(dir: string): Promise<{ cert: string; key: string }> {
  try {
    return {
      cert: await readTextFile(`${dir}/public.crt`),
      key: await readTextFile(`${dir}/private.key`),
    };
  } catch {
    throw new UsageError(
      `Cannot serve HTTPS from "${dir}": it needs public.crt and private.key (PEM) readable by this user`,
    );
  }
}

function listenError(command: ServeCommand, error: unknown): Error {
  const text = String((error as Error)?.message ?? error);
  const address = `${command.hostname}:${command.port}`;
  if (/in use|EADDRINUSE|AddrInUse/i.test(text + String((error as Error)?.name))) {
    return new UsageError(
      `Cannot listen on ${address}: the port is in use; stop the other server or pick another with --address`,
    );
  }
  return new UsageError(`Cannot listen on ${address}: ${text}`);
}

async function withTimeout(promise: Promise<void>, timeoutMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, timeoutMs));
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function banner(
  options: {
    command: ServeCommand;
    scheme: string;
    port: number;
    deploymentId: string;
    report: unknown;
  },
): string {
  const { command, scheme, port, deploymentId } = options;
  const host = command.hostname === "0.0.0.0" ? "127.0.0.1" : command.hostname;
  const lines = [
    `aistor serving S3 at ${scheme}://${host}:${port}`,
    `  deployment ${deploymentId}`,
    `  credentials from ${command.credentials.source}`,
    `  drives: ${command.driveArgs.join(" ")}`,
  ];
  return lines.join("\n") + "\n";
}
