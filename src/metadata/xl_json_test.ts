import { assertEquals, assertThrows } from "../testing/assert.ts";
import { MsgpackReader } from "./msgpack.ts";
import type { LegacyVersion } from "./types.ts";
import { decodeXlMeta, encodeXlMeta, versionHeader } from "./xl_meta.ts";
import { decodeXlJson, parseRfc3339Ns } from "./xl_json.ts";
import { XlMetaError } from "./xl_meta_error.ts";

const fixtureUrl = new URL(
  "../../../shared/fixtures/minio/derived/legacy-xl.json",
  import.meta.url,
);
const haveFixture = (() => {
  try {
    Deno.statSync(fixtureUrl);
    return true;
  } catch {
    return false;
  }
})();
if (!haveFixture) {
  console.log(`skipping legacy xl.json fixture test: ${fixtureUrl.pathname} is absent`);
}

/** The top-level keys and a few values of a V1Obj map, read back with the msgp reader. */
function v1ObjSummary(raw: Uint8Array): Record<string, unknown> {
  const reader = new MsgpackReader(raw);
  const summary: Record<string, unknown> = {};
  for (let i = reader.readMapHeader(); i > 0; i--) {
    const key = reader.readKey();
    if (key === "Version" || key === "DataDir" || key === "Format") summary[key] = reader.readStr();
    else {
      reader.skip();
      summary[key] = true;
    }
  }
  return summary;
}

Deno.test("RFC 3339 times keep their nanoseconds", () => {
  assertEquals(parseRfc3339Ns("2021-10-11T23:40:34.914361617Z"), 1633995634914361617n);
  assertEquals(parseRfc3339Ns("1970-01-01T01:00:00+01:00"), 0n);
  assertThrows(() => parseRfc3339Ns("yesterday"), XlMetaError);
});

Deno.test({
  name: "MinIO's sample xl.json becomes a legacy version with data dir 'legacy' that xl.meta keeps",
  ignore: !haveFixture,
  fn() {
    const legacy = decodeXlJson(Deno.readFileSync(fixtureUrl));
    assertEquals(legacy.modTimeNs, 1633995634914361617n);
    assertEquals(legacy.versionId, "");
    assertEquals(v1ObjSummary(legacy.raw as Uint8Array), {
      Version: "1.0.1",
      Format: "xl",
      Stat: true,
      Erasure: true,
      Minio: true,
      Meta: true,
      Parts: true,
      VersionID: true,
      DataDir: "legacy",
    });
    const header = versionHeader(legacy);
    assertEquals(header.type, 3);
    const again = decodeXlMeta(encodeXlMeta({ versions: [legacy], inlineData: new Map() }));
    assertEquals((again.versions[0] as LegacyVersion).raw, legacy.raw);
    assertEquals(again.versions[0].modTimeNs, legacy.modTimeNs);
  },
});

Deno.test("xl.json that is not JSON, not format xl, or of an unknown version is an XlMetaError", () => {
  const utf8 = new TextEncoder();
  for (const text of ["{", '{"format":"fs","version":"1.0.1"}', '{"format":"xl","version":"2"}']) {
    assertThrows(() => decodeXlJson(utf8.encode(text)), XlMetaError);
  }
});
