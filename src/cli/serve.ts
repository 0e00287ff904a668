/**
 * `aistor serve`: check the drives, open the object layer, serve S3 (and the health, metrics
 * and admin endpoints) until SIGINT/SIGTERM. Each step fails with one line saying what is
 * wrong and how to fix it.
 *
 * Wiring, top-down: topology → drives (each a LocalDrive watched by a HealthCheckedDrive) →
 * object layer → S3 app → ops front door (health, metrics, admin, request log) → HTTP server.
 */
import type { ServeCommand } from "./args.ts";
import { plural, UsageError, version } from "./args.ts";
import { parseTopology, type Topology } from "../topology/mod.ts";
import { LocalDrive } from "../drive/local_drive.ts";
import { HealthCheckedDrive } from "../drive/health_checked_drive.ts";
import { openObjectLayer, type StartupReport, type StorageInfo } from "../object/mod.ts";
import { createApp } from "../api/app.ts";
import { Healer, type HealSummary } from "../admin/healer.ts";
import { MetricsRegistry } from "../admin/metrics.ts";
import { ServerMetrics } from "../admin/server_metrics.ts";
import { createOpsFetch } from "../admin/ops_fetch.ts";
import { InflightRequests } from "../admin/inflight.ts";
import { type PoolLayout, writeQuorumOf } from "../admin/admin_layer.ts";
import {
  driveCallTimeoutMs,
  driveProbeIntervalMs,
  driveSuspicionProbeMinIntervalMs,
  lifecycleScanIntervalMs,
} from "../limits.ts";
import { prepareDriveDirectory } from "../platform/drive_dirs.ts";
import { serveHttp } from "../platform/serve.ts";
import { readTextFile } from "../platform/files.ts";
import { randomUuid } from "../platform/crypto.ts";
import { env, onSignal, writeStderr, writeStdout } from "../platform/process.ts";

export interface RunningServer {
  port: number;
  /** Stop accepting, finish in-flight requests (bounded), close the object layer. */
  shutdown(): Promise<void>;
}

/** `AISTOR_LIFECYCLE_INTERVAL_MS`: the lifecycle scanner's period (0 turns it off). */
export function lifecycleIntervalMsFromEnv(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return lifecycleScanIntervalMs;
  if (!/^\d+$/.test(value.trim())) {
    throw new UsageError(
      `Cannot use AISTOR_LIFECYCLE_INTERVAL_MS="${value}": a whole number of milliseconds (0 = off)`,
    );
  }
  return Number(value.trim());
}

/** Lifecycle runs that changed something, and every lifecycle failure, as JSON lines on stderr. */
function logLifecycle(line: object): void {
  const record = line as Record<string, unknown>;
  const changed = ["currentExpired", "versionsRemoved", "uploadsAborted", "failures"].some((name) =>
    typeof record[name] === "number" && (record[name] as number) > 0
  );
  if (changed || String(record.event).endsWith("failed")) {
    writeStderr(JSON.stringify(line) + "\n");
  }
}

export async function runServe(command: ServeCommand): Promise<RunningServer> {
  const lifecycleIntervalMs = lifecycleIntervalMsFromEnv(env("AISTOR_LIFECYCLE_INTERVAL_MS"));
  const topology = parseTopology(command.driveArgs, {
    setDriveCount: command.setDriveCount,
    standard: command.standardParity,
    rrs: command.rrsParity,
  });
  const endpoints = topology.pools.flatMap((pool) => pool.drives);
  for (const endpoint of endpoints) await prepareDriveDirectory(endpoint);

  const clock = { nowNs: () => BigInt(Date.now()) * 1_000_000n, nowMs: () => Date.now() };
  const startedMs = clock.nowMs();
  const metrics = new ServerMetrics(new MetricsRegistry());
  // The healer needs the object layer, which needs the drives: drives that come back before
  // the layer is open are healed by start-up itself.
  const late: { healer?: Healer } = {};
  const drives = await openDrives(endpoints, {
    metrics,
    clock,
    onBack: (drive) => late.healer?.healAfterReconnect(drive.endpoint),
  });
  const { layer, deploymentId, report } = await openObjectLayer({
    topology,
    makeDrive: (endpoint: string) => drives.get(endpoint)!,
    clock,
    randomUuid,
    lifecycleIntervalMs,
    log: logLifecycle,
  });
  const healer = late.healer = new Healer(layer, metrics, {
    onBackgroundHeal: logDriveHeal,
    beforeHealAll: async () => {
      for (const drive of drives.values()) {
        if (drive.state === "offline") await drive.acceptUnformatted();
      }
    },
  });
  // Drives formatted at start (replaced or wiped) get their objects back in the background,
  // through the healer so that metrics count it and an admin heal waits for it.
  if (report.drivesFormatted.length > 0) healer.healInBackground(report.drivesFormatted);

  const app = createApp({
    objects: layer,
    credentials: command.credentials,
    region: command.region,
    domains: command.domains,
    clock,
    randomUuid,
    // Request lines come from the ops wrapper; the app's own lines are its error reports.
    log: (line: object) => {
      if ("level" in line) writeStderr(JSON.stringify(line) + "\n");
    },
  });
  let ready = true;
  const inflight = new InflightRequests();
  const layouts = poolLayouts(topology);
  const fetch = createOpsFetch({
    apiFetch: app.fetch,
    layer,
    healer,
    layouts,
    isReady: () => ready,
    metrics,
    credentials: command.credentials,
    prometheusPublic: command.prometheusPublic,
    domains: command.domains,
    clock,
    version,
    startedMs,
    log: command.logRequests ? (line) => writeStdout(JSON.stringify(line) + "\n") : undefined,
    inflight,
  });
  const tls = command.certsDir ? await readCertificates(command.certsDir) : undefined;
  const server = await serveHttp({ hostname: command.hostname, port: command.port, tls, fetch })
    .catch((error) => {
      throw listenError(command, error);
    });

  if (!command.quiet) {
    const info = await layer.storageInfo();
    const scheme = tls ? "https" : "http";
    writeStdout(
      banner({ command, scheme, port: server.port, deploymentId, report, info, layouts }),
    );
  }
  if (command.credentials.source === "default") {
    writeStderr(
      "WARNING: root credentials are the default minioadmin/minioadmin; set AISTOR_ROOT_USER and AISTOR_ROOT_PASSWORD\n",
    );
  }

  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    stopping ??= (async () => {
      ready = false;
      // Stop accepting; let requests in flight finish (bounded), whatever the runtime's stop() waits for.
      await withTimeout(
        Promise.all([server.shutdown(), inflight.idle()]).then(() => {}),
        command.shutdownTimeoutMs,
      );
      for (const drive of drives.values()) drive.close();
      await withTimeout(healer.settled(), command.shutdownTimeoutMs);
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

/** Each drive opened and watched; a drive that goes offline and comes back calls `onBack`. */
async function openDrives(
  endpoints: string[],
  options: {
    metrics: ServerMetrics;
    clock: { nowMs(): number };
    onBack: (drive: HealthCheckedDrive) => void;
  },
): Promise<Map<string, HealthCheckedDrive>> {
  const opened = await Promise.all(
    endpoints.map((endpoint) =>
      HealthCheckedDrive.opening(endpoint, () => LocalDrive.open(endpoint), {
        callTimeoutMs: driveCallTimeoutMs,
        probeIntervalMs: driveProbeIntervalMs,
        suspicionProbeMinIntervalMs: driveSuspicionProbeMinIntervalMs,
        clock: options.clock,
        onError: (drive, code) => options.metrics.recordDriveError(drive.endpoint, code),
        onStateChange: (drive, state, reason) => {
          writeStderr(`drive ${drive.endpoint} is ${state}: ${reason}\n`);
          if (state === "online") options.onBack(drive);
        },
      })
    ),
  );
  return new Map(opened.map((drive) => [drive.endpoint, drive]));
}

/** A background heal's outcome on stderr (quiet when there was nothing at all, as on a new deployment). */
function logDriveHeal(endpoints: string[], summary: HealSummary | Error): void {
  const who = `${endpoints.join(" ")} (back online or formatted)`;
  if (summary instanceof Error) {
    writeStderr(`heal after ${who} failed: ${summary.message}\n`);
    return;
  }
  if (summary.objectsChecked === 0 && summary.objectsUnrecoverable === 0) return;
  writeStderr(
    `heal after ${who}: ${summary.objectsChecked} objects checked, ` +
      `${summary.objectsHealed} healed, ${summary.objectsUnrecoverable} unrecoverable` +
      (summary.drivesFormatted.length > 0
        ? `, formatted ${summary.drivesFormatted.join(" ")}`
        : "") +
      "\n",
  );
}

function poolLayouts(topology: Topology): PoolLayout[] {
  return topology.pools.map((pool, index) => ({
    index,
    setCount: pool.setCount,
    setDriveCount: pool.setDriveCount,
    parityDrives: topology.standardParity,
  }));
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
    report: StartupReport;
    info: StorageInfo;
    layouts: PoolLayout[];
  },
): string {
  const { command, scheme, port, deploymentId, report, info, layouts } = options;
  const host = command.hostname === "0.0.0.0" ? "127.0.0.1" : command.hostname;
  const url = `${scheme}://${host}:${port}`;
  const lines = [
    `aistor serving S3 at ${url}`,
    `  deployment ${deploymentId}`,
    `  credentials from ${command.credentials.source}`,
  ];
  for (const pool of info.pools) {
    // The pool's sets share size and parity: the first set's (as storageInfo() reports it).
    const first = pool.sets[0];
    const layout = first === undefined
      ? layouts[pool.index]
      : { setDriveCount: first.drives.length, parityDrives: first.parityDrives };
    const dataDrives = layout.setDriveCount - layout.parityDrives;
    lines.push(
      `  pool ${pool.index + 1}: ${
        plural(pool.sets.length, "set")
      } of ${layout.setDriveCount} drives, ` +
        `${dataDrives} data + ${layout.parityDrives} parity (write quorum ${
          writeQuorumOf(layout)
        })`,
    );
    for (const set of pool.sets) {
      if (pool.sets.length > 1) lines.push(`    set ${set.index + 1}:`);
      for (const drive of set.drives) lines.push(`    ${drive.state.padEnd(8)} ${drive.endpoint}`);
    }
  }
  for (const endpoint of report.drivesFormatted) lines.push(`  formatted ${endpoint}`);
  if (report.drivesFormatted.length > 0) {
    lines.push(`  healing ${report.drivesFormatted.length} formatted drive(s) in the background`);
  }
  for (const { endpoint, reason } of report.drivesOffline) {
    lines.push(`  offline ${endpoint}: ${reason}`);
  }
  lines.push(`  health  ${url}/minio/health/live`);
  lines.push(
    `  metrics ${url}/minio/v2/metrics/cluster` +
      (command.prometheusPublic ? " (public)" : " (root SigV4 or bearer JWT)"),
  );
  return lines.join("\n") + "\n";
}
