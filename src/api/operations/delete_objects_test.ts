import { assertEquals, assertThrows } from "../../testing/assert.ts";
import { S3Error } from "../s3_errors.ts";
import { mapBounded, parseDeleteRequest } from "./delete_objects.ts";

Deno.test("parseDeleteRequest reads keys, version ids and Quiet", () => {
  const request = parseDeleteRequest(
    `<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>
      <Object><Key>a</Key></Object><Object><Key>b&amp;c</Key><VersionId>null</VersionId></Object></Delete>`,
  );
  assertEquals(request, {
    quiet: true,
    objects: [{ key: "a" }, { key: "b&c", versionId: "null" }],
  });
});

Deno.test("parseDeleteRequest refuses no keys, over 1000 keys and a keyless Object with MalformedXML", () => {
  const code = (text: string) =>
    (assertThrows(() => parseDeleteRequest(text), S3Error) as S3Error).code;
  assertEquals(code("<Delete></Delete>"), "MalformedXML");
  assertEquals(
    code(`<Delete>${"<Object><Key>k</Key></Object>".repeat(1001)}</Delete>`),
    "MalformedXML",
  );
  assertEquals(code("<Delete><Object><VersionId>v</VersionId></Object></Delete>"), "MalformedXML");
});

Deno.test("mapBounded keeps input order and never exceeds its concurrency", async () => {
  let inFlight = 0;
  let peak = 0;
  const results = await mapBounded([5, 1, 4, 2, 3, 0, 6], 3, async (delayMs) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    inFlight--;
    return delayMs * 10;
  });
  assertEquals(results, [50, 10, 40, 20, 30, 0, 60]);
  assertEquals(peak, 3);
});
