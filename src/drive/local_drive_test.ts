import { driveContract } from "../testing/drive_contract.ts";
import { LocalDrive } from "./local_drive.ts";

driveContract("LocalDrive", async () => {
  const root = await Deno.makeTempDir({ prefix: "aistor-drive-" });
  return {
    drive: await LocalDrive.open(root),
    dispose: () => Deno.remove(root, { recursive: true }),
  };
});
