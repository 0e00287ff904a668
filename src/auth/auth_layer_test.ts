import assert from "node:assert/strict";

const allowedOutside = new Set(["../platform/crypto.ts", "../limits.ts"]);

Deno.test("auth is pure: its modules import only each other, limits.ts and platform/crypto.ts", async () => {
  const folder = new URL("./", import.meta.url);
  let importCount = 0;
  for await (const entry of Deno.readDir(folder)) {
    if (
      !entry.name.endsWith(".ts") || entry.name.endsWith("_test.ts") ||
      entry.name.startsWith("_test")
    ) continue;
    const source = await Deno.readTextFile(new URL(entry.name, folder));
    const imports = [...source.matchAll(/^(?:import|export)[^;]*?from\s+"([^"]+)"/gms)].map((m) =>
      m[1]
    );
    importCount += imports.length;
    for (const specifier of imports) {
      const ok = (specifier.startsWith("./") && specifier.endsWith(".ts")) ||
        allowedOutside.has(specifier);
      assert.ok(ok, `${entry.name} imports ${specifier}`);
    }
    assert.doesNotMatch(source, /\b(Deno|Bun)\./, `${entry.name} touches the runtime`);
  }
  assert.ok(importCount > 20, `found only ${importCount} imports: the scan is broken`);
});
