import { assertEquals, assertRejects } from "../testing/assert.ts";
import { type DriveState, HealthCheckedDrive } from "./health_checked_drive.ts";
import { DriveError, type StorageDrive } from "./storage_drive.ts";

type Mode = "ok" | "offline" | "hang" | "missing";

/** A stand-in drive whose every call answers according to `mode`, counting the calls it sees. */
function scriptedDrive(endpoint: string) {
  const state = { mode: "ok" as Mode, calls: 0 };
  const answer = (name: string): Promise<unknown> => {
    state.calls++;
    switch (state.mode) {
      case "ok":
        if (name === "info") {
          return Promise.resolve({
            endpoint,
            totalBytes: 100,
            freeBytes: 50,
            usedBytes: 50,
            id: "x",
          });
        }
        if (name === "openShardReader") {
          return Promise.resolve({
            read: () => answer("read"),
            close: () => Promise.resolve(),
          });
        }
        if (name === "createShardFile") {
          return Promise.resolve({
            write: () => answer("write"),
            close: () => answer("close"),
            abort: () => {},
          });
        }
        return Promise.resolve(new Uint8Array([1, 2, 3]));
      case "offline":
        return Promise.reject(new DriveError("DriveOffline", endpoint, "I/O error"));
      case "missing":
        return Promise.reject(new DriveError("FileNotFound", endpoint, "no such file"));
      case "hang":
        return new Promise(() => {});
    }
  };
  const drive = new Proxy({ endpoint } as Record<string | symbol, unknown>, {
    get: (target, name) =>
      // "then" stays undefined: the drive is not a thenable when a promise resolves to it.
      name in target || name === "then"
        ? target[name]
        : (..._args: unknown[]) => answer(String(name)),
  }) as unknown as StorageDrive;
  return { drive, state };
}

function wrap(inner: StorageDrive, changes: [DriveState, string][] = []) {
  return new HealthCheckedDrive(inner, {
    callTimeoutMs: 50,
    probeIntervalMs: 20,
    suspicionProbeMinIntervalMs: 1_000,
    clock: { nowMs: () => Date.now() },
    onStateChange: (_drive, state, reason) => changes.push([state, reason]),
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("a drive failing with DriveOffline is marked offline and later calls fail fast without reaching it", async () => {
  const { drive: inner, state } = scriptedDrive("/d1");
  const drive = wrap(inner);
  state.mode = "offline";
  await assertRejects(() => drive.readAll("b", "k"), DriveError, "I/O error");
  assertEquals(drive.state, "offline");
  const callsBefore = state.calls;
  drive.close(); // no probes: only the fast failure is measured here
  const error = await assertRejects(() => drive.readMetadata("b", "k"), DriveError, "not tried");
  assertEquals((error as DriveError).code, "DriveOffline");
  assertEquals(state.calls, callsBefore);
});

Deno.test("a call that does not answer within callTimeoutMs fails with DriveOffline and marks the drive offline", async () => {
  const { drive: inner, state } = scriptedDrive("/d2");
  const drive = wrap(inner);
  state.mode = "hang";
  const started = Date.now();
  const error = await assertRejects(() => drive.statFile("b", "k"), DriveError, "within 50 ms");
  assertEquals((error as DriveError).code, "DriveOffline");
  assertEquals(Date.now() - started < 1_000, true);
  assertEquals(drive.state, "offline");
  drive.close();
});

Deno.test("an offline drive is probed and taken back when it answers, and the change is reported", async () => {
  const { drive: inner, state } = scriptedDrive("/d3");
  const changes: [DriveState, string][] = [];
  const drive = wrap(inner, changes);
  state.mode = "offline";
  await assertRejects(() => drive.writeAll("b", "k", new Uint8Array(1)));
  await sleep(60);
  assertEquals(drive.state, "offline"); // probes keep failing
  state.mode = "ok";
  await sleep(80);
  assertEquals(drive.state, "online");
  assertEquals(changes.map(([s]) => s), ["offline", "online"]);
  assertEquals(await drive.readAll("b", "k"), new Uint8Array([1, 2, 3]));
  drive.close();
});

Deno.test("FileNotFound from a vanished drive starts a probe that finds it offline; the call keeps its own error", async () => {
  const { drive: inner, state } = scriptedDrive("/d4");
  const drive = wrap(inner);
  // A vanished mount: every file is "not found" and info() fails too.
  state.mode = "missing";
  const error = await assertRejects(() => drive.readMetadata("b", "k"), DriveError);
  assertEquals((error as DriveError).code, "FileNotFound");
  await sleep(10);
  assertEquals(drive.state, "offline");
  drive.close();
});

Deno.test("FileNotFound on a healthy drive leaves it online and probes at most once per interval", async () => {
  const { drive: inner, state } = scriptedDrive("/d5");
  const drive = wrap(inner);
  let infoCalls = 0;
  const realInfo = inner.info.bind(inner);
  inner.info = () => {
    infoCalls++;
    state.mode = "ok";
    return realInfo();
  };
  for (let i = 0; i < 5; i++) {
    state.mode = "missing";
    await assertRejects(() => drive.readMetadata("b", `k${i}`), DriveError);
  }
  await sleep(10);
  assertEquals(drive.state, "online");
  assertEquals(infoCalls, 1);
  drive.close();
});

Deno.test("shard writers returned by an online drive pass writes through and fail fast once it is offline", async () => {
  const { drive: inner, state } = scriptedDrive("/d6");
  const drive = wrap(inner);
  const writer = await drive.createShardFile(".minio.sys", "tmp/x/part.1", 3);
  await writer.write(new Uint8Array(3));
  drive.markOffline("test");
  drive.close();
  const callsBefore = state.calls;
  await assertRejects(() => writer.close(), DriveError, "offline");
  assertEquals(state.calls, callsBefore);
});

Deno.test("a drive that cannot be opened at start is offline, and is opened by a later probe", async () => {
  const { drive: inner } = scriptedDrive("/d7");
  let opens = 0;
  const changes: [DriveState, string][] = [];
  const drive = await HealthCheckedDrive.opening("/d7", () => {
    opens++;
    if (opens < 3) return Promise.reject(new DriveError("DriveOffline", "/d7", "not a directory"));
    return Promise.resolve(inner);
  }, {
    callTimeoutMs: 50,
    probeIntervalMs: 20,
    suspicionProbeMinIntervalMs: 1_000,
    clock: { nowMs: () => Date.now() },
    onStateChange: (_drive, state, reason) => changes.push([state, reason]),
  });
  assertEquals(drive.state, "offline");
  await assertRejects(() => drive.readAll("b", "k"), DriveError, "not tried");
  await sleep(100);
  assertEquals(drive.state, "online");
  assertEquals(opens, 3);
  assertEquals(await drive.readAll("b", "k"), new Uint8Array([1, 2, 3]));
  assertEquals(changes.map(([s]) => s), ["offline", "online"]);
  drive.close();
});

Deno.test("timeouts are reported as Timeout to onError, other failures by their DriveError code", async () => {
  const { drive: inner, state } = scriptedDrive("/d8");
  const codes: string[] = [];
  const drive = new HealthCheckedDrive(inner, {
    callTimeoutMs: 30,
    probeIntervalMs: 1_000,
    suspicionProbeMinIntervalMs: 1_000,
    clock: { nowMs: () => Date.now() },
    onError: (_drive, code) => codes.push(code),
  });
  state.mode = "missing";
  await assertRejects(() => drive.statFile("b", "k"));
  state.mode = "hang";
  await assertRejects(() => drive.statFile("b", "k"));
  drive.close();
  assertEquals(codes.slice(0, 2), ["FileNotFound", "Timeout"]);
});

Deno.test("a drive whose format.json id changes (vanished and re-created, swapped) goes offline until it is the same drive again", async () => {
  const { drive: inner } = scriptedDrive("/d9");
  let id = "uuid-1";
  const realInfo = inner.info.bind(inner);
  inner.info = async () => ({ ...(await realInfo()), id });
  const drive = wrap(inner);
  assertEquals((await drive.info()).id, "uuid-1");
  id = ""; // the directory was re-created empty
  await assertRejects(() => drive.info(), DriveError, 'expected "uuid-1"');
  assertEquals(drive.state, "offline");
  await sleep(60);
  assertEquals(drive.state, "offline"); // probes see the wrong drive
  id = "uuid-1"; // the real drive is back
  await sleep(60);
  assertEquals(drive.state, "online");
  drive.close();
});

Deno.test("acceptUnformatted() lets a wiped drive back in so that a heal can format it", async () => {
  const { drive: inner } = scriptedDrive("/d10");
  let id = "uuid-2";
  const realInfo = inner.info.bind(inner);
  inner.info = async () => ({ ...(await realInfo()), id });
  const drive = wrap(inner);
  await drive.info();
  id = "";
  await assertRejects(() => drive.info(), DriveError);
  drive.close();
  assertEquals(await drive.acceptUnformatted(), "online");
  id = "uuid-3"; // formatted by the heal: the new identity is kept from now on
  assertEquals((await drive.info()).id, "uuid-3");
});

Deno.test("shard readers time out like readFile, mark the drive offline, and then fail fast", async () => {
  const { drive: inner, state } = scriptedDrive("/d9");
  const drive = wrap(inner);
  const reader = await drive.openShardReader("b", "k/dd/part.1");
  assertEquals(await reader.read(0, 3), new Uint8Array([1, 2, 3]));
  state.mode = "hang";
  const error = await assertRejects(() => reader.read(3, 3), DriveError, "within 50 ms");
  assertEquals((error as DriveError).code, "DriveOffline");
  assertEquals(drive.state, "offline");
  drive.close();
  const callsBefore = state.calls;
  await assertRejects(() => reader.read(0, 3), DriveError, "offline");
  await assertRejects(() => drive.openShardReader("b", "k/dd/part.1"), DriveError, "offline");
  assertEquals(state.calls, callsBefore);
  await reader.close();
});
