/**
 * The server's front door: `/minio/health/*`, `/minio/v2/metrics/*` and `/minio/admin/v3/*`
 * are answered here; everything else goes to the S3 API, instrumented (metrics, request log).
 * "minio" is not a valid bucket name for aistor either, so these paths never shadow a bucket.
 */
import { requireMetricsAccess, type RootCredentials } from "./admin_auth.ts";
import { type AdminApiOptions, adminPathPrefix, adminResponse } from "./admin_api.ts";
import { type HealthOptions, healthPathPrefix, healthResponse } from "./health.ts";
import type { InflightRequests } from "./inflight.ts";
import { metricsContentType } from "./metrics.ts";
import { type FetchHandler, instrumentFetch, type RequestLogLine } from "./request_log.ts";
import { nodeMetricPrefixes, type ServerMetrics } from "./server_metrics.ts";

export interface OpsOptions extends HealthOptions, AdminApiOptions {
  /** The S3 API's handler (`createApp(...).fetch`). */
  apiFetch: FetchHandler;
  metrics: ServerMetrics;
  credentials: RootCredentials;
  /** MINIO_PROMETHEUS_AUTH_TYPE=public: metrics without authentication. */
  prometheusPublic: boolean;
  domains: string[];
  log?: (line: RequestLogLine) => void;
  /** Counts every request until its response body ends (graceful shutdown waits for it). */
  inflight?: InflightRequests;
}

const metricsPathPrefix = "/minio/v2/metrics/";

export function createOpsFetch(options: OpsOptions): FetchHandler {
  const api = instrumentFetch(options.apiFetch, options);
  const frontDoor: FetchHandler = async (request, info) => {
    const path = new URL(request.url).pathname;
    if (!path.startsWith("/minio/")) return api(request, info);
    if (path.startsWith(healthPathPrefix)) return await healthResponse(request, path, options);
    if (path.startsWith(metricsPathPrefix)) return await metricsResponse(request, path, options);
    if (path.startsWith(adminPathPrefix)) return await adminResponse(request, path, options);
    return api(request, info);
  };
  return options.inflight ? options.inflight.wrap(frontDoor) : frontDoor;
}

async function metricsResponse(
  request: Request,
  path: string,
  options: OpsOptions,
): Promise<Response> {
  const scope = path.slice(metricsPathPrefix.length);
  if (scope !== "cluster" && scope !== "node") {
    return new Response(`Cannot serve metrics "${scope}": use cluster or node\n`, { status: 404 });
  }
  if (!options.prometheusPublic) {
    try {
      await requireMetricsAccess(request, options.credentials, options.clock.nowMs());
    } catch (error) {
      return Response.json({ Code: "AccessDenied", Message: (error as Error).message }, {
        status: 403,
      });
    }
  }
  options.metrics.refreshStorage(await options.layer.storageInfo());
  const text = options.metrics.registry.render(scope === "node" ? nodeMetricPrefixes : [""]);
  return new Response(request.method === "HEAD" ? null : text, {
    status: 200,
    headers: { "content-type": metricsContentType },
  });
}
