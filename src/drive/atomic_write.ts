/**
 * The one durable-write routine of the local drive: write `.minio.sys/tmp/<uuid>` → fdatasync →
 * rename over the target → fsync the target's directory (and any directories just created).
 * A crash at any point leaves the old file or the new one at the target, never a mix; at worst
 * a stray file in tmp, removed by `cleanupTmp()` at the next start.
 */
import * as fs from "../platform/fs.ts";

export interface AtomicWriteContext {
  /** Absolute path of the drive's root: never created here (a missing root is a missing drive). */
  root: string;
  /** Absolute path of the drive's `.minio.sys/tmp`. */
  tmpDir: string;
  /** A fresh unique name for the staged file. */
  randomId: () => string;
}

/** Step 1: stage bytes durably in tmp; returns the staged file's path. */
export async function stageFile(context: AtomicWriteContext, bytes: Uint8Array): Promise<string> {
  const stagedPath = `${context.tmpDir}/${context.randomId()}`;
  const file = await fs.openFile(stagedPath, "createExclusive");
  try {
    await file.write(bytes);
    await file.datasync();
  } catch (error) {
    await file.close().catch(() => {});
    await fs.removeAll(stagedPath).catch(() => {});
    throw error;
  }
  await file.close();
  return stagedPath;
}

/**
 * Step 2: rename the staged file over `targetPath` (parents created) and fsync the directories
 * whose entries changed. After this resolves the new content survives a crash.
 */
export async function commitStaged(
  root: string,
  stagedPath: string,
  targetPath: string,
): Promise<void> {
  await renameWithParents(root, stagedPath, targetPath);
  await fs.syncDir(dirname(targetPath));
}

/** Attempts of a rename whose fresh parent directories a concurrent prune may remove. */
const renameAttemptsMax = 3;

/**
 * rename(2) after creating the target's parents. A concurrent delete may prune a parent that
 * was just created (empty) before the rename lands; then the parents are made again.
 */
export async function renameWithParents(
  root: string,
  source: string,
  target: string,
): Promise<void> {
  for (let attempt = 1;; attempt++) {
    await makeDirsDurably(root, dirname(target));
    try {
      await fs.rename(source, target);
      return;
    } catch (error) {
      const retry = error instanceof fs.FsError && error.kind === "NotFound" &&
        attempt < renameAttemptsMax && (await fs.statIfExists(source)) !== undefined;
      if (!retry) throw error;
    }
  }
}

export async function atomicWrite(
  context: AtomicWriteContext,
  targetPath: string,
  bytes: Uint8Array,
): Promise<void> {
  const stagedPath = await stageFile(context, bytes);
  try {
    await commitStaged(context.root, stagedPath, targetPath);
  } catch (error) {
    await fs.removeAll(stagedPath).catch(() => {});
    throw error;
  }
}

/**
 * mkdir -p below `root`, then fsync the parents of every directory it created, so the new
 * entries last. `root` itself is never created: when it is missing (an unmounted or removed
 * drive) this fails with NotFound. Directories are made one at a time from the top, so a root
 * that vanishes meanwhile makes the next mkdir fail instead of coming back as an empty ghost.
 */
export async function makeDirsDurably(root: string, dir: string): Promise<void> {
  const existing = await fs.statIfExists(dir);
  if (existing?.isDirectory) return;
  const missing: string[] = [];
  let probe = dir;
  while (!(await fs.statIfExists(probe))) {
    if (probe === root || !probe.startsWith(root === "/" ? "/" : `${root}/`)) {
      throw new fs.FsError("NotFound", "ENOENT", probe);
    }
    missing.push(probe);
    probe = dirname(probe);
  }
  for (const created of missing.reverse()) {
    try {
      await fs.makeDir(created);
    } catch (error) {
      if (!(error instanceof fs.FsError && error.kind === "Exists")) throw error;
      continue; // made meanwhile by a concurrent call
    }
    await fs.syncDir(dirname(created));
  }
}

export function dirname(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? "/" : path.slice(0, slash);
}
