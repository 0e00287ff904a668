/**
 * Memory per request is bounded by blocks, not object size: a 512 MiB object streams through
 * PUT and GET on 4 LocalDrives under /var/tmp with less than 64 MiB of RSS growth in each, and
 * comes back intact (MD5 of the bytes read = ETag = MD5 of the bytes generated, hashed as they
 * were handed to the PUT). The harness is bench/memory.ts (its report explains why the body
 * comes from a ring of chunks).
 */
import assert from "node:assert/strict";
import { freeBytes, measureMemory, neededBytes } from "../bench/memory.ts";

const mib = 1024 * 1024;
const baseDir = "/var/tmp";
const sizeBytes = 512 * mib;
const driveCount = 4;
const growthMaxBytes = 64 * mib;
const freeMinBytes = 2 * 1024 * mib;

const free = await freeBytes(baseDir).catch(() => 0);
const enoughSpace = free >= Math.max(freeMinBytes, neededBytes(sizeBytes, driveCount));
if (!enoughSpace) {
  console.log(
    `memory_test: skipped, ${baseDir} has ${(free / mib).toFixed(0)} MiB free (2 GiB needed)`,
  );
}
const seed = Number(Deno.env.get("AISTOR_SEED") ?? Date.now() % 1_000_000);
console.log(`memory_test seed=${seed} (AISTOR_SEED=${seed} to replay)`);

Deno.test({
  name: "a 512 MiB object streams through PUT and GET with under 64 MiB of RSS growth each",
  ignore: !enoughSpace,
  async fn() {
    const figures = await measureMemory({
      sizeBytes,
      driveCount,
      baseDir,
      chunkBytes: 64 * 1024,
      seed,
      hashSource: true,
      isolate: true,
    });
    const text = (bytes: number) => `${(bytes / mib).toFixed(1)} MiB`;
    console.log(
      `PUT ${text(figures.put.peakGrowthBytes)} ${figures.put.mibPerSec.toFixed(0)} MiB/s, ` +
        `GET ${text(figures.get.peakGrowthBytes)} (${
          text(figures.get.peakGrowthFromStartBytes)
        } above the PUT's baseline) ${figures.get.mibPerSec.toFixed(0)} MiB/s`,
    );
    assert.equal(figures.getBytes, sizeBytes, "GET returns every byte");
    assert.equal(figures.sourceMd5Hex, figures.etag, "the ETag is the MD5 of the bytes sent");
    assert.equal(figures.getMd5Hex, figures.etag, "the bytes read back are the bytes sent");
    assert.ok(
      figures.put.peakGrowthBytes < growthMaxBytes,
      `PUT grew RSS by ${text(figures.put.peakGrowthBytes)}`,
    );
    assert.ok(
      figures.get.peakGrowthFromStartBytes < growthMaxBytes,
      `GET grew RSS by ${text(figures.get.peakGrowthFromStartBytes)} above the PUT's baseline`,
    );
  },
});
