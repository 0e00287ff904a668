import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { FsError } from "../platform/fs.ts";
import { atomicWrite, makeDirsDurably, renameWithParents } from "./atomic_write.ts";

async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "aistor-atomic-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function assertNotFound(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, (error) => error instanceof FsError && error.kind === "NotFound");
}

Deno.test("makeDirsDurably creates the missing directories below an existing root", async () => {
  await withTempDir(async (dir) => {
    await makeDirsDurably(dir, `${dir}/a/b/c`);
    assert.ok(Deno.statSync(`${dir}/a/b/c`).isDirectory);
    await makeDirsDurably(dir, `${dir}/a/b/c`);
  });
});

Deno.test("makeDirsDurably fails with NotFound and creates nothing when the drive root is missing", async () => {
  await withTempDir(async (dir) => {
    const root = `${dir}/drive`;
    await assertNotFound(makeDirsDurably(root, `${root}/.minio.sys/tmp/u1/dd`));
    assert.equal(existsSync(root), false, "the missing root came back as a ghost directory");
  });
});

Deno.test("renameWithParents and atomicWrite never re-create a drive root that vanished", async () => {
  await withTempDir(async (dir) => {
    const root = `${dir}/drive`;
    Deno.writeTextFileSync(`${dir}/staged`, "x");
    await assertNotFound(renameWithParents(root, `${dir}/staged`, `${root}/bucket/key/xl.meta`));
    const context = { root, tmpDir: `${dir}`, randomId: () => "staged-2" };
    await assertNotFound(atomicWrite(context, `${root}/bucket/a`, new Uint8Array([1])));
    assert.equal(existsSync(root), false);
    assert.equal(existsSync(`${dir}/staged-2`), false, "the staged file is removed on failure");
  });
});
