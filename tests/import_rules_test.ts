/**
 * The import rules of DESIGN.md, enforced: dependencies point down, and only `src/platform/`
 * and `main.ts` touch the runtime (`Deno.*`, `Bun.*`, `node:*`). Tests and `src/testing/`
 * (test support) are exempt from the runtime rule, not from the layer rule.
 */
import { assertEquals } from "../src/testing/assert.ts";

const srcRoot = new URL("../src/", import.meta.url);

/** What each folder of src/ may import, besides itself and limits.ts. */
const allowedImports: Record<string, string[]> = {
  kernels: [],
  metadata: [],
  topology: [],
  platform: [],
  auth: ["platform"],
  drive: ["kernels", "platform"],
  object: ["metadata", "drive", "kernels", "topology", "platform"],
  api: ["auth", "object", "platform"],
  admin: ["api", "auth", "object", "topology", "platform"],
  cli: ["admin", "api", "auth", "object", "topology", "drive", "platform"],
  testing: ["drive", "metadata", "kernels", "topology", "object", "platform"],
};

/** Tests may also use test support, and the wiring under test. */
const extraForTests = [
  "testing",
  "drive",
  "metadata",
  "kernels",
  "topology",
  "object",
  "auth",
  "platform",
];

async function* sourceFiles(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) yield* sourceFiles(url);
    else if (entry.name.endsWith(".ts")) yield url;
  }
}

function layerOf(url: URL): string {
  return url.pathname.slice(srcRoot.pathname.length).split("/")[0];
}

function importsOf(text: string): string[] {
  const specifiers: string[] = [];
  const pattern =
    /(?:^|\n)\s*(?:import|export)[^"';]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
  for (const match of text.matchAll(pattern)) specifiers.push(match[1] ?? match[2]);
  return specifiers;
}

/** Runtime use outside comments and strings is what matters; a cheap scrub of both suffices. */
function touchesRuntime(text: string): boolean {
  const code = text
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\/\/.*$/gm, "")
    .replace(/`(?:\\.|[^`\\])*`|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'/g, '""');
  return /\bDeno\.|\bBun\./.test(code);
}

Deno.test("layers of src/ import only the layers below them", async () => {
  const violations: string[] = [];
  for await (const file of sourceFiles(srcRoot)) {
    const layer = layerOf(file);
    if (layer.endsWith(".ts")) continue; // limits.ts
    const isTest = file.pathname.endsWith("_test.ts");
    const allowed = new Set([
      layer,
      ...(allowedImports[layer] ?? []),
      ...(isTest ? extraForTests : []),
    ]);
    for (const specifier of importsOf(await Deno.readTextFile(file))) {
      if (!specifier.startsWith(".")) continue;
      const target = new URL(specifier, file);
      if (!target.pathname.startsWith(srcRoot.pathname)) continue;
      const targetLayer = layerOf(target);
      if (targetLayer === "limits.ts" || allowed.has(targetLayer)) continue;
      violations.push(`${file.pathname.slice(srcRoot.pathname.length)} imports ${specifier}`);
    }
  }
  assertEquals(violations, []);
});

Deno.test("only src/platform/ and main.ts touch Deno.*, Bun.* or node:*", async () => {
  const violations: string[] = [];
  for await (const file of sourceFiles(srcRoot)) {
    const layer = layerOf(file);
    if (layer === "platform" || layer === "testing" || file.pathname.endsWith("_test.ts")) continue;
    const text = await Deno.readTextFile(file);
    const name = file.pathname.slice(srcRoot.pathname.length);
    if (importsOf(text).some((s) => s.startsWith("node:"))) {
      violations.push(`${name} imports node:*`);
    }
    if (touchesRuntime(text)) violations.push(`${name} uses Deno.* or Bun.*`);
  }
  assertEquals(violations, []);
});

Deno.test("every layer named in the rules exists or is planned, and no folder is unruled", async () => {
  const unruled: string[] = [];
  for await (const entry of Deno.readDir(srcRoot)) {
    if (entry.isDirectory && !(entry.name in allowedImports)) unruled.push(entry.name);
  }
  assertEquals(unruled, []);
});
