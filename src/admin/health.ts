/**
 * MinIO's health endpoints, unauthenticated, for GET and HEAD:
 * - `/minio/health/live`: 200 while the process serves.
 * - `/minio/health/ready`: 200 once the object layer is open (503 while it closes).
 * - `/minio/health/cluster`: 200 when every erasure set has write quorum, else 503; headers
 *   `X-Minio-Write-Quorum` (drives a set needs to write) and `X-Minio-Healing-Drives`.
 * - `/minio/health/cluster/read`: the same for read quorum (`X-Minio-Read-Quorum`).
 */
import { type AdminLayer, type PoolLayout, setReadQuorum, setWriteQuorum } from "./admin_layer.ts";

export interface HealthOptions {
  layer: AdminLayer;
  /** The topology's layouts (unused: each set's quorum comes from its own parity). */
  layouts?: PoolLayout[];
  isReady(): boolean;
}

export const healthPathPrefix = "/minio/health/";

export async function healthResponse(
  request: Request,
  path: string,
  options: HealthOptions,
): Promise<Response> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return new Response(null, { status: 405, headers: { allow: "GET, HEAD" } });
  }
  switch (path) {
    case "/minio/health/live":
      return empty(200);
    case "/minio/health/ready":
      return empty(options.isReady() ? 200 : 503);
    case "/minio/health/cluster":
      return await clusterHealth(options, "write");
    case "/minio/health/cluster/read":
      return await clusterHealth(options, "read");
    default:
      return empty(404);
  }
}

export interface ClusterHealth {
  healthy: boolean;
  /** The largest quorum any set needs (MinIO reports the write quorum of its sets). */
  quorum: number;
  healingDrives: number;
}

/** Every set has at least its quorum of drives not offline. */
export async function clusterHealthOf(
  options: HealthOptions,
  kind: "read" | "write",
): Promise<ClusterHealth> {
  const info = await options.layer.storageInfo();
  let healthy = true;
  let quorum = 0;
  let healingDrives = 0;
  for (const pool of info.pools) {
    for (const set of pool.sets) {
      const needed = kind === "write" ? setWriteQuorum(set) : setReadQuorum(set);
      quorum = Math.max(quorum, needed);
      const online = set.drives.filter((drive) => drive.state !== "offline").length;
      healingDrives += set.drives.filter((drive) => drive.state === "healing").length;
      if (online < needed) healthy = false;
    }
  }
  return { healthy, quorum, healingDrives };
}

async function clusterHealth(options: HealthOptions, kind: "read" | "write"): Promise<Response> {
  if (!options.isReady()) return empty(503);
  const health = await clusterHealthOf(options, kind);
  const headers: Record<string, string> = {
    [kind === "write" ? "x-minio-write-quorum" : "x-minio-read-quorum"]: String(health.quorum),
  };
  if (health.healingDrives > 0) headers["x-minio-healing-drives"] = String(health.healingDrives);
  return new Response(null, { status: health.healthy ? 200 : 503, headers });
}

function empty(status: number): Response {
  return new Response(null, { status });
}
