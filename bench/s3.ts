/**
 * S3 benchmark: PUT and GET of 4 KiB, 1 MiB and 64 MiB objects at concurrency 1 and 16, against
 * aistor (the compiled `dist/aistor`, else `deno run main.ts serve`) on 4 temporary drives and,
 * measured in the same run as the reference, the npm fake server `s3rver` run under Node.
 * Both are driven by the same client (the AWS SDK v3) from this process.
 *
 *   deno task bench s3 [--json] [--only aistor|s3rver]
 *
 * Reports ops/s, MiB/s and p50/p99 latency per cell, and aistor's ratio to s3rver. Each cell is
 * bounded by an op count and a time budget so that the whole run stays under 2 minutes.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { seededBytes as bytesFrom, seededRandom } from "../src/testing/seeded_random.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

interface CellPlan {
  sizeBytes: number;
  concurrency: number;
  opsMax: number;
  budgetMs: number;
}

const plans: CellPlan[] = [
  { sizeBytes: 4 * KiB, concurrency: 1, opsMax: 2_000, budgetMs: 1_500 },
  { sizeBytes: 4 * KiB, concurrency: 16, opsMax: 4_000, budgetMs: 1_500 },
  { sizeBytes: 1 * MiB, concurrency: 1, opsMax: 300, budgetMs: 1_500 },
  { sizeBytes: 1 * MiB, concurrency: 16, opsMax: 600, budgetMs: 1_500 },
  { sizeBytes: 64 * MiB, concurrency: 1, opsMax: 3, budgetMs: 3_000 },
  { sizeBytes: 64 * MiB, concurrency: 16, opsMax: 16, budgetMs: 12_000 },
];

export interface CellResult {
  server: string;
  op: "PUT" | "GET";
  sizeBytes: number;
  concurrency: number;
  ops: number;
  errors: number;
  seconds: number;
  opsPerSecond: number;
  mibPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

interface RunningServer {
  name: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

export async function run(args: string[]): Promise<void> {
  const json = args.includes("--json");
  const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
  const seed = Number(Deno.env.get("BENCH_SEED") ?? Date.now() % 2 ** 31);
  const log = (text: string) => json ? console.error(text) : console.log(text);
  log(`s3 bench: seed ${seed} (BENCH_SEED to repeat), cells bounded by op count and time`);
  const body = seededBytes(64 * MiB, seed);
  const results: CellResult[] = [];
  const starters = [startAistor, startS3rver].filter((start) =>
    only === undefined || start.name.toLowerCase().includes(only)
  );
  for (const start of starters) {
    const server = await start();
    try {
      log(`${server.name}: ${server.endpoint}`);
      results.push(...await benchServer(server, body, log));
    } finally {
      await server.stop();
    }
  }
  if (json) console.log(JSON.stringify({ seed, results, ratios: ratios(results) }, null, 2));
  else printTable(results);
}

async function benchServer(
  server: RunningServer,
  body: Uint8Array,
  log: (text: string) => void,
): Promise<CellResult[]> {
  const client = new S3Client({
    endpoint: server.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: server.credentials,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  await client.send(new CreateBucketCommand({ Bucket: "bench" })).catch((error) => {
    if (!/BucketAlready/.test(String(error?.name))) throw error;
  });
  const results: CellResult[] = [];
  // Keys written so far, by size: GETs read these (a cell whose PUTs ran out of time reads the
  // objects of the same size written by earlier cells).
  const writtenKeys = new Map<number, string[]>();
  for (const plan of plans) {
    const keys = writtenKeys.get(plan.sizeBytes) ?? [];
    writtenKeys.set(plan.sizeBytes, keys);
    const put = await measure(server.name, "PUT", plan, (i, abortSignal) =>
      client.send(
        new PutObjectCommand({
          Bucket: "bench",
          Key: keyOf(plan, i),
          Body: body.subarray(0, plan.sizeBytes),
          ContentLength: plan.sizeBytes,
        }),
        { abortSignal },
      ).then(() => void keys.push(keyOf(plan, i))));
    log(describe(put));
    const get = await measure(server.name, "GET", plan, async (i, abortSignal) => {
      if (keys.length === 0) throw new Error(`no ${sizeName(plan.sizeBytes)} object was written`);
      const response = await client.send(
        new GetObjectCommand({ Bucket: "bench", Key: keys[i % keys.length] }),
        { abortSignal },
      );
      let bytes = 0;
      for await (const chunk of response.Body as AsyncIterable<Uint8Array>) {
        bytes += chunk.byteLength;
      }
      if (bytes !== plan.sizeBytes) {
        throw new Error(`GET returned ${bytes} bytes, expected ${plan.sizeBytes}`);
      }
    });
    log(describe(get));
    results.push(put, get);
  }
  client.destroy();
  return results;
}

function keyOf(plan: CellPlan, i: number): string {
  return `obj-${plan.sizeBytes}-c${plan.concurrency}-${i}`;
}

async function measure(
  server: string,
  op: "PUT" | "GET",
  plan: CellPlan,
  operation: (i: number, abortSignal: AbortSignal) => Promise<void>,
): Promise<CellResult> {
  const latenciesMs: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + plan.budgetMs;
  // No op starts after the budget; ops still running at twice the budget are aborted and not
  // counted (a safety bound on a machine too loaded to finish one round).
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 2 * plan.budgetMs);
  const worker = async () => {
    while (next < plan.opsMax && performance.now() < deadline) {
      const i = next++;
      const t0 = performance.now();
      try {
        await operation(i, abort.signal);
        latenciesMs.push(performance.now() - t0);
      } catch (error) {
        if (abort.signal.aborted) return;
        if (errors++ === 0) console.error(`${server} ${op} failed: ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, worker));
  clearTimeout(timer);
  const seconds = Math.min(performance.now() - started, 2 * plan.budgetMs) / 1000;
  latenciesMs.sort((a, b) => a - b);
  const ops = latenciesMs.length;
  return {
    server,
    op,
    sizeBytes: plan.sizeBytes,
    concurrency: plan.concurrency,
    ops,
    errors,
    seconds,
    opsPerSecond: ops / seconds,
    mibPerSecond: (ops * plan.sizeBytes) / MiB / seconds,
    p50Ms: percentile(latenciesMs, 0.5),
    p99Ms: percentile(latenciesMs, 0.99),
  };
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

function sizeName(bytes: number): string {
  return bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / KiB} KiB`;
}

function describe(r: CellResult): string {
  return `  ${r.server} ${r.op} ${sizeName(r.sizeBytes)} x${r.concurrency}: ${
    r.opsPerSecond.toFixed(1)
  } ops/s, ` +
    `${r.mibPerSecond.toFixed(1)} MiB/s, p50 ${r.p50Ms.toFixed(1)} ms, p99 ${
      r.p99Ms.toFixed(1)
    } ms` +
    (r.errors > 0 ? `, ${r.errors} errors` : "");
}

function ratios(results: CellResult[]) {
  const aistor = results.filter((r) => r.server === "aistor");
  return aistor.map((a) => {
    const ref = results.find((r) =>
      r.server === "s3rver" && r.op === a.op && r.sizeBytes === a.sizeBytes &&
      r.concurrency === a.concurrency
    );
    return {
      op: a.op,
      sizeBytes: a.sizeBytes,
      concurrency: a.concurrency,
      opsPerSecondRatio: ref ? a.opsPerSecond / ref.opsPerSecond : null,
    };
  });
}

function printTable(results: CellResult[]): void {
  console.log("\nop   size     conc  server   ops/s     MiB/s    p50 ms   p99 ms  vs s3rver");
  for (const r of results) {
    const ratio = r.server === "aistor"
      ? ratios([r, ...results.filter((x) => x.server === "s3rver")])[0].opsPerSecondRatio
      : null;
    console.log(
      [
        r.op.padEnd(4),
        sizeName(r.sizeBytes).padEnd(8),
        String(r.concurrency).padStart(4),
        " " + r.server.padEnd(7),
        r.opsPerSecond.toFixed(1).padStart(8),
        r.mibPerSecond.toFixed(1).padStart(9),
        r.p50Ms.toFixed(1).padStart(8),
        r.p99Ms.toFixed(1).padStart(8),
        ratio === null ? "" : `${ratio.toFixed(2)}x`.padStart(10),
      ].join(" "),
    );
  }
}

// ---- servers ----

const repo = new URL("../", import.meta.url).pathname;

async function startAistor(): Promise<RunningServer> {
  const dataDir = await Deno.makeTempDir({ prefix: "aistor-bench-" });
  const binary = `${repo}dist/aistor`;
  const useBinary = await Deno.stat(binary).then((s) => s.isFile, () => false);
  const credentials = { accessKeyId: "bench-admin", secretAccessKey: "bench-secret-key" };
  const serveArgs = ["serve", "--address", "127.0.0.1:0", `${dataDir}/drive{1...4}`];
  const child = new Deno.Command(useBinary ? binary : Deno.execPath(), {
    args: useBinary ? serveArgs : ["run", "-A", `${repo}main.ts`, ...serveArgs],
    env: {
      AISTOR_ROOT_USER: credentials.accessKeyId,
      AISTOR_ROOT_PASSWORD: credentials.secretAccessKey,
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const port = await waitForLine(child, /serving S3 at https?:\/\/[^:\s]+:(\d+)/);
  return {
    name: "aistor",
    endpoint: `http://127.0.0.1:${port}`,
    credentials,
    stop: () => stopChild(child, dataDir),
  };
}

async function startS3rver(): Promise<RunningServer> {
  const dataDir = await Deno.makeTempDir({ prefix: "s3rver-bench-" });
  const launcher = `${dataDir}/launch.cjs`;
  await Deno.writeTextFile(
    launcher,
    `const S3rver = require(${JSON.stringify(`${repo}node_modules/s3rver`)});
const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: ${
      JSON.stringify(`${dataDir}/data`)
    } });
server.run().then((address) => console.log("s3rver listening on " + address.port));
process.on("SIGTERM", () => server.close().then(() => process.exit(0)));
`,
  );
  const child = new Deno.Command("node", { args: [launcher], stdout: "piped", stderr: "piped" })
    .spawn();
  const port = await waitForLine(child, /s3rver listening on (\d+)/);
  return {
    name: "s3rver",
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    stop: () => stopChild(child, dataDir),
  };
}

async function waitForLine(child: Deno.ChildProcess, pattern: RegExp): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const found = new Promise<string>((resolve, reject) => {
    const read = async (stream: ReadableStream<Uint8Array>) => {
      for await (const chunk of stream) {
        text += decoder.decode(chunk, { stream: true });
        const match = pattern.exec(text);
        if (match) resolve(match[1]);
      }
    };
    Promise.all([read(child.stdout), read(child.stderr)]).then(() =>
      reject(new Error(`server exited:\n${text}`))
    );
    timer = setTimeout(
      () => reject(new Error(`server did not start within 20 s:\n${text}`)),
      20_000,
    );
  });
  try {
    return await found;
  } finally {
    clearTimeout(timer);
  }
}

async function stopChild(child: Deno.ChildProcess, dataDir: string): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch {
    // already gone
  }
  await child.status;
  await Deno.remove(dataDir, { recursive: true }).catch(() => {});
}

function seededBytes(length: number, seed: number): Uint8Array {
  return bytesFrom(seededRandom(seed), length);
}
