/**
 * Object layer throughput alone (no HTTP): PUT and GET MiB/s on 4 and 16 LocalDrives, on disk
 * (a temp dir under /var/tmp) and on tmpfs (/dev/shm), beside the same bytes written as plain
 * files with fsync (and read back) in the same run, on the same medium.
 *
 * Also: 64-byte PUTs per second and ListObjects keys per second over them (`--list-keys`).
 *
 * `deno task bench object [--json] [--mib N] [--object-mib N] [--concurrency N] [--list-keys N]`
 */
import * as fs from "node:fs/promises";
import { LocalDrive } from "../src/drive/local_drive.ts";
import { openObjectLayer } from "../src/object/mod.ts";
import { parseTopology } from "../src/topology/mod.ts";

const mib = 1024 * 1024;
const chunkBytes = 256 * 1024;

interface Options {
  json: boolean;
  /** Bytes written (and read) per configuration. */
  totalMib: number;
  objectMib: number;
  concurrency: number;
  /** Small objects written and then listed per configuration. */
  listKeys: number;
}

interface Row {
  medium: "disk" | "tmpfs";
  drives: number;
  sets: string;
  putMibps: number;
  /** 64-byte PUTs per second (8 in flight), and keys listed per second over them. */
  smallPutsPerSec: number;
  listKeysPerSec: number;
  getMibps: number;
  plainWriteFsyncMibps: number;
  plainReadMibps: number;
  objects: number;
  objectMib: number;
}

function parseOptions(args: string[]): Options {
  const value = (flag: string, fallback: number) => {
    const at = args.indexOf(flag);
    return at >= 0 ? Number(args[at + 1]) : fallback;
  };
  return {
    json: args.includes("--json"),
    totalMib: value("--mib", 128),
    objectMib: value("--object-mib", 16),
    concurrency: value("--concurrency", 2),
    listKeys: value("--list-keys", 300),
  };
}

function randomBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65536) {
    crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65536)));
  }
  return bytes;
}

/** The payload as a stream of 256 KiB chunks (views, no copies). */
function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, at + chunkBytes));
      at += chunkBytes;
    },
  });
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<number> {
  let total = 0;
  for await (const chunk of stream) total += chunk.length;
  return total;
}

/** Run `count` jobs with at most `concurrency` in flight. */
async function pool(
  count: number,
  concurrency: number,
  job: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

function mibps(bytes: number, ms: number): number {
  return bytes / mib / (ms / 1000);
}

async function measureLayer(
  root: string,
  driveCount: number,
  payload: Uint8Array,
  options: Options,
) {
  const dirs = Array.from({ length: driveCount }, (_, i) => `${root}/d${i + 1}`);
  for (const dir of dirs) await fs.mkdir(dir, { recursive: true });
  const topology = parseTopology([`${root}/d{1...${driveCount}}`], {});
  const { layer } = await openObjectLayer({
    topology,
    makeDrive: (endpoint) => new LocalDrive(endpoint),
    clock: { nowNs: () => BigInt(Date.now()) * 1_000_000n },
    randomUuid: () => crypto.randomUUID(),
  });
  await layer.makeBucket("bench", { versioning: false, objectLock: false });
  const objects = Math.max(1, Math.round(options.totalMib / options.objectMib));
  const size = options.objectMib * mib;
  // One warm-up object so JIT and first-directory costs are not in the figure.
  await layer.putObject("bench", "warmup", streamOf(payload.subarray(0, size)), {
    sizeBytes: size,
    metadata: {},
  });
  let start = performance.now();
  await pool(objects, options.concurrency, async (i) => {
    await layer.putObject("bench", `obj-${i}`, streamOf(payload.subarray(0, size)), {
      sizeBytes: size,
      metadata: {},
    });
  });
  const putMs = performance.now() - start;
  start = performance.now();
  let read = 0;
  await pool(objects, options.concurrency, async (i) => {
    const bytes = await drain((await layer.getObject("bench", `obj-${i}`, {})).body);
    read += bytes;
  });
  const getMs = performance.now() - start;
  if (read !== objects * size) {
    throw new Error(`GET returned ${read} bytes, expected ${objects * size}`);
  }
  const listing = await measureListing(layer, options);
  await layer.close();
  const set = topology.pools[0];
  return {
    putMibps: mibps(objects * size, putMs),
    getMibps: mibps(objects * size, getMs),
    ...listing,
    objects,
    sets: `${set.setCount}×${set.setDriveCount}`,
  };
}

/** The same bytes as plain files: write + fsync each, then read them back. */
async function measurePlain(
  root: string,
  payload: Uint8Array,
  objects: number,
  size: number,
  concurrency: number,
) {
  await fs.mkdir(root, { recursive: true });
  let start = performance.now();
  await pool(objects, concurrency, async (i) => {
    const handle = await fs.open(`${root}/plain-${i}`, "w");
    try {
      for (let at = 0; at < size; at += mib) {
        await handle.write(payload.subarray(at, Math.min(size, at + mib)));
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
  const writeMs = performance.now() - start;
  start = performance.now();
  await pool(objects, concurrency, async (i) => {
    const bytes = await fs.readFile(`${root}/plain-${i}`);
    if (bytes.length !== size) throw new Error("short plain read");
  });
  const readMs = performance.now() - start;
  return {
    plainWriteFsyncMibps: mibps(objects * size, writeMs),
    plainReadMibps: mibps(objects * size, readMs),
  };
}

/** Small objects under a few prefixes, then a full listing (1000 keys a page) and a delimited one. */
async function measureListing(
  layer: Awaited<ReturnType<typeof openObjectLayer>>["layer"],
  options: Options,
): Promise<{ smallPutsPerSec: number; listKeysPerSec: number }> {
  const tiny = new Uint8Array(64);
  let start = performance.now();
  await pool(options.listKeys, 8, async (i) => {
    await layer.putObject("bench", `small/p${i % 10}/k-${i}`, streamOf(tiny), {
      sizeBytes: 64,
      metadata: {},
    });
  });
  const putMs = performance.now() - start;
  start = performance.now();
  let listed = 0;
  let after = "";
  for (;;) {
    const page = await layer.listObjects("bench", {
      prefix: "small/",
      delimiter: "",
      after,
      maxKeys: 1000,
    });
    listed += page.objects.length;
    if (!page.isTruncated) break;
    after = page.nextAfter;
  }
  const listMs = performance.now() - start;
  if (listed !== options.listKeys) {
    throw new Error(`listed ${listed} keys, expected ${options.listKeys}`);
  }
  return {
    smallPutsPerSec: options.listKeys / (putMs / 1000),
    listKeysPerSec: options.listKeys / (listMs / 1000),
  };
}

async function measure(
  medium: Row["medium"],
  drives: number,
  payload: Uint8Array,
  options: Options,
): Promise<Row> {
  const base = medium === "disk" ? "/var/tmp" : "/dev/shm";
  const root = await fs.mkdtemp(`${base}/aistor-bench-object-`);
  try {
    const layer = await measureLayer(`${root}/layer`, drives, payload, options);
    const plain = await measurePlain(
      `${root}/plain`,
      payload,
      layer.objects,
      options.objectMib * mib,
      options.concurrency,
    );
    return { medium, drives, ...layer, ...plain, objectMib: options.objectMib };
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

function table(rows: Row[], options: Options): string {
  const head =
    `object layer alone, ${options.objectMib} MiB objects, ${options.concurrency} in flight, ` +
    `${rows[0]?.objects ?? 0} objects per figure (MiB/s; plain = same bytes as files, fsync'd)`;
  const lines = [
    head,
    "medium  drives  sets    PUT      GET      plain write+fsync  plain read   PUT/plain  small PUT/s  LIST keys/s",
  ];
  for (const r of rows) {
    lines.push(
      `${r.medium.padEnd(6)}  ${String(r.drives).padStart(6)}  ${r.sets.padEnd(6)}  ${
        r.putMibps.toFixed(0).padStart(6)
      }  ` +
        `${r.getMibps.toFixed(0).padStart(7)}  ${
          r.plainWriteFsyncMibps.toFixed(0).padStart(17)
        }  ` +
        `${r.plainReadMibps.toFixed(0).padStart(10)}   ${
          (r.putMibps / r.plainWriteFsyncMibps).toFixed(2).padStart(8)
        }  ${r.smallPutsPerSec.toFixed(0).padStart(11)}  ${
          r.listKeysPerSec.toFixed(0).padStart(11)
        }`,
    );
  }
  return lines.join("\n");
}

export async function run(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const payload = randomBytes(options.objectMib * mib);
  const rows: Row[] = [];
  for (const medium of ["tmpfs", "disk"] as const) {
    for (const drives of [4, 16]) rows.push(await measure(medium, drives, payload, options));
  }
  console.log(
    options.json ? JSON.stringify({ bench: "object", ...options, rows }) : table(rows, options),
  );
}

if (import.meta.main) await run(Deno.args);
