import assert from "node:assert/strict";
import {
  blockCount,
  framedFileSizeBytes,
  shardFileSizeBytes,
  shardSizeBytes,
} from "./erasure_geometry.ts";

const B = 1_048_576;

Deno.test("sizes match the table of spec §6.3 (ShardSize, ShardFileSize, chunks, part file bytes)", () => {
  const rows: [number, number, number, number, number, number][] = [
    // S, D, ShardSize, ShardFileSize, chunks, part file bytes
    [0, 2, 524288, 0, 0, 0],
    [11, 2, 524288, 6, 1, 38],
    [132096, 2, 524288, 66048, 1, 66080],
    [644520, 3, 349526, 214840, 1, 214872],
    [1048577, 2, 524288, 524289, 2, 524353],
    [10485760, 12, 87382, 873820, 10, 874140],
    [67108864, 8, 131072, 8388608, 64, 8390656],
  ];
  for (const [size, d, shardSize, shardFileSize, chunks, fileBytes] of rows) {
    const geometry = { dataShards: d, parityShards: 16 - d, blockSizeBytes: B };
    assert.equal(shardSizeBytes(geometry), shardSize, `ShardSize D=${d}`);
    assert.equal(shardFileSizeBytes(geometry, size), shardFileSize, `ShardFileSize(${size})`);
    assert.equal(blockCount(geometry, size), chunks, `chunks(${size})`);
    assert.equal(framedFileSizeBytes(geometry, size), fileBytes, `part file bytes(${size})`);
  }
  assert.equal(shardFileSizeBytes({ dataShards: 2, parityShards: 2, blockSizeBytes: B }, -1), -1);
});
