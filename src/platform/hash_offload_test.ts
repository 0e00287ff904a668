import assert from "node:assert/strict";
import { md5 as referenceMd5 } from "hash-wasm";
import { createInlineMd5, createOffloadedMd5 } from "./hash_offload.ts";

const mib = 1024 * 1024;
const seed = Number(Deno.env.get("AISTOR_SEED") ?? Date.now() % 1_000_000);
console.log(`hash_offload_test seed ${seed} (AISTOR_SEED=${seed} to replay)`);

/** xorshift32 from the seed: reproducible bodies and chunk sizes. */
function randomSource(start: number): () => number {
  let state = start | 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Feed `body` in random chunks through one reused buffer, overwritten right after each update. */
async function hashThroughReusedBuffer(
  body: Uint8Array,
  next: () => number,
  hash = createOffloadedMd5(),
): Promise<string> {
  const lent = new Uint8Array(mib);
  for (let at = 0; at < body.length;) {
    const take = Math.min(body.length - at, 1 + next() % mib);
    lent.set(body.subarray(at, at + take));
    hash.update(lent.subarray(0, take));
    lent.fill(0xee); // the caller reuses its buffer: the hash must have copied
    at += take;
    await hash.ready();
  }
  return toHex(await hash.digest());
}

function randomBody(sizeBytes: number, next: () => number): Uint8Array {
  const body = new Uint8Array(sizeBytes);
  for (let at = 0; at < sizeBytes; at++) body[at] = next() & 0xff;
  return body;
}

Deno.test("the offloaded MD5 of a body fed through a reused buffer equals hash-wasm's MD5", async () => {
  const next = randomSource(seed);
  const body = randomBody(5 * mib + 12345, next);
  assert.equal(await hashThroughReusedBuffer(body, next), await referenceMd5(body));
});

Deno.test("the MD5 of an empty body is d41d8cd9… offloaded as inline", async () => {
  assert.equal(toHex(await createOffloadedMd5().digest()), await referenceMd5(new Uint8Array()));
  assert.equal(toHex(await createInlineMd5().digest()), await referenceMd5(new Uint8Array()));
});

Deno.test("eight interleaved hashes on the one worker each get their own body's MD5", async () => {
  const next = randomSource(seed + 1);
  const bodies = Array.from({ length: 8 }, () => randomBody(next() % (3 * mib), next));
  const digests = await Promise.all(
    bodies.map((body, i) => hashThroughReusedBuffer(body, randomSource(seed + 2 + i))),
  );
  for (const [i, body] of bodies.entries()) assert.equal(digests[i], await referenceMd5(body));
});

Deno.test("updates beyond the queue bound make ready() wait until the worker catches up", async () => {
  const hash = createOffloadedMd5({ queuedBytesMax: mib });
  const block = new Uint8Array(mib).fill(7);
  for (let i = 0; i < 4; i++) hash.update(block);
  let readyAt = -1;
  let updatesAfter = 0;
  const ready = hash.ready().then(() => readyAt = updatesAfter);
  assert.equal(readyAt, -1, "ready() resolved with 4 MiB queued and a 1 MiB bound");
  await ready;
  updatesAfter++;
  assert.equal(readyAt, 0);
  assert.equal(toHex(await hash.digest()), await referenceMd5(new Uint8Array(4 * mib).fill(7)));
});

Deno.test("an aborted hash leaves the worker serving others", async () => {
  const aborted = createOffloadedMd5();
  aborted.update(new Uint8Array(mib));
  aborted.abort();
  const body = new TextEncoder().encode("after an abort");
  const hash = createOffloadedMd5();
  hash.update(body);
  assert.equal(toHex(await hash.digest()), await referenceMd5(body));
});

Deno.test("the inline fallback gives the same MD5 as hash-wasm", async () => {
  const next = randomSource(seed + 100);
  const body = randomBody(2 * mib + 3, next);
  assert.equal(
    await hashThroughReusedBuffer(body, next, createInlineMd5()),
    await referenceMd5(body),
  );
});

const here = new URL(".", import.meta.url);

/** Run `script` (a module in a temp dir importing hash_offload.ts) and return its output. */
async function runScript(runtime: "deno" | "bun", script: string) {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/script.ts`;
    await Deno.writeTextFile(path, script.replaceAll("HERE", here.href));
    const args = runtime === "deno" ? ["run", "-A", path] : [path];
    const child = new Deno.Command(runtime, { args, stdout: "piped", stderr: "piped" }).spawn();
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    const output = await child.output();
    clearTimeout(timer);
    const text = new TextDecoder();
    return {
      code: output.code,
      stdout: text.decode(output.stdout),
      stderr: text.decode(output.stderr),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const exitScript = `
import { createOffloadedMd5 } from "HERE/hash_offload.ts";
const hash = createOffloadedMd5();
hash.update(new TextEncoder().encode("abc"));
const md5 = await hash.digest();
console.log(Array.from(md5, (b) => b.toString(16).padStart(2, "0")).join(""));
`;

for (const runtime of ["deno", "bun"] as const) {
  Deno.test(`under ${runtime} the idle worker lets the process exit after a digest`, async () => {
    const result = await runScript(runtime, exitScript);
    assert.equal(result.stderr.includes("Error"), false, result.stderr);
    assert.equal(result.code, 0, `killed after 20 s or failed: ${result.stderr}`);
    assert.equal(result.stdout.trim(), "900150983cd24fb0d6963f7d28e17f72"); // RFC 1321 "abc"
  });
}

Deno.test("a worker that cannot load fails the pending hash with a HashOffloadError, then hashes go inline", async () => {
  // md5WorkerUrl() cannot be pointed elsewhere from outside; a copy of the module with a broken URL can.
  const source = await Deno.readTextFile(new URL("./hash_offload.ts", import.meta.url));
  const broken = source
    .replace(`new URL("./md5_worker.ts", here)`, `new URL("./no_such_worker.ts", here)`)
    .replace(`"../limits.ts"`, `"${new URL("../limits.ts", import.meta.url).href}"`)
    .replace(`"./md5_worker.ts";`, `"${new URL("./md5_worker.ts", import.meta.url).href}";`);
  assert.ok(broken.includes("no_such_worker.ts"));
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/hash_offload.ts`, broken);
    const module = await import(`${new URL(`file://${dir}/hash_offload.ts`).href}`);
    const failing = module.createOffloadedMd5();
    failing.update(new Uint8Array(10));
    await assert.rejects(failing.digest(), (error: Error) => error.name === "HashOffloadError");
    const inline = module.createOffloadedMd5();
    inline.update(new TextEncoder().encode("abc"));
    assert.equal(toHex(await inline.digest()), "900150983cd24fb0d6963f7d28e17f72");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
