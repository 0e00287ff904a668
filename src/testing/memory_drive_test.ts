import { driveContract } from "./drive_contract.ts";
import { MemoryDrive } from "./memory_drive.ts";

driveContract("MemoryDrive", () => Promise.resolve({ drive: new MemoryDrive("mem1") }));
