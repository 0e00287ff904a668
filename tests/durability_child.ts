/**
 * Child process for the SIGKILL tests: opens 4 LocalDrives under `root` and writes objects in
 * a loop until killed. Generation g of every object has deterministic content, so the parent
 * can tell a whole generation from a torn mix. Mode "put" writes key `obj-<g>` with
 * generation g (new keys); "overwrite" rewrites the same two keys with every generation.
 */
import { createHash } from "node:crypto";
import { LocalDrive } from "../src/drive/local_drive.ts";
import { bodyOf, makeSet, seededBytes, seededRandom } from "../src/object/_support_test.ts";

export const generations = 64;

export function generationBytes(seed: number, generation: number): Uint8Array {
  const random = seededRandom(seed * 1000 + generation);
  // Alternate inline-sized and multi-block objects.
  return seededBytes(
    random,
    generation % 2 === 0 ? 20_000 + generation : 1_300_000 + generation * 7,
  );
}

export function expectedMd5s(seed: number): Set<string> {
  const sums = new Set<string>();
  for (let g = 0; g < generations; g++) {
    sums.add(createHash("md5").update(generationBytes(seed, g)).digest("hex"));
  }
  return sums;
}

if (import.meta.main) {
  const [root, mode, seedText] = Deno.args;
  const seed = Number(seedText);
  const drives = [];
  for (const i of [1, 2, 3, 4]) {
    await Deno.mkdir(`${root}/d${i}`, { recursive: true });
    const drive = await LocalDrive.open(`${root}/d${i}`);
    await drive.makeVolume("bucket").catch(() => {});
    drives.push(drive);
  }
  const set = makeSet(drives);
  let announced = false;
  for (let g = 0;; g = (g + 1) % generations) {
    const bytes = generationBytes(seed, g);
    const key = mode === "put" ? `obj-${g}` : "obj-a";
    await set.putObject("bucket", key, bodyOf(bytes), {
      sizeBytes: bytes.length,
      metadata: {},
      versioning: "Unversioned",
    });
    if (mode === "overwrite") {
      await set.putObject("bucket", "obj-b", bodyOf(bytes), {
        sizeBytes: bytes.length,
        metadata: {},
        versioning: "Unversioned",
      });
    }
    if (!announced) {
      console.log("ready");
      announced = true;
    }
  }
}
