/**
 * The compiled binary as an operator sees it: health checks as MinIO answers them, Prometheus
 * metrics behind root auth (or public), one JSON log line per request, the start-up banner,
 * `aistor admin info`, and HTTPS from --certs-dir.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { sdkSigner } from "../../src/auth/_test_signer.ts";
import { assert, assertEquals } from "../../src/testing/assert.ts";
import {
  accessKey,
  binaryPath,
  run,
  s3Client,
  secretKey,
  seededBytes,
  skipWithoutBinary,
  startBinary,
} from "../e2e/harness.ts";

const ignore = skipWithoutBinary();

/** GET signed by the AWS SDK's signer (the independent oracle) with the root credentials. */
async function signedGet(endpoint: string, path: string): Promise<Response> {
  const url = new URL(path, endpoint);
  const signed = await sdkSigner({ accessKey, secretKey }).sign({
    method: "GET",
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path,
    query: {},
    headers: { host: url.host },
  }, { signingDate: new Date() });
  return await fetch(url, { headers: signed.headers as Record<string, string> });
}

// deno-lint-ignore no-explicit-any
type Family = any;

function families(text: string): Map<string, Family> {
  return new Map(parsePrometheusTextFormat(text).map((f: Family) => [f.name, f]));
}

Deno.test({
  name:
    "health answers as MinIO's, metrics need root and count requests, each request is logged once",
  ignore,
  async fn() {
    const server = await startBinary({ extraArgs: ["--log-requests"] });
    try {
      for (const path of ["/minio/health/live", "/minio/health/ready", "/minio/health/cluster"]) {
        for (const method of ["GET", "HEAD"]) {
          const response = await fetch(server.endpoint + path, { method });
          await response.body?.cancel();
          assertEquals(response.status, 200, `${method} ${path}`);
        }
      }
      const cluster = await fetch(`${server.endpoint}/minio/health/cluster`);
      assertEquals(cluster.headers.get("x-minio-write-quorum"), "3");

      const client = s3Client(server.endpoint);
      await client.send(new CreateBucketCommand({ Bucket: "watched" }));
      const body = seededBytes(300_000, 7);
      const put = await client.send(
        new PutObjectCommand({ Bucket: "watched", Key: "dir/a.bin", Body: body }),
      );
      const got = await client.send(new GetObjectCommand({ Bucket: "watched", Key: "dir/a.bin" }));
      assertEquals((await got.Body!.transformToByteArray()).length, body.length);

      const anonymous = await fetch(`${server.endpoint}/minio/v2/metrics/cluster`);
      await anonymous.body?.cancel();
      assertEquals(anonymous.status, 403);
      const metrics = await signedGet(server.endpoint, "/minio/v2/metrics/cluster");
      assertEquals(metrics.status, 200);
      const parsed = families(await metrics.text());
      const requests = parsed.get("minio_s3_requests_total").metrics;
      const byApi = Object.fromEntries(
        requests.map((m: Family) => [m.labels.api, Number(m.value)]),
      );
      assertEquals(byApi.PutObject, 1);
      assertEquals(byApi.GetObject, 1);
      assertEquals(byApi.CreateBucket, 1);
      assertEquals(parsed.get("minio_cluster_drive_online_total").metrics[0].value, "4");
      assertEquals(parsed.get("minio_node_drive_total_bytes").metrics.length, 4);
      assert(Number(parsed.get("minio_s3_traffic_sent_bytes").metrics[0].value) >= body.length);

      const lines = server.output().split("\n").filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line));
      const putLine = lines.find((line) => line.api === "PutObject");
      assertEquals(putLine.requestId, put.$metadata.requestId);
      assertEquals([putLine.bucket, putLine.key, putLine.status], ["watched", "dir/a.bin", 200]);
      assertEquals(lines.filter((line) => line.api === "GetObject")[0].bytesOut, body.length);
      assert(
        server.output().includes(
          "pool 1: 1 set of 4 drives, 2 data + 2 parity (write quorum 3)",
        ),
      );
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "metrics are open with MINIO_PROMETHEUS_AUTH_TYPE=public; admin info prints the drives",
  ignore,
  async fn() {
    const server = await startBinary({ env: { MINIO_PROMETHEUS_AUTH_TYPE: "public" } });
    try {
      const metrics = await fetch(`${server.endpoint}/minio/v2/metrics/node`);
      assertEquals(metrics.status, 200);
      assert((await metrics.text()).includes("minio_node_drive_free_bytes{drive="));
      const info = await run(binaryPath, ["admin", "info", "--endpoint", server.endpoint], {
        env: { AISTOR_ROOT_USER: accessKey, AISTOR_ROOT_PASSWORD: secretKey },
      });
      assert(info.includes("drives: 4 online, 0 offline"), info);
      for (let i = 1; i <= 4; i++) {
        assert(new RegExp(`online\\s+\\S+/drive${i}\\s`).test(info), info);
      }
    } finally {
      await server.stop();
    }
  },
});

function opensslMissing(): boolean {
  try {
    if (
      new Deno.Command("openssl", { args: ["version"], stdout: "null", stderr: "null" })
        .outputSync().success
    ) {
      return false;
    }
  } catch {
    // not installed
  }
  console.log("skipped: openssl is not installed (needed to make a self-signed certificate)");
  return true;
}

Deno.test({
  name: "--certs-dir serves HTTPS with a self-signed certificate made by openssl",
  ignore: ignore || opensslMissing(),
  async fn() {
    const certs = await Deno.makeTempDir({ prefix: "aistor-certs-" });
    await run("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-addext",
      "basicConstraints=critical,CA:FALSE",
      "-keyout",
      `${certs}/private.key`,
      "-out",
      `${certs}/public.crt`,
    ]);
    const server = await startBinary({ extraArgs: ["--certs-dir", certs] });
    const caCerts = [await Deno.readTextFile(`${certs}/public.crt`)];
    const client = Deno.createHttpClient({ caCerts });
    try {
      assert(server.output().includes("serving S3 at https://127.0.0.1:"), server.output());
      const url = `https://127.0.0.1:${server.port}/minio/health/live`;
      const response = await fetch(url, { client });
      await response.body?.cancel();
      assertEquals(response.status, 200);
      const plain = await fetch(`http://127.0.0.1:${server.port}/minio/health/live`).then(
        (r) => r.status,
        () => "refused",
      );
      assert(plain !== 200, "plain HTTP must not be served on the TLS port");
      // The compiled admin client trusts the self-signed certificate with --insecure.
      const info = await run(binaryPath, [
        "admin",
        "info",
        "--insecure",
        "--endpoint",
        `https://127.0.0.1:${server.port}`,
      ], {
        env: { AISTOR_ROOT_USER: accessKey, AISTOR_ROOT_PASSWORD: secretKey },
      });
      assert(info.includes("drives: 4 online"), info);
    } finally {
      client.close();
      await server.stop();
      await Deno.remove(certs, { recursive: true });
    }
  },
});
