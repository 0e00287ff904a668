/**
 * Benchmark dispatcher: `deno task bench <name> [args...]` imports `./<name>.ts` and awaits its
 * `run(args)`; e.g. `deno task bench kernels --json`.
 */
import process from "node:process";

interface Bench {
  run(args: string[]): Promise<void>;
}

const [name, ...args] = process.argv.slice(2);
if (name === undefined || !/^[a-z][a-z0-9_]*$/.test(name)) {
  console.error("usage: deno task bench <name> [--json]   (name: kernels, object, s3, ...)");
  process.exit(2);
}
let bench: Bench;
try {
  bench = await import(`./${name}.ts`);
} catch (error) {
  console.error(`Cannot load bench "${name}": ${error instanceof Error ? error.message : error}`);
  process.exit(2);
}
await bench.run(args);
