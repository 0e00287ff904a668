import assert from "node:assert/strict";

const probe = new URL("./process.ts", import.meta.url).href;
const code =
  `import { stdoutIsTerminal } from "${probe}"; console.error(String(stdoutIsTerminal()));`;

/** stdoutIsTerminal() as a child process answers it, on stderr (or stdout: `script` relays the pty there). */
async function childAnswer(
  command: string,
  args: string[],
  from: "stdout" | "stderr" = "stderr",
): Promise<string> {
  const output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" })
    .output();
  return new TextDecoder().decode(output[from]).trim().split("\n").at(-1) ?? "";
}

function hasCommand(command: string): boolean {
  try {
    return new Deno.Command(command, { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

Deno.test("stdoutIsTerminal() is false when stdout is a pipe, under Deno and Bun", async () => {
  assert.equal(await childAnswer(Deno.execPath(), ["eval", code]), "false");
  if (hasCommand("bun")) assert.equal(await childAnswer("bun", ["-e", code]), "false");
});

const haveScript = hasCommand("script");
if (!haveScript) console.log("skipping the terminal case: util-linux `script` is not installed");

Deno.test({
  name: "stdoutIsTerminal() is true when stdout is a terminal (a pty made by `script`)",
  ignore: !haveScript,
  async fn() {
    const file = await Deno.makeTempFile({ suffix: ".ts" });
    try {
      await Deno.writeTextFile(file, code);
      const line = `${Deno.execPath()} run -A ${file}`;
      const answer = await childAnswer("script", ["-qec", line, "/dev/null"], "stdout");
      assert.equal(answer.replace(/\r/g, ""), "true");
    } finally {
      await Deno.remove(file);
    }
  },
});
