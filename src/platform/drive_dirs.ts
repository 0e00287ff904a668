/**
 * Start-up checks of the directories given as drives: each must be (or become) a writable
 * directory. Failures are one line saying what is wrong and how to fix it.
 */
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import process from "node:process";

export class DriveDirectoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DriveDirectoryError";
  }
}

export async function prepareDriveDirectory(path: string): Promise<void> {
  const existing = await stat(path).catch(() => undefined);
  if (existing && !existing.isDirectory()) {
    throw new DriveDirectoryError(
      `Cannot use drive "${path}": it is a file, not a directory; give a directory (it is created if missing)`,
    );
  }
  try {
    await mkdir(path, { recursive: true });
    const probe = `${path}/.aistor-write-probe-${process.pid}`;
    await writeFile(probe, "ok");
    await rm(probe);
  } catch (error) {
    const code = (error as { code?: string }).code ?? "error";
    throw new DriveDirectoryError(
      `Cannot use drive "${path}": it is not writable (${code}); check its permissions and that its file system is mounted read-write`,
    );
  }
}
