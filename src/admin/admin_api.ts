/**
 * aistor's admin API, SigV4-signed by the root credentials:
 * - `GET  /minio/admin/v3/info`: topology, each drive's state and usage, deployment id, version.
 * - `POST /minio/admin/v3/heal[/BUCKET[/PREFIX]]`: heal, answered as NDJSON: one
 *   `{"type":"progress",...}` line per object checked, then one `{"type":"result",...}` line
 *   with the counts (or `{"type":"error",...}`).
 * Errors are JSON `{"Code","Message"}` as MinIO's admin API answers.
 */
import { healProgressLinesBufferedMax } from "../limits.ts";
import { AdminAuthError, requireRootSignature, type RootCredentials } from "./admin_auth.ts";
import { type AdminLayer, type PoolLayout, setWriteQuorum } from "./admin_layer.ts";
import { HealBusyError, type Healer } from "./healer.ts";

export const adminPathPrefix = "/minio/admin/v3/";

export interface AdminApiOptions {
  layer: AdminLayer;
  healer: Healer;
  /** The topology's layouts (unused: each set's parity comes from storageInfo()). */
  layouts?: PoolLayout[];
  credentials: RootCredentials;
  clock: { nowMs(): number };
  version: string;
  startedMs: number;
}

export interface AdminInfo {
  version: string;
  deploymentId: string;
  uptimeSeconds: number;
  totalBytes: number;
  freeBytes: number;
  onlineDrives: number;
  offlineDrives: number;
  pools: {
    index: number;
    setDriveCount: number;
    dataDrives: number;
    parityDrives: number;
    writeQuorum: number;
    sets: {
      index: number;
      parityDrives: number;
      writeQuorum: number;
      hasWriteQuorum: boolean;
      drives: {
        endpoint: string;
        state: string;
        id: string;
        totalBytes: number;
        freeBytes: number;
        usedBytes: number;
      }[];
    }[];
  }[];
}

export type HealLine =
  | { type: "progress"; bucket: string; key: string; state: string; shardsHealed: number }
  | {
    type: "result";
    objectsChecked: number;
    objectsHealed: number;
    objectsUnrecoverable: number;
    drivesFormatted: string[];
    /** Progress lines left out because the client read slower than the heal went ("ok" objects only). */
    progressLinesSkipped: number;
  }
  | { type: "error"; message: string };

export async function adminResponse(
  request: Request,
  path: string,
  options: AdminApiOptions,
): Promise<Response> {
  try {
    requireRootSignature(request, options.credentials, options.clock.nowMs());
  } catch (error) {
    if (error instanceof AdminAuthError) return jsonError(403, "AccessDenied", error.message);
    throw error;
  }
  const action = path.slice(adminPathPrefix.length);
  if (action === "info") {
    if (request.method !== "GET") return jsonError(405, "MethodNotAllowed", "Use GET for info");
    return Response.json(await adminInfo(options));
  }
  if (action === "heal" || action.startsWith("heal/")) {
    if (request.method !== "POST") return jsonError(405, "MethodNotAllowed", "Use POST for heal");
    // A background heal (drives back online or formatted at start) is waited for, not refused.
    if (options.healer.backgroundRunning) await options.healer.settled();
    const running = options.healer.running;
    if (running !== undefined) {
      return jsonError(409, "HealAlreadyRunning", new HealBusyError(running).message);
    }
    return healResponse(action.slice("heal/".length), options);
  }
  return jsonError(404, "NotImplemented", `Cannot serve admin action "${action}": unknown`);
}

export async function adminInfo(options: AdminApiOptions): Promise<AdminInfo> {
  const info = await options.layer.storageInfo();
  return {
    version: options.version,
    deploymentId: info.deploymentId,
    uptimeSeconds: Math.round((options.clock.nowMs() - options.startedMs) / 1000),
    totalBytes: info.totalBytes,
    freeBytes: info.freeBytes,
    onlineDrives: info.onlineDrives,
    offlineDrives: info.offlineDrives,
    pools: info.pools.map((pool) => {
      // Pool-level figures are those of its first set (a pool's sets share size and parity).
      const first = pool.sets[0] ?? { parityDrives: 0, drives: [] };
      return {
        index: pool.index,
        setDriveCount: first.drives.length,
        dataDrives: first.drives.length - first.parityDrives,
        parityDrives: first.parityDrives,
        writeQuorum: setWriteQuorum(first),
        sets: pool.sets.map((set) => ({
          index: set.index,
          parityDrives: set.parityDrives,
          writeQuorum: setWriteQuorum(set),
          hasWriteQuorum: set.drives.filter((d) => d.state !== "offline").length >=
            setWriteQuorum(set),
          drives: set.drives.map((d) => ({
            endpoint: d.endpoint,
            state: d.state,
            id: d.id,
            totalBytes: d.totalBytes,
            freeBytes: d.freeBytes,
            usedBytes: d.usedBytes,
          })),
        })),
      };
    }),
  };
}

/** `target` is `BUCKET[/PREFIX]` percent-encoded, or "" for everything. */
function healResponse(target: string, options: AdminApiOptions): Response {
  let decoded: string;
  try {
    decoded = decodeURIComponent(target);
  } catch {
    return jsonError(400, "InvalidArgument", `Cannot decode heal target "${target}"`);
  }
  const slash = decoded.indexOf("/");
  const bucket = slash === -1 ? decoded : decoded.slice(0, slash);
  const prefix = slash === -1 ? "" : decoded.slice(slash + 1);
  const encoder = new TextEncoder();
  let skipped = 0;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (line: HealLine) => {
        if (!cancelled) controller.enqueue(encoder.encode(JSON.stringify(line) + "\n"));
      };
      options.healer.heal(bucket, prefix, (result) => {
        const full = (controller.desiredSize ?? 0) <= 0;
        if (full && result.state === "ok") {
          skipped++;
          return;
        }
        send({
          type: "progress",
          bucket: result.bucket,
          key: result.key,
          state: result.state,
          shardsHealed: result.shardsHealed,
        });
      }).then(
        (summary) => send({ type: "result", ...summary, progressLinesSkipped: skipped }),
        (error) => send({ type: "error", message: errorMessage(error) }),
      ).finally(() => {
        if (!cancelled) controller.close();
      });
    },
    cancel() {
      cancelled = true; // the heal goes on; only its report stops
    },
  }, new CountQueuingStrategy({ highWaterMark: healProgressLinesBufferedMax }));
  return new Response(body, { status: 200, headers: { "content-type": "application/x-ndjson" } });
}

function errorMessage(error: unknown): string {
  if (error instanceof HealBusyError) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function jsonError(status: number, code: string, message: string): Response {
  return Response.json({ Code: code, Message: message }, { status });
}
