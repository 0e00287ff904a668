import assert from "node:assert/strict";
import { LockTimeoutError, NamespaceLocks } from "./namespace_lock.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("readers share a lock and a writer waits for all of them", async () => {
  const locks = new NamespaceLocks({ timeoutMs: 1000 });
  const r1 = await locks.lock("b/k", "read");
  const r2 = await locks.lock("b/k", "read");
  let writerHasLock = false;
  const w = locks.lock("b/k", "write").then((unlock) => {
    writerHasLock = true;
    return unlock;
  });
  await tick();
  assert.equal(writerHasLock, false);
  r1();
  await tick();
  assert.equal(writerHasLock, false);
  r2();
  (await w)();
  assert.equal(writerHasLock, true);
  assert.equal(locks.activeCount, 0);
});

Deno.test("a waiting writer is served before readers that came after it (FIFO)", async () => {
  const locks = new NamespaceLocks({ timeoutMs: 1000 });
  const order: string[] = [];
  const r1 = await locks.lock("x", "read");
  const w = locks.lock("x", "write").then((u) => (order.push("write"), u));
  const r2 = locks.lock("x", "read").then((u) => (order.push("read2"), u));
  await tick();
  assert.deepEqual(order, []);
  r1();
  const unlockW = await w;
  await tick();
  assert.deepEqual(order, ["write"]);
  unlockW();
  (await r2)();
  assert.deepEqual(order, ["write", "read2"]);
});

Deno.test("lock() rejects with LockTimeoutError when the holder keeps it too long", async () => {
  const locks = new NamespaceLocks({ timeoutMs: 1000 });
  const w = await locks.lock("k", "write");
  await assert.rejects(locks.lock("k", "read", 20), LockTimeoutError);
  w();
  (await locks.lock("k", "read", 20))();
  assert.equal(locks.activeCount, 0);
});

Deno.test("different keys do not block each other; double unlock is a bug", async () => {
  const locks = new NamespaceLocks({ timeoutMs: 1000 });
  const a = await locks.lock("a", "write");
  const b = await locks.lock("b", "write");
  a();
  b();
  assert.throws(() => a());
});
