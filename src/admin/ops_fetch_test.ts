import * as jose from "jose";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { sdkSigner, signWithSdk } from "../auth/_test_signer.ts";
import { assert, assertEquals } from "../testing/assert.ts";
import type { AdminLayer, HealResult, StorageInfo } from "./admin_layer.ts";
import { signedHeaders } from "./admin_signer.ts";
import { Healer } from "./healer.ts";
import { MetricsRegistry } from "./metrics.ts";
import { createOpsFetch, type OpsOptions } from "./ops_fetch.ts";
import type { RequestLogLine } from "./request_log.ts";
import { ServerMetrics } from "./server_metrics.ts";

const root = { accessKey: "ops-admin", secretKey: "ops-secret-key" };
const origin = "http://localhost:9000";

function drive(endpoint: string, state: "online" | "offline" | "healing") {
  return {
    endpoint,
    state,
    totalBytes: 1000,
    freeBytes: 400,
    usedBytes: 600,
    id: `id-${endpoint}`,
  };
}

/** A stand-in admin layer: one pool, one set of 4 drives, `offline` of them offline. */
function fakeLayer(
  offline: number,
  heals: HealResult[] = [],
  setParity = 2,
): AdminLayer & { healed: string[] } {
  const healed: string[] = [];
  const layer: AdminLayer & { healed: string[] } = {
    healed,
    storageInfo: (): Promise<StorageInfo> => {
      const drives = [1, 2, 3, 4].map((i) => drive(`/d${i}`, i <= offline ? "offline" : "online"));
      return Promise.resolve({
        deploymentId: "dep-1",
        pools: [{ index: 0, sets: [{ index: 0, parityDrives: setParity, drives }] }],
        totalBytes: 4000,
        freeBytes: 1600,
        onlineDrives: 4 - offline,
        offlineDrives: offline,
      });
    },
    healBucket: (bucket, prefix, onProgress) => {
      healed.push(`${bucket}/${prefix}`);
      for (const result of heals) onProgress(result);
      return Promise.resolve({
        objectsChecked: heals.length,
        objectsHealed: heals.filter((h) => h.state === "healed").length,
      });
    },
    // As ServerPools does: format, then every bucket in the same pass, reporting each object.
    healFormat: async (onProgress) => {
      const counts = await layer.healBucket("photos", "", onProgress ?? (() => {}));
      return { drivesFormatted: ["/d2"], bucketsHealed: 1, ...counts };
    },
    listBuckets: () => Promise.resolve([{ name: "photos", created: new Date(0) }]),
  };
  return layer;
}

function setup(
  options: { offline?: number; heals?: HealResult[]; public?: boolean; setParity?: number } = {},
) {
  const layer = fakeLayer(options.offline ?? 0, options.heals, options.setParity);
  const metrics = new ServerMetrics(new MetricsRegistry());
  const lines: RequestLogLine[] = [];
  const ops: OpsOptions = {
    apiFetch: (request) =>
      new Response(request.method === "HEAD" ? null : "hello world", {
        status: new URL(request.url).pathname.includes("missing") ? 404 : 200,
        headers: { "x-amz-request-id": "REQ123" },
      }),
    layer,
    healer: new Healer(layer, metrics),
    layouts: [{ index: 0, setCount: 1, setDriveCount: 4, parityDrives: 2 }],
    isReady: () => true,
    metrics,
    credentials: root,
    prometheusPublic: options.public ?? false,
    domains: [],
    clock: { nowMs: () => Date.now() },
    version: "0.1.0",
    startedMs: Date.now() - 5_000,
    log: (line) => lines.push(line),
  };
  const fetch = createOpsFetch(ops);
  return {
    fetch: (request: Request) => fetch(request, { remoteAddress: "127.0.0.1" }),
    lines,
    layer,
    metrics,
  };
}

function rootSigned(method: string, path: string): Request {
  const url = new URL(path, origin);
  return new Request(url, { method, headers: signedHeaders(method, url, root, Date.now()) });
}

Deno.test("live and ready answer 200 without authentication, for GET and HEAD", async () => {
  const { fetch } = setup();
  for (const method of ["GET", "HEAD"]) {
    assertEquals((await fetch(new Request(`${origin}/minio/health/live`, { method }))).status, 200);
    assertEquals(
      (await fetch(new Request(`${origin}/minio/health/ready`, { method }))).status,
      200,
    );
  }
});

Deno.test("cluster health is 200 with X-Minio-Write-Quorum while every set has write quorum", async () => {
  const { fetch } = setup({ offline: 1 });
  const response = await fetch(new Request(`${origin}/minio/health/cluster`));
  assertEquals(response.status, 200);
  assertEquals(response.headers.get("x-minio-write-quorum"), "3"); // 2 data = 2 parity: 2 + 1
});

Deno.test("cluster health is 503 when a set lacks write quorum, and read health follows read quorum", async () => {
  const { fetch } = setup({ offline: 2 });
  assertEquals((await fetch(new Request(`${origin}/minio/health/cluster`))).status, 503);
  const read = await fetch(new Request(`${origin}/minio/health/cluster/read`, { method: "HEAD" }));
  assertEquals(read.status, 200);
  assertEquals(read.headers.get("x-minio-read-quorum"), "2");
});

Deno.test("cluster health and admin info use each set's own parity, not the topology's", async () => {
  // The topology says 2 parity of 4; the set was written with 1 parity: read quorum 3.
  const { fetch } = setup({ offline: 2, setParity: 1 });
  const read = await fetch(new Request(`${origin}/minio/health/cluster/read`, { method: "HEAD" }));
  assertEquals(read.status, 503);
  assertEquals(read.headers.get("x-minio-read-quorum"), "3");
  const info = await (await fetch(rootSigned("GET", "/minio/admin/v3/info"))).json();
  assertEquals(info.pools[0].parityDrives, 1);
  assertEquals(info.pools[0].sets[0].parityDrives, 1);
  assertEquals(info.pools[0].sets[0].writeQuorum, 3);
});

Deno.test("metrics refuse anonymous requests and serve root's SigV4 (signed by the AWS SDK)", async () => {
  const { fetch } = setup();
  assertEquals((await fetch(new Request(`${origin}/minio/v2/metrics/cluster`))).status, 403);
  const signed = await signWithSdk(
    { method: "GET", path: "/minio/v2/metrics/cluster" },
    new Date(),
    sdkSigner({ accessKey: root.accessKey, secretKey: root.secretKey }),
  );
  const response = await fetch(
    new Request(`${origin}${signed.rawPath}`, { headers: signed.headers }),
  );
  assertEquals(response.status, 200);
  assert(response.headers.get("content-type")!.startsWith("text/plain; version=0.0.4"));
  await response.body?.cancel();
});

async function prometheusToken(
  secret: string,
  subject: string,
  expiresInSeconds: number,
): Promise<string> {
  return await new jose.SignJWT({})
    .setProtectedHeader({ alg: "HS512", typ: "JWT" })
    .setSubject(subject)
    .setIssuer("prometheus")
    .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds)
    .sign(new TextEncoder().encode(secret));
}

Deno.test("metrics accept a bearer JWT signed HS512 with the root secret (made by jose), and refuse bad ones", async () => {
  const { fetch } = setup();
  const get = (token: string) =>
    fetch(
      new Request(`${origin}/minio/v2/metrics/node`, {
        headers: { authorization: `Bearer ${token}` },
      }),
    );
  const good = await get(await prometheusToken(root.secretKey, root.accessKey, 3600));
  assertEquals(good.status, 200);
  await good.body?.cancel();
  for (
    const token of [
      await prometheusToken("wrong-secret", root.accessKey, 3600),
      await prometheusToken(root.secretKey, root.accessKey, -10),
      await prometheusToken(root.secretKey, "someone-else", 3600),
      "not.a.jwt",
    ]
  ) {
    const response = await get(token);
    assertEquals(response.status, 403, token);
    await response.body?.cancel();
  }
});

Deno.test("metrics are open with MINIO_PROMETHEUS_AUTH_TYPE=public and name requests as the router does", async () => {
  const { fetch } = setup({ public: true, offline: 1 });
  for (const path of ["/photos/cat.jpg", "/photos/cat.jpg", "/photos/missing.jpg"]) {
    const response = await fetch(new Request(`${origin}${path}`));
    await response.text();
  }
  const put = new Request(`${origin}/photos/x`, {
    method: "PUT",
    body: "12345",
    headers: { "content-length": "5" },
  });
  await (await fetch(put)).text();
  const text = await (await fetch(new Request(`${origin}/minio/v2/metrics/cluster`))).text();
  // deno-lint-ignore no-explicit-any
  type Family = any;
  const families = new Map<string, Family>(
    parsePrometheusTextFormat(text).map((f: Family) => [f.name, f]),
  );
  const requests = families.get("minio_s3_requests_total").metrics;
  assertEquals(requests, [
    { value: "3", labels: { api: "GetObject" } },
    { value: "1", labels: { api: "PutObject" } },
  ]);
  assertEquals(families.get("minio_s3_requests_4xx_errors_total").metrics, [{
    value: "1",
    labels: { api: "GetObject" },
  }]);
  assertEquals(families.get("minio_s3_traffic_sent_bytes").metrics, [{ value: String(4 * 11) }]);
  assertEquals(families.get("minio_s3_traffic_received_bytes").metrics, [{ value: "5" }]);
  assertEquals(families.get("minio_cluster_drive_online_total").metrics, [{ value: "3" }]);
  assertEquals(families.get("minio_cluster_drive_offline_total").metrics, [{ value: "1" }]);
  assertEquals(families.get("minio_node_drive_free_bytes").metrics[0], {
    value: "400",
    labels: { drive: "/d1" },
  });
  assert(families.has("minio_s3_requests_duration_seconds"));
  const node = await (await fetch(new Request(`${origin}/minio/v2/metrics/node`))).text();
  assert(!node.includes("minio_cluster_drive_online_total"));
  assert(node.includes("minio_node_drive_total_bytes"));
});

Deno.test("each S3 request is logged once, after its body, with request id, API, bucket, key, status and bytes", async () => {
  const { fetch, lines } = setup();
  const response = await fetch(new Request(`${origin}/photos/a/b.jpg`));
  assertEquals(lines.length, 0); // the body has not gone yet
  assertEquals(await response.text(), "hello world");
  assertEquals(lines.length, 1);
  const { time: _time, durationMs, ...rest } = lines[0];
  assert(durationMs >= 0);
  assertEquals(rest, {
    requestId: "REQ123",
    api: "GetObject",
    method: "GET",
    bucket: "photos",
    key: "a/b.jpg",
    status: 200,
    bytesIn: 0,
    bytesOut: 11,
    remoteAddress: "127.0.0.1",
  });
  await (await fetch(new Request(`${origin}/photos`, { method: "HEAD" }))).body?.cancel();
  assertEquals(lines[1].api, "HeadBucket");
});

Deno.test("admin info needs root's signature and reports topology, drives and deployment", async () => {
  const { fetch } = setup({ offline: 1 });
  assertEquals((await fetch(new Request(`${origin}/minio/admin/v3/info`))).status, 403);
  const wrongKey = new URL("/minio/admin/v3/info", origin);
  const forged = new Request(wrongKey, {
    headers: signedHeaders("GET", wrongKey, {
      accessKey: root.accessKey,
      secretKey: "guessed-secret",
    }, Date.now()),
  });
  assertEquals((await fetch(forged)).status, 403);
  const response = await fetch(rootSigned("GET", "/minio/admin/v3/info"));
  assertEquals(response.status, 200);
  const info = await response.json();
  assertEquals(info.deploymentId, "dep-1");
  assertEquals(info.version, "0.1.0");
  assertEquals(info.offlineDrives, 1);
  assertEquals(info.pools[0].dataDrives, 2);
  assertEquals(info.pools[0].parityDrives, 2);
  assertEquals(info.pools[0].sets[0].hasWriteQuorum, true);
  assertEquals(info.pools[0].sets[0].drives.map((d: { state: string }) => d.state), [
    "offline",
    "online",
    "online",
    "online",
  ]);
});

Deno.test("admin heal of a prefix streams one NDJSON line per object and ends with the counts", async () => {
  const heals: HealResult[] = [
    {
      bucket: "photos",
      key: "a/1",
      versionsChecked: 1,
      shardsHealed: 0,
      drivesHealed: 0,
      state: "ok",
    },
    {
      bucket: "photos",
      key: "a/2",
      versionsChecked: 1,
      shardsHealed: 2,
      drivesHealed: 1,
      state: "healed",
    },
    {
      bucket: "photos",
      key: "a/3",
      versionsChecked: 1,
      shardsHealed: 0,
      drivesHealed: 0,
      state: "unrecoverable",
    },
  ];
  const { fetch, layer, metrics } = setup({ heals });
  const response = await fetch(rootSigned("POST", "/minio/admin/v3/heal/photos/a%2F"));
  assertEquals(
    response.headers.get("content-type"),
    "application/x-ndjson",
    await response.clone().text(),
  );
  const lines = (await response.text()).trim().split("\n").map((line) => JSON.parse(line));
  assertEquals(layer.healed, ["photos/a/"]);
  assertEquals(lines.map((l) => l.key ?? l.type), ["a/1", "a/2", "a/3", "result"]);
  assertEquals(lines[3], {
    type: "result",
    objectsChecked: 3,
    objectsHealed: 1,
    objectsUnrecoverable: 1,
    drivesFormatted: [],
    progressLinesSkipped: 0,
  });
  assertEquals(metrics.healObjectsErrors.get(), 1);
  assertEquals(metrics.healShards.get(), 2);
});

Deno.test("admin heal of everything formats drives first, then heals every bucket", async () => {
  const { fetch, layer } = setup();
  const response = await fetch(rootSigned("POST", "/minio/admin/v3/heal"));
  const lines = (await response.text()).trim().split("\n").map((line) => JSON.parse(line));
  assertEquals(layer.healed, ["photos/"]);
  assertEquals(lines.at(-1).drivesFormatted, ["/d2"]);
});
