import { createOpsFetch } from "../admin/ops_fetch.ts";
import { Healer } from "../admin/healer.ts";
import { MetricsRegistry } from "../admin/metrics.ts";
import { ServerMetrics } from "../admin/server_metrics.ts";
import type { AdminLayer, HealResult } from "../admin/admin_layer.ts";
import { assert, assertEquals } from "../testing/assert.ts";
import { type AdminIo, formatBytes, runAdmin } from "./admin.ts";
import { type AdminCommand, parseArgs } from "./args.ts";

const env = { AISTOR_ROOT_USER: "cli-admin", AISTOR_ROOT_PASSWORD: "cli-secret-key" };

function heal(key: string, state: HealResult["state"]): HealResult {
  return {
    bucket: "photos",
    key,
    versionsChecked: 1,
    shardsHealed: state === "healed" ? 2 : 0,
    drivesHealed: 0,
    state,
  };
}

/** The real admin endpoints over a stand-in object layer, reached in-process by the CLI's fetch. */
function server(heals: HealResult[], secretKey = env.AISTOR_ROOT_PASSWORD) {
  const healed: string[] = [];
  const layer: AdminLayer = {
    storageInfo: () =>
      Promise.resolve({
        deploymentId: "0f3e-dep",
        pools: [{
          index: 0,
          sets: [{
            index: 0,
            parityDrives: 1,
            drives: ["/mnt/d1", "/mnt/d2"].map((endpoint, i) => ({
              endpoint,
              state: i === 0 ? "online" as const : "offline" as const,
              totalBytes: 10 * 2 ** 30,
              freeBytes: 4 * 2 ** 30,
              usedBytes: 6 * 2 ** 30,
              id: "",
            })),
          }],
        }],
        totalBytes: 10 * 2 ** 30,
        freeBytes: 4 * 2 ** 30,
        onlineDrives: 1,
        offlineDrives: 1,
      }),
    healBucket: (bucket, prefix, onProgress) => {
      healed.push(`${bucket}|${prefix}`);
      heals.forEach(onProgress);
      return Promise.resolve({
        objectsChecked: heals.length,
        objectsHealed: heals.filter((h) => h.state === "healed").length,
      });
    },
    healFormat: () =>
      Promise.resolve({
        drivesFormatted: [],
        bucketsHealed: 0,
        objectsChecked: 0,
        objectsHealed: 0,
      }),
    listBuckets: () => Promise.resolve([]),
  };
  const metrics = new ServerMetrics(new MetricsRegistry());
  const ops = createOpsFetch({
    apiFetch: () => new Response(null, { status: 404 }),
    layer,
    healer: new Healer(layer, metrics),
    layouts: [{ index: 0, setCount: 1, setDriveCount: 2, parityDrives: 1 }],
    isReady: () => true,
    metrics,
    credentials: { accessKey: env.AISTOR_ROOT_USER, secretKey },
    prometheusPublic: false,
    domains: [],
    clock: { nowMs: () => Date.now() },
    version: "9.9.9",
    startedMs: Date.now() - 90_000,
  });
  return { ops, healed };
}

function io(ops: ReturnType<typeof server>["ops"], isTty = false) {
  const out: string[] = [];
  const err: string[] = [];
  const adminIo: AdminIo = {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    isTty,
    nowMs: () => Date.now(),
    fetch:
      (async (url: URL, init: RequestInit) =>
        await ops(new Request(url, init), { remoteAddress: "127.0.0.1" })) as typeof fetch,
  };
  return { adminIo, out: () => out.join(""), err: () => err.join("") };
}

function command(...argv: string[]): AdminCommand {
  return parseArgs(["admin", ...argv, "--endpoint", "http://127.0.0.1:9000"], env) as AdminCommand;
}

Deno.test("admin info prints the deployment, each drive's state and usage, and the set's quorum", async () => {
  const { ops } = server([]);
  const { adminIo, out } = io(ops);
  assertEquals(await runAdmin(command("info"), adminIo), 0);
  const text = out();
  assert(text.includes("aistor 9.9.9 at http://127.0.0.1:9000, up 1m30s"), text);
  assert(text.includes("deployment 0f3e-dep"), text);
  assert(text.includes("1 data + 1 parity, write quorum 2"), text); // data = parity: D + 1
  assert(/online\s+\/mnt\/d1\s+6\.0 GiB used of 10\.0 GiB/.test(text), text);
  assert(/offline\s+\/mnt\/d2\n/.test(text), text);
  assert(text.includes("NOT WRITABLE"), text);
});

Deno.test("admin with the wrong root password fails with the server's refusal and exit status 1", async () => {
  const { ops } = server([], "another-secret");
  const { adminIo, err } = io(ops);
  assertEquals(await runAdmin(command("info"), adminIo), 1);
  assert(err().includes("answered 403"), err());
});

Deno.test("admin heal BUCKET/PREFIX prints one plain line per object and the counts; 0 when all recovered", async () => {
  const { ops, healed } = server([heal("a/1", "ok"), heal("a/2", "healed")]);
  const { adminIo, out } = io(ops);
  assertEquals(await runAdmin(command("heal", "photos/a/"), adminIo), 0);
  assertEquals(healed, ["photos|a/"]);
  assertEquals(
    out(),
    [
      "ok               photos/a/1\n",
      "healed           photos/a/2\n",
      "heal done: 2 objects checked, 1 healed, 0 unrecoverable\n",
    ].join(""),
  );
});

Deno.test("admin heal exits 1 when something is unrecoverable, and draws a bar on a terminal", async () => {
  const { ops } = server([heal("x", "ok"), heal("y", "unrecoverable")]);
  const { adminIo, out } = io(ops, true);
  assertEquals(await runAdmin(command("heal", "photos"), adminIo), 1);
  assert(out().includes("UNRECOVERABLE photos/y"), out());
  assert(out().includes("] 2 checked, 0 healed, 1 unrecoverable\n"), out());
  assert(out().endsWith("heal done: 2 objects checked, 0 healed, 1 unrecoverable\n"), out());
});

Deno.test("admin against an endpoint that does not answer says so and exits 1", async () => {
  const { adminIo, err } = io(server([]).ops);
  adminIo.fetch = (() => Promise.reject(new TypeError("connection refused"))) as typeof fetch;
  assertEquals(await runAdmin(command("info"), adminIo), 1);
  assert(err().includes("Cannot reach http://127.0.0.1:9000: connection refused"), err());
});

Deno.test("formatBytes uses binary units", () => {
  assertEquals(formatBytes(512), "512 B");
  assertEquals(formatBytes(1536), "1.5 KiB");
  assertEquals(formatBytes(10 * 2 ** 30), "10.0 GiB");
});
