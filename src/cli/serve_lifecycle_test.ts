import { assertEquals, assertThrows } from "../testing/assert.ts";
import { lifecycleScanIntervalMs } from "../limits.ts";
import { UsageError } from "./args.ts";
import { lifecycleIntervalMsFromEnv } from "./serve.ts";

Deno.test("AISTOR_LIFECYCLE_INTERVAL_MS: unset is the hourly default, a number replaces it, 0 turns it off", () => {
  assertEquals(lifecycleIntervalMsFromEnv(undefined), lifecycleScanIntervalMs);
  assertEquals(lifecycleScanIntervalMs, 3_600_000);
  assertEquals(lifecycleIntervalMsFromEnv("60000"), 60_000);
  assertEquals(lifecycleIntervalMsFromEnv("0"), 0);
  assertThrows(() => lifecycleIntervalMsFromEnv("1h"), UsageError, "AISTOR_LIFECYCLE_INTERVAL_MS");
});
