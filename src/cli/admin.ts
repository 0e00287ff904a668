/**
 * `aistor admin info|heal --endpoint URL`: the admin API's client. Requests are SigV4-signed
 * with the root credentials from the same environment variables as `serve`.
 * Exit status: 0 done, 1 the server refused, could not be reached, or found unrecoverable objects.
 */
import type { AdminInfo, HealLine } from "../admin/admin_api.ts";
import { encodePath, signedHeaders } from "../admin/admin_signer.ts";
import { stdoutIsTerminal, writeStderr, writeStdout } from "../platform/process.ts";
import type { AdminCommand } from "./args.ts";
import { plural } from "./args.ts";

export interface AdminIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stdout is a terminal: a redrawn progress line instead of one line per object. */
  isTty: boolean;
  nowMs(): number;
  fetch: typeof fetch;
}

export function defaultAdminIo(): AdminIo {
  return {
    stdout: writeStdout,
    stderr: writeStderr,
    isTty: stdoutIsTerminal(),
    nowMs: () => Date.now(),
    fetch: globalThis.fetch.bind(globalThis),
  };
}

export async function runAdmin(
  command: AdminCommand,
  io: AdminIo = defaultAdminIo(),
): Promise<number> {
  try {
    return command.action === "info" ? await runInfo(command, io) : await runHeal(command, io);
  } catch (error) {
    io.stderr(`aistor admin ${command.action}: ${(error as Error).message ?? error}\n`);
    return 1;
  }
}

async function request(
  command: AdminCommand,
  io: AdminIo,
  method: string,
  path: string,
): Promise<Response> {
  const url = new URL(command.endpoint + path);
  const init: RequestInit & { tls?: unknown } = {
    method,
    headers: signedHeaders(method, url, command.credentials, io.nowMs()),
  };
  // Bun's fetch honours this (the compiled binary); Deno ignores it and needs a trusted certificate.
  if (command.insecure) init.tls = { rejectUnauthorized: false };
  let response: Response;
  try {
    response = await io.fetch(url, init);
  } catch (error) {
    throw new Error(`Cannot reach ${command.endpoint}: ${(error as Error).message}`);
  }
  if (!response.ok) {
    const text = await response.text();
    let message = text;
    try {
      message = JSON.parse(text).Message ?? text;
    } catch {
      // not JSON: keep the text
    }
    throw new Error(`${command.endpoint} answered ${response.status}: ${message}`);
  }
  return response;
}

async function runInfo(command: AdminCommand, io: AdminIo): Promise<number> {
  const response = await request(command, io, "GET", "/minio/admin/v3/info");
  io.stdout(formatInfo(command.endpoint, await response.json() as AdminInfo));
  return 0;
}

export function formatInfo(endpoint: string, info: AdminInfo): string {
  const lines = [
    `aistor ${info.version} at ${endpoint}, up ${formatDuration(info.uptimeSeconds)}`,
    `  deployment ${info.deploymentId}`,
    `  drives: ${info.onlineDrives} online, ${info.offlineDrives} offline; ` +
    `${formatBytes(info.freeBytes)} free of ${formatBytes(info.totalBytes)}`,
  ];
  for (const pool of info.pools) {
    lines.push(
      `  pool ${pool.index + 1}: ${
        plural(pool.sets.length, "set")
      } of ${pool.setDriveCount} drives, ` +
        `${pool.dataDrives} data + ${pool.parityDrives} parity, write quorum ${pool.writeQuorum}`,
    );
    for (const set of pool.sets) {
      lines.push(
        `    set ${set.index + 1}: ${
          set.hasWriteQuorum ? "writable" : "NOT WRITABLE (too few drives online)"
        }`,
      );
      const width = Math.max(...set.drives.map((d) => d.endpoint.length));
      for (const drive of set.drives) {
        const usage = drive.state === "offline"
          ? ""
          : `${formatBytes(drive.usedBytes)} used of ${formatBytes(drive.totalBytes)}`;
        lines.push(
          `      ${drive.state.padEnd(8)} ${drive.endpoint.padEnd(width)}  ${usage}`.trimEnd(),
        );
      }
    }
  }
  return lines.join("\n") + "\n";
}

async function runHeal(command: AdminCommand, io: AdminIo): Promise<number> {
  const path = "/minio/admin/v3/heal" +
    (command.target === "" ? "" : "/" + encodePath(command.target));
  const response = await request(command, io, "POST", path);
  const progress = new HealProgress(io);
  let result: Extract<HealLine, { type: "result" }> | undefined;
  for await (const line of ndjsonLines(response.body!)) {
    if (line.type === "progress") progress.object(line);
    else if (line.type === "result") result = line;
    else if (line.type === "error") {
      progress.end();
      io.stderr(`aistor admin heal: the heal failed: ${line.message}\n`);
      return 1;
    }
  }
  progress.end();
  if (result === undefined) {
    io.stderr(`aistor admin heal: the connection ended before the heal's result\n`);
    return 1;
  }
  for (const drive of result.drivesFormatted) io.stdout(`formatted ${drive}\n`);
  io.stdout(
    `heal done: ${result.objectsChecked} objects checked, ${result.objectsHealed} healed, ` +
      `${result.objectsUnrecoverable} unrecoverable\n`,
  );
  return result.objectsUnrecoverable > 0 ? 1 : 0;
}

/** On a terminal one redrawn line with a bar of the object states; otherwise one line per object. */
type Counts = { ok: number; healed: number; unrecoverable: number; other: number };

class HealProgress {
  #counts: Counts = { ok: 0, healed: 0, unrecoverable: 0, other: 0 };
  #drawn = false;

  constructor(readonly io: AdminIo) {}

  object(line: Extract<HealLine, { type: "progress" }>): void {
    const key: keyof Counts =
      line.state === "ok" || line.state === "healed" || line.state === "unrecoverable"
        ? line.state
        : "other";
    this.#counts[key]++;
    if (!this.io.isTty) {
      this.io.stdout(`${line.state.padEnd(16)} ${line.bucket}/${line.key}\n`);
      return;
    }
    if (line.state === "unrecoverable") {
      this.io.stdout(`\r\x1b[2KUNRECOVERABLE ${line.bucket}/${line.key}\n`);
    }
    this.io.stdout(`\r\x1b[2K${this.#bar()} ${line.bucket}/${line.key}`.slice(0, 120));
    this.#drawn = true;
  }

  end(): void {
    if (this.#drawn) this.io.stdout(`\r\x1b[2K${this.#bar()}\n`);
  }

  #bar(): string {
    const { ok, healed, unrecoverable, other } = this.#counts;
    const total = ok + healed + unrecoverable + other;
    const width = 30;
    const cells = (n: number) => Math.round((n / Math.max(total, 1)) * width);
    const healedCells = cells(healed + other);
    const badCells = cells(unrecoverable);
    const bar = "+".repeat(healedCells) + "!".repeat(badCells) +
      "=".repeat(Math.max(0, width - healedCells - badCells));
    return `[${bar}] ${total} checked, ${healed + other} healed, ${unrecoverable} unrecoverable`;
  }
}

async function* ndjsonLines(body: ReadableStream<Uint8Array>): AsyncGenerator<HealLine> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline;
    while ((newline = buffered.indexOf("\n")) !== -1) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line !== "") yield JSON.parse(line);
    }
  }
  if (buffered.trim() !== "") yield JSON.parse(buffered);
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${seconds % 60}s`;
  return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`;
}
