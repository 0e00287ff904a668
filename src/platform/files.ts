/** Whole-file reads for configuration (TLS certificates). */
import { readFile } from "node:fs/promises";

export async function readTextFile(path: string): Promise<string> {
  return new TextDecoder().decode(await readFile(path));
}
