/**
 * The server's metric families, under MinIO's v2 names where MinIO has one (`minio_*`) and
 * under `aistor_*` where it does not. Requests are recorded as they finish; drive and capacity
 * gauges are refreshed from `storageInfo()` at each scrape.
 */
import type { StorageInfo } from "./admin_layer.ts";
import type { Counter, Gauge, Histogram, MetricsRegistry } from "./metrics.ts";

export interface RequestRecord {
  api: string;
  status: number;
  bytesIn: number;
  bytesOut: number;
  durationMs: number;
}

export class ServerMetrics {
  readonly registry: MetricsRegistry;
  readonly requests: Counter;
  readonly requestErrors: Counter;
  readonly requests4xx: Counter;
  readonly requests5xx: Counter;
  readonly quorumErrors: Counter;
  readonly inflight: Gauge;
  readonly receivedBytes: Counter;
  readonly sentBytes: Counter;
  readonly duration: Histogram;
  readonly drivesOnline: Gauge;
  readonly drivesOffline: Gauge;
  readonly drivesTotal: Gauge;
  readonly capacityTotal: Gauge;
  readonly capacityFree: Gauge;
  readonly driveFree: Gauge;
  readonly driveTotal: Gauge;
  readonly driveUsed: Gauge;
  readonly driveOnline: Gauge;
  readonly driveTimeouts: Counter;
  readonly driveOfflineErrors: Counter;
  readonly driveCorruptErrors: Counter;
  readonly healObjects: Counter;
  readonly healObjectsHealed: Counter;
  readonly healObjectsErrors: Counter;
  readonly healShards: Counter;

  constructor(registry: MetricsRegistry) {
    this.registry = registry;
    const counter = registry.counter.bind(registry);
    const gauge = registry.gauge.bind(registry);
    this.requests = counter("minio_s3_requests_total", "Total number of S3 requests");
    this.requestErrors = counter(
      "minio_s3_requests_errors_total",
      "Total number of S3 requests with (4xx and 5xx) errors",
    );
    this.requests4xx = counter(
      "minio_s3_requests_4xx_errors_total",
      "Total number of S3 requests with (4xx) errors",
    );
    this.requests5xx = counter(
      "minio_s3_requests_5xx_errors_total",
      "Total number of S3 requests with (5xx) errors",
    );
    this.quorumErrors = counter(
      "aistor_s3_requests_quorum_errors_total",
      "S3 requests answered 503 because too few drives answered (read/write quorum lost, drives full)",
    );
    this.inflight = gauge(
      "minio_s3_requests_inflight_total",
      "Total number of S3 requests currently in flight",
    );
    this.receivedBytes = counter(
      "minio_s3_traffic_received_bytes",
      "Total number of s3 bytes received",
    );
    this.sentBytes = counter("minio_s3_traffic_sent_bytes", "Total number of s3 bytes sent");
    this.duration = registry.histogram(
      "minio_s3_requests_duration_seconds",
      "Time from request to the last byte of the response, by API",
    );
    this.drivesOnline = gauge(
      "minio_cluster_drive_online_total",
      "Total drives online in the cluster",
    );
    this.drivesOffline = gauge(
      "minio_cluster_drive_offline_total",
      "Total drives offline in the cluster",
    );
    this.drivesTotal = gauge("minio_cluster_drive_total", "Total drives in the cluster");
    this.capacityTotal = gauge(
      "minio_cluster_capacity_raw_total_bytes",
      "Total capacity online in the cluster",
    );
    this.capacityFree = gauge(
      "minio_cluster_capacity_raw_free_bytes",
      "Total free capacity online in the cluster",
    );
    this.driveFree = gauge("minio_node_drive_free_bytes", "Total storage available on a drive");
    this.driveTotal = gauge("minio_node_drive_total_bytes", "Total storage on a drive");
    this.driveUsed = gauge("minio_node_drive_used_bytes", "Total storage used on a drive");
    this.driveOnline = gauge(
      "aistor_node_drive_online",
      "1 when the drive answers, 0 when offline",
    );
    this.driveTimeouts = counter(
      "minio_node_drive_errors_timeout",
      "Total timeout errors on a drive",
    );
    this.driveOfflineErrors = counter(
      "minio_node_drive_errors_availability",
      "Total drive I/O errors: calls that found the drive offline",
    );
    this.driveCorruptErrors = counter(
      "aistor_node_drive_errors_corrupt",
      "Drive answers with wrong bytes (short or corrupt files: bitrot found at the drive)",
    );
    this.healObjects = counter("minio_heal_objects_total", "Objects scanned by heal");
    this.healObjectsHealed = counter(
      "minio_heal_objects_heal_total",
      "Objects healed (repaired or dangling removed)",
    );
    this.healObjectsErrors = counter(
      "minio_heal_objects_errors_total",
      "Objects heal found unrecoverable",
    );
    this.healShards = counter(
      "aistor_heal_shards_healed_total",
      "Shards rewritten by heal (missing, stale or bitrot-corrupt)",
    );
  }

  recordRequest(record: RequestRecord): void {
    const labels = { api: record.api };
    this.requests.inc(labels);
    if (record.status >= 400) this.requestErrors.inc(labels);
    if (record.status >= 400 && record.status < 500) this.requests4xx.inc(labels);
    if (record.status >= 500) this.requests5xx.inc(labels);
    if (record.status === 503) this.quorumErrors.inc(labels);
    this.receivedBytes.inc({}, record.bytesIn);
    this.sentBytes.inc({}, record.bytesOut);
    this.duration.observe(labels, record.durationMs / 1000);
  }

  /** A drive call failed (HealthCheckedDrive's onError). */
  recordDriveError(endpoint: string, code: string): void {
    const labels = { drive: endpoint };
    if (code === "DriveOffline") this.driveOfflineErrors.inc(labels);
    if (code === "Timeout") this.driveTimeouts.inc(labels);
    if (code === "FileCorrupt") this.driveCorruptErrors.inc(labels);
  }

  recordHeal(result: { state: string; shardsHealed: number }): void {
    this.healObjects.inc();
    if (result.state === "healed" || result.state === "dangling-removed") {
      this.healObjectsHealed.inc();
    }
    if (result.state === "unrecoverable") this.healObjectsErrors.inc();
    this.healShards.inc({}, result.shardsHealed);
  }

  refreshStorage(info: StorageInfo): void {
    const drives = info.pools.flatMap((pool) => pool.sets.flatMap((set) => set.drives));
    this.drivesOnline.set({}, info.onlineDrives);
    this.drivesOffline.set({}, info.offlineDrives);
    this.drivesTotal.set({}, drives.length);
    this.capacityTotal.set({}, info.totalBytes);
    this.capacityFree.set({}, info.freeBytes);
    for (const drive of drives) {
      const labels = { drive: drive.endpoint };
      this.driveOnline.set(labels, drive.state === "offline" ? 0 : 1);
      this.driveFree.set(labels, drive.freeBytes);
      this.driveTotal.set(labels, drive.totalBytes);
      this.driveUsed.set(labels, drive.usedBytes);
    }
  }
}

/** What `/minio/v2/metrics/node` shows: this node's drives and requests. Cluster shows all. */
export const nodeMetricPrefixes = ["minio_node_", "minio_s3_", "aistor_node_", "aistor_s3_"];
