/**
 * End-to-end harness: runs the compiled single binary (`dist/aistor`, built by compile.sh) on
 * fresh temporary drives, listening on 127.0.0.1 at a free port, and stops it after the test.
 * Tests skip, saying so, when the binary or a real client is missing.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { seededBytes as bytesFrom, seededRandom } from "../../src/testing/seeded_random.ts";

export const binaryPath = Deno.env.get("AISTOR_BIN") ??
  new URL("../../dist/aistor", import.meta.url).pathname;

export const accessKey = "e2e-admin";
export const secretKey = "e2e-secret-key";

export function binaryExists(): boolean {
  try {
    return Deno.statSync(binaryPath).isFile;
  } catch {
    return false;
  }
}

/** `ignore` for Deno.test: true (and a line saying why) when the binary is not built. */
export function skipWithoutBinary(): boolean {
  if (binaryExists()) return false;
  console.log(`skipped: ${binaryPath} not built; run ./compile.sh (deno task test does)`);
  return true;
}

/** `ignore` for Deno.test: true (and a line saying why) when a client command is missing. */
export function skipWithoutCommand(command: string, ...probeArgs: string[]): boolean {
  if (!binaryExists()) return skipWithoutBinary();
  try {
    const result = new Deno.Command(command, { args: probeArgs, stdout: "null", stderr: "null" })
      .outputSync();
    if (result.success) return false;
  } catch {
    // not installed
  }
  console.log(`skipped: "${command}" is not installed (.ci/run installs it)`);
  return true;
}

export interface RunningBinary {
  endpoint: string;
  port: number;
  dataDir: string;
  /** Everything the server printed so far. */
  output(): string;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
}

export interface StartOptions {
  /** Drive arguments; default: 4 drives under a temp dir. */
  driveArgs?: (dataDir: string) => string[];
  env?: Record<string, string>;
  cwd?: string;
  extraArgs?: string[];
  binary?: string;
}

export async function startBinary(options: StartOptions = {}): Promise<RunningBinary> {
  const dataDir = await Deno.makeTempDir({ prefix: "aistor-e2e-" });
  const driveArgs = options.driveArgs?.(dataDir) ?? [`${dataDir}/drive{1...4}`];
  const child = new Deno.Command(options.binary ?? binaryPath, {
    args: ["serve", "--address", "127.0.0.1:0", ...(options.extraArgs ?? []), ...driveArgs],
    env: { AISTOR_ROOT_USER: accessKey, AISTOR_ROOT_PASSWORD: secretKey, ...options.env },
    cwd: options.cwd,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const decoder = new TextDecoder();
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  };
  const collecting = Promise.all([collect(child.stdout), collect(child.stderr)]);
  const port = await waitForPort(() => text, child.status);
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    dataDir,
    output: () => text,
    async stop(signal: Deno.Signal = "SIGTERM") {
      try {
        child.kill(signal);
      } catch {
        // already exited
      }
      const status = await child.status;
      await collecting;
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
      return status.code;
    },
  };
}

async function waitForPort(output: () => string, status: Promise<Deno.CommandStatus>) {
  let exited: Deno.CommandStatus | undefined;
  status.then((s) => exited = s);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const match = /serving S3 at https?:\/\/[^:\s]+:(\d+)/.exec(output());
    if (match) return Number(match[1]);
    if (exited) throw new Error(`aistor exited with ${exited.code}:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`aistor did not start within 20 s:\n${output()}`);
}

export function s3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: accessKey, secretAccessKey: secretKey },
  });
}

/** Run a command, fail with its output when it fails; returns stdout. */
export async function run(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; stdin?: Uint8Array } = {},
): Promise<string> {
  const child = new Deno.Command(command, {
    args,
    env: options.env,
    cwd: options.cwd,
    stdin: options.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin) {
    const writer = child.stdin.getWriter();
    await writer.write(options.stdin);
    await writer.close();
  }
  const result = await child.output();
  const decoder = new TextDecoder();
  if (!result.success) {
    throw new Error(
      `${command} ${args.join(" ")} failed (${result.code}):\n${decoder.decode(result.stdout)}\n${
        decoder.decode(result.stderr)
      }`,
    );
  }
  return decoder.decode(result.stdout);
}

/** Seeded bytes, so a failure reproduces from the printed seed. */
export function seededBytes(length: number, seed: number): Uint8Array {
  return bytesFrom(seededRandom(seed), length);
}

export async function md5Hex(bytes: Uint8Array): Promise<string> {
  const { createHash } = await import("node:crypto");
  return createHash("md5").update(bytes).digest("hex");
}
