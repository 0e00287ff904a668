/** The process: arguments, environment, exit, signals. Only main.ts and tests use this. */
import process from "node:process";

export function args(): string[] {
  return process.argv.slice(2);
}

export function env(name: string): string | undefined {
  return process.env[name];
}

export function allEnv(): Record<string, string | undefined> {
  return { ...process.env };
}

export function exit(code: number): never {
  process.exit(code);
}

export function onSignal(signal: "SIGINT" | "SIGTERM", handler: () => void): void {
  process.on(signal, handler);
}

export function pid(): number {
  return process.pid;
}

export function memoryRssBytes(): number {
  return process.memoryUsage().rss;
}

export function writeStdout(text: string): void {
  process.stdout.write(text);
}

export function writeStderr(text: string): void {
  process.stderr.write(text);
}

/** Whether stdout is a terminal (Deno and Bun both give node:process's stdout its `isTTY`). */
export function stdoutIsTerminal(): boolean {
  return process.stdout.isTTY === true;
}

export function runtimeName(): string {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  if (g.Bun) return `bun ${g.Bun.version}`;
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  return `node ${process.version}`;
}
