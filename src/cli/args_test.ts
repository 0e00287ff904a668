import { assertEquals, assertThrows } from "../testing/assert.ts";
import { parseAddress, parseArgs, rootCredentials, UsageError } from "./args.ts";

Deno.test("serve without drives uses four drives in the default data folder", () => {
  const command = parseArgs(["serve"], {});
  if (command.kind !== "serve") throw new Error("expected serve");
  assertEquals(command.driveArgs, ["aistor-data/drive{1...4}"]);
  assertEquals(command.usesDefaultDrives, true);
  assertEquals([command.hostname, command.port], ["127.0.0.1", 9000]);
});

Deno.test("AISTOR_DATA_DIR moves the default data folder", () => {
  const command = parseArgs(["serve"], { AISTOR_DATA_DIR: "/srv/data/" });
  if (command.kind !== "serve") throw new Error("expected serve");
  assertEquals(command.driveArgs, ["/srv/data/drive{1...4}"]);
});

Deno.test("serve keeps each drive argument as given, one pool per ellipsis argument", () => {
  const command = parseArgs(["serve", "--address", ":9100", "/a{1...4}", "/b{1...4}"], {});
  if (command.kind !== "serve") throw new Error("expected serve");
  assertEquals(command.driveArgs, ["/a{1...4}", "/b{1...4}"]);
  assertEquals([command.hostname, command.port], ["0.0.0.0", 9100]);
});

Deno.test("root credentials: AISTOR_* wins over MINIO_*, default warns through its source", () => {
  assertEquals(rootCredentials({}).source, "default");
  const minio = rootCredentials({ MINIO_ROOT_USER: "admin", MINIO_ROOT_PASSWORD: "password1" });
  assertEquals([minio.accessKey, minio.secretKey], ["admin", "password1"]);
  const both = rootCredentials({
    MINIO_ROOT_USER: "admin",
    MINIO_ROOT_PASSWORD: "password1",
    AISTOR_ROOT_USER: "root",
    AISTOR_ROOT_PASSWORD: "password2",
  });
  assertEquals(both.accessKey, "root");
  assertThrows(() => rootCredentials({ MINIO_ROOT_USER: "admin" }), UsageError, "set both");
  assertThrows(
    () => rootCredentials({ MINIO_ROOT_USER: "admin", MINIO_ROOT_PASSWORD: "short" }),
    UsageError,
    "at least 8",
  );
});

Deno.test("bad addresses, unknown options and commands are usage errors", () => {
  assertThrows(() => parseAddress("9000"), UsageError, "HOST:PORT");
  assertThrows(() => parseAddress("host:70000"), UsageError, "HOST:PORT");
  assertEquals(parseAddress("[::1]:9000"), { hostname: "::1", port: 9000 });
  assertThrows(() => parseArgs(["serve", "--bogus"], {}), UsageError, "Unknown option");
  assertThrows(() => parseArgs(["serve", "--address"], {}), UsageError, "needs a value");
  assertThrows(() => parseArgs(["frobnicate"], {}), UsageError, "Unknown command");
  assertThrows(() => parseArgs(["admin", "info"], {}), UsageError, "--endpoint");
  assertThrows(
    () => parseArgs(["admin", "heal", "--endpoint", "http://h:1/path"], {}),
    UsageError,
    "scheme, host and port",
  );
});

Deno.test("admin heal takes an optional BUCKET/PREFIX", () => {
  const command = parseArgs(["admin", "heal", "--endpoint", "http://127.0.0.1:9000/", "b/p"], {});
  if (command.kind !== "admin") throw new Error("expected admin");
  assertEquals([command.action, command.endpoint, command.target], [
    "heal",
    "http://127.0.0.1:9000",
    "b/p",
  ]);
});

Deno.test("help and version", () => {
  assertEquals(parseArgs([], {}).kind, "help");
  assertEquals(parseArgs(["--help"], {}).kind, "help");
  assertEquals(parseArgs(["version"], {}).kind, "version");
});
