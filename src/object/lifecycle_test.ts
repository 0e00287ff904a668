import { assertEquals, assertThrows } from "../testing/assert.ts";
import {
  evaluateKey,
  expiryTime,
  LifecycleError,
  type LifecycleErrorCode,
  parseLifecycleXml,
  uploadAbortRule,
  type VersionFacts,
} from "./lifecycle.ts";

function doc(...rules: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?><LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${
    rules.join("")
  }</LifecycleConfiguration>`;
}

function refused(code: LifecycleErrorCode, xml: string): void {
  const error = assertThrows(() => parseLifecycleXml(xml), LifecycleError) as LifecycleError;
  assertEquals(error.code, code, error.message);
}

const day = 86_400_000;

function version(
  versionId: string,
  modTime: string,
  extra: Partial<VersionFacts> = {},
): VersionFacts {
  return {
    versionId,
    deleteMarker: false,
    modTime: new Date(modTime),
    sizeBytes: 10,
    tags: {},
    ...extra,
  };
}

Deno.test("parseLifecycleXml reads the AWS documentation's example rules", () => {
  const config = parseLifecycleXml(doc(
    `<Rule><ID>logs</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule>`,
    `<Rule><ID>tagged</ID><Filter><And><Prefix>tax/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag><ObjectSizeGreaterThan>100</ObjectSizeGreaterThan></And></Filter><Status>Disabled</Status><NoncurrentVersionExpiration><NoncurrentDays>10</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>`,
    `<Rule><ID>uploads</ID><Filter/><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>`,
    `<Rule><ID>dated</ID><Prefix>old/</Prefix><Status>Enabled</Status><Expiration><Date>2027-01-01T00:00:00Z</Date></Expiration></Rule>`,
  ));
  assertEquals(config.rules.map((r) => [r.id, r.enabled, r.filter.prefix]), [
    ["logs", true, "logs/"],
    ["tagged", false, "tax/"],
    ["uploads", true, ""],
    ["dated", true, "old/"],
  ]);
  assertEquals(config.rules[0].expiration, { days: 30, expiredObjectDeleteMarker: false });
  assertEquals(config.rules[1].filter, {
    prefix: "tax/",
    tags: { k: "v" },
    sizeGreaterThanBytes: 100,
  });
  assertEquals(config.rules[1].noncurrentExpiration, {
    noncurrentDays: 10,
    newerNoncurrentVersions: 2,
  });
  assertEquals(config.rules[2].abortIncompleteUploadDays, 7);
  assertEquals(config.rules[3].expiration?.date?.toISOString(), "2027-01-01T00:00:00.000Z");
});

Deno.test("parseLifecycleXml refuses the wrong shape with MalformedXML", () => {
  refused("MalformedXML", "<NotLifecycle/>");
  refused("MalformedXML", doc());
  refused(
    "MalformedXML",
    doc(`<Rule><Status>On</Status><Expiration><Days>1</Days></Expiration></Rule>`),
  );
  refused(
    "MalformedXML",
    doc(
      `<Rule><Status>Enabled</Status><Expiration><Days>1</Days><Date>2027-01-01T00:00:00Z</Date></Expiration></Rule>`,
    ),
  );
  refused(
    "MalformedXML",
    doc(
      `<Rule><Status>Enabled</Status><Filter><Prefix>a</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Expiration><Days>1</Days></Expiration></Rule>`,
    ),
  );
  refused(
    "MalformedXML",
    doc(
      `<Rule><Status>Enabled</Status><Prefix>a</Prefix><Filter/><Expiration><Days>1</Days></Expiration></Rule>`,
    ),
  );
});

Deno.test("parseLifecycleXml refuses bad values with InvalidArgument", () => {
  const rule = (body: string, id = "r") =>
    `<Rule><ID>${id}</ID><Status>Enabled</Status>${body}</Rule>`;
  refused("InvalidArgument", doc(rule(`<Expiration><Days>0</Days></Expiration>`)));
  refused("InvalidArgument", doc(rule(`<Expiration><Days>-1</Days></Expiration>`)));
  refused(
    "InvalidArgument",
    doc(rule(`<Expiration><Date>2027-01-01T10:00:00Z</Date></Expiration>`)),
  );
  refused("InvalidArgument", doc(rule(`<Expiration><Days>1</Days></Expiration>`, "x".repeat(256))));
  refused(
    "InvalidArgument",
    doc(
      rule(`<Expiration><Days>1</Days></Expiration>`),
      rule(`<Expiration><Days>2</Days></Expiration>`),
    ),
  );
  refused("InvalidArgument", doc(rule("")));
  refused(
    "InvalidArgument",
    doc(
      rule(
        `<NoncurrentVersionExpiration><NewerNoncurrentVersions>101</NewerNoncurrentVersions></NoncurrentVersionExpiration>`,
      ),
    ),
  );
  refused(
    "InvalidArgument",
    doc(
      rule(
        `<Filter><And><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>5</ObjectSizeLessThan></And></Filter><Expiration><Days>1</Days></Expiration>`,
      ),
    ),
  );
  refused(
    "InvalidArgument",
    doc(
      rule(
        `<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>`,
      ),
    ),
  );
  refused(
    "InvalidArgument",
    doc(
      rule(
        `<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>`,
      ),
    ),
  );
  assertEquals(
    parseLifecycleXml(doc(rule(`<Expiration><Days>1</Days></Expiration>`, "x".repeat(255)))).rules
      .length,
    1,
  );
});

Deno.test("transitions are NotImplemented: aistor has no tiers", () => {
  refused(
    "NotImplemented",
    doc(
      `<Rule><Status>Enabled</Status><Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition></Rule>`,
    ),
  );
});

Deno.test("expiryTime rounds up to the next midnight UTC, as S3 documents", () => {
  // S3: an object created 2016-01-15 10:30 UTC with a 3-day rule expires 2016-01-19 00:00 UTC.
  assertEquals(
    expiryTime(new Date("2016-01-15T10:30:00Z"), 3).toISOString(),
    "2016-01-19T00:00:00.000Z",
  );
  assertEquals(
    expiryTime(new Date("2016-01-15T00:00:00Z"), 1).toISOString(),
    "2016-01-16T00:00:00.000Z",
  );
});

Deno.test("evaluateKey expires the current version once its rule's day has come, not before", () => {
  const config = parseLifecycleXml(doc(
    `<Rule><ID>logs</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`,
  ));
  const versions = [version("v1", "2026-01-01T10:00:00Z")];
  assertEquals(evaluateKey(config, "logs/a", versions, new Date("2026-01-02T23:59:59Z")), []);
  assertEquals(evaluateKey(config, "logs/a", versions, new Date("2026-01-03T00:00:00Z")), [
    { kind: "expireCurrent", ruleId: "logs" },
  ]);
  assertEquals(evaluateKey(config, "data/a", versions, new Date("2027-01-01T00:00:00Z")), []);
});

Deno.test("evaluateKey honours tag and size filters and skips disabled rules", () => {
  const config = parseLifecycleXml(doc(
    `<Rule><ID>big</ID><Filter><And><Tag><Key>t</Key><Value>1</Value></Tag><ObjectSizeGreaterThan>100</ObjectSizeGreaterThan></And></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`,
    `<Rule><ID>off</ID><Filter/><Status>Disabled</Status><Expiration><Days>1</Days></Expiration></Rule>`,
  ));
  const later = new Date("2027-01-01T00:00:00Z");
  const at = "2026-01-01T00:00:00Z";
  assertEquals(
    evaluateKey(config, "k", [version("a", at, { sizeBytes: 101, tags: { t: "1" } })], later)
      .length,
    1,
  );
  assertEquals(
    evaluateKey(config, "k", [version("a", at, { sizeBytes: 100, tags: { t: "1" } })], later),
    [],
  );
  assertEquals(
    evaluateKey(config, "k", [version("a", at, { sizeBytes: 101, tags: { t: "2" } })], later),
    [],
  );
});

Deno.test("noncurrent versions expire by the age of their successor, keeping the newer ones asked for", () => {
  const config = parseLifecycleXml(doc(
    `<Rule><ID>nc</ID><Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>1</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>`,
  ));
  const versions = [
    version("v4", "2026-01-10T00:00:00Z"),
    version("v3", "2026-01-05T00:00:00Z"),
    version("v2", "2026-01-03T00:00:00Z"),
    version("v1", "2026-01-01T00:00:00Z"),
  ];
  // v3 is the one newer noncurrent version kept; v2 became noncurrent on 01-05, v1 on 01-03.
  assertEquals(evaluateKey(config, "k", versions, new Date("2026-01-05T12:00:00Z")), [
    { kind: "deleteVersion", versionId: "v1", ruleId: "nc" },
  ]);
  assertEquals(
    evaluateKey(config, "k", versions, new Date("2026-01-06T00:00:00Z")).map((a) =>
      a.kind === "deleteVersion" ? a.versionId : a.kind
    ),
    ["v2", "v1"],
  );
});

Deno.test("a delete marker left alone is removed by ExpiredObjectDeleteMarker, not while versions remain", () => {
  const config = parseLifecycleXml(doc(
    `<Rule><ID>dm</ID><Filter/><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>`,
  ));
  const now = new Date("2026-02-01T00:00:00Z");
  const marker = version("m", "2026-01-02T00:00:00Z", { deleteMarker: true });
  assertEquals(evaluateKey(config, "k", [marker], now), [
    { kind: "deleteVersion", versionId: "m", ruleId: "dm" },
  ]);
  assertEquals(evaluateKey(config, "k", [marker, version("v1", "2026-01-01T00:00:00Z")], now), []);
});

Deno.test("uploadAbortRule aborts uploads older than DaysAfterInitiation under the rule's prefix", () => {
  const config = parseLifecycleXml(doc(
    `<Rule><ID>mp</ID><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`,
  ));
  const initiated = new Date("2026-01-01T08:00:00Z");
  assertEquals(
    uploadAbortRule(config, "tmp/x", initiated, new Date(initiated.getTime() + 2 * day)),
    undefined,
  );
  assertEquals(uploadAbortRule(config, "tmp/x", initiated, new Date("2026-01-04T00:00:00Z")), "mp");
  assertEquals(
    uploadAbortRule(config, "keep/x", initiated, new Date("2027-01-01T00:00:00Z")),
    undefined,
  );
});
