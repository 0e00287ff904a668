/**
 * The `aistor` command: parse the command line and hand over to the command. No logic lives here.
 */
import { parseArgs, UsageError } from "./src/cli/args.ts";
import { serveUntilSignal } from "./src/cli/serve.ts";
import { allEnv, args, exit, writeStderr, writeStdout } from "./src/platform/process.ts";

async function main(): Promise<void> {
  const command = parseArgs(args(), allEnv());
  switch (command.kind) {
    case "help":
    case "version":
      writeStdout(command.text + "\n");
      return;
    case "serve":
      await serveUntilSignal(command, exit);
      return;
    case "admin": {
      const { runAdmin } = await import("./src/cli/admin.ts");
      exit(await runAdmin(command));
    }
  }
}

main().catch((error) => {
  const isUserError = error instanceof UsageError || /Error$/.test(error?.name ?? "") &&
      ["TopologyError", "DriveDirectoryError", "FormatError"].includes(error.name);
  writeStderr(`aistor: ${isUserError ? error.message : error?.stack ?? error}\n`);
  exit(isUserError ? 2 : 1);
});
