import { assertEquals } from "../testing/assert.ts";
import {
  applyDefaultRetention,
  defaultRetentionFor,
  defaultRetentionFromXml,
  defaultRetentionProblem,
  deleteVersionProblem,
  lockStateFromMetadata,
  parseRetainUntil,
  type Retention,
  retentionChangeProblem,
  withLegalHold,
  withoutLockMetadata,
  withRetention,
} from "./object_lock.ts";

const now = new Date("2026-06-15T12:00:00.000Z");
const future = new Date("2026-07-01T00:00:00.000Z");
const later = new Date("2026-08-01T00:00:00.000Z");
const past = new Date("2026-06-01T00:00:00.000Z");

const governance = (retainUntil: Date): Retention => ({ mode: "GOVERNANCE", retainUntil });
const compliance = (retainUntil: Date): Retention => ({ mode: "COMPLIANCE", retainUntil });

Deno.test("lockStateFromMetadata reads MinIO's lowercase keys and the canonical spelling alike", () => {
  const lower = lockStateFromMetadata({
    "x-amz-object-lock-mode": "COMPLIANCE",
    "x-amz-object-lock-retain-until-date": "2030-01-02T03:04:05.000Z",
    "x-amz-object-lock-legal-hold": "ON",
  });
  assertEquals(lower, {
    retention: compliance(new Date(Date.UTC(2030, 0, 2, 3, 4, 5))),
    legalHold: true,
  });
  // Older MinIO releases wrote RFC 3339 without milliseconds.
  const canonical = lockStateFromMetadata(
    new Map([
      ["X-Amz-Object-Lock-Mode", "GOVERNANCE"],
      ["X-Amz-Object-Lock-Retain-Until-Date", "2030-01-02T03:04:05Z"],
    ]),
  );
  assertEquals(canonical.retention?.mode, "GOVERNANCE");
  assertEquals(canonical.legalHold, false);
});

Deno.test("lockStateFromMetadata: no keys, an unknown mode or a bad date mean no retention", () => {
  assertEquals(lockStateFromMetadata({}), { legalHold: false });
  assertEquals(
    lockStateFromMetadata({
      "x-amz-object-lock-mode": "FOREVER",
      "x-amz-object-lock-retain-until-date": "2030-01-02T03:04:05Z",
    }),
    { legalHold: false },
  );
  assertEquals(
    lockStateFromMetadata({
      "x-amz-object-lock-mode": "COMPLIANCE",
      "x-amz-object-lock-retain-until-date": "next tuesday",
    }),
    { legalHold: false },
  );
  assertEquals(lockStateFromMetadata({ "x-amz-object-lock-legal-hold": "OFF" }).legalHold, false);
});

Deno.test("parseRetainUntil accepts ISO 8601 with a zone and refuses dates without one", () => {
  assertEquals(parseRetainUntil("2030-01-01T00:00:00Z")?.toISOString(), "2030-01-01T00:00:00.000Z");
  assertEquals(
    parseRetainUntil("2030-01-01T02:00:00+02:00")?.toISOString(),
    "2030-01-01T00:00:00.000Z",
  );
  assertEquals(parseRetainUntil("2030-01-01"), undefined);
  assertEquals(parseRetainUntil("2030-01-01T00:00:00"), undefined);
});

Deno.test("deleting a version: a legal hold refuses even with bypass and without retention", () => {
  const problem = deleteVersionProblem({ legalHold: true }, { now, bypassGovernance: true });
  assertEquals(problem, "a legal hold is on");
});

Deno.test("deleting a version under active COMPLIANCE is refused, with or without bypass", () => {
  for (const bypassGovernance of [false, true]) {
    const problem = deleteVersionProblem(
      { retention: compliance(future), legalHold: false },
      { now, bypassGovernance },
    );
    assertEquals(problem?.includes("COMPLIANCE"), true);
  }
});

Deno.test("deleting a version under active GOVERNANCE needs bypass", () => {
  const state = { retention: governance(future), legalHold: false };
  assertEquals(
    deleteVersionProblem(state, { now, bypassGovernance: false })?.includes("GOVERNANCE"),
    true,
  );
  assertEquals(deleteVersionProblem(state, { now, bypassGovernance: true }), undefined);
});

Deno.test("deleting a version whose retention has passed is allowed in either mode", () => {
  for (const retention of [governance(past), compliance(past)]) {
    assertEquals(
      deleteVersionProblem({ retention, legalHold: false }, { now, bypassGovernance: false }),
      undefined,
    );
  }
});

Deno.test("COMPLIANCE retention can be extended but never shortened, weakened or removed", () => {
  const options = { now, bypassGovernance: true };
  assertEquals(retentionChangeProblem(compliance(future), compliance(later), options), undefined);
  assertEquals(
    retentionChangeProblem(compliance(later), compliance(future), options) !== undefined,
    true,
  );
  assertEquals(
    retentionChangeProblem(compliance(future), governance(later), options) !== undefined,
    true,
  );
  assertEquals(retentionChangeProblem(compliance(future), undefined, options) !== undefined, true);
});

Deno.test("GOVERNANCE retention: extending or hardening is free, shortening or removing needs bypass", () => {
  const plain = { now, bypassGovernance: false };
  const bypass = { now, bypassGovernance: true };
  assertEquals(retentionChangeProblem(governance(future), governance(later), plain), undefined);
  assertEquals(retentionChangeProblem(governance(future), compliance(future), plain), undefined);
  assertEquals(
    retentionChangeProblem(governance(later), governance(future), plain) !== undefined,
    true,
  );
  assertEquals(retentionChangeProblem(governance(future), undefined, plain) !== undefined, true);
  assertEquals(retentionChangeProblem(governance(later), governance(future), bypass), undefined);
  assertEquals(retentionChangeProblem(governance(future), undefined, bypass), undefined);
});

Deno.test("any retention change is allowed once the current retention has passed", () => {
  const options = { now, bypassGovernance: false };
  assertEquals(retentionChangeProblem(compliance(past), undefined, options), undefined);
  assertEquals(retentionChangeProblem(undefined, governance(future), options), undefined);
});

Deno.test("defaultRetentionFromXml reads the rule MinIO and S3 clients write", () => {
  const xml =
    `<ObjectLockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>3</Days></DefaultRetention></Rule></ObjectLockConfiguration>`;
  assertEquals(defaultRetentionFromXml(xml), { mode: "GOVERNANCE", days: 3 });
  assertEquals(
    defaultRetentionFromXml(
      "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>",
    ),
    undefined,
  );
  assertEquals(
    defaultRetentionFromXml(
      "<ObjectLockConfiguration><Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Years>2</Years></DefaultRetention></Rule></ObjectLockConfiguration>",
    ),
    { mode: "COMPLIANCE", years: 2 },
  );
});

Deno.test("defaultRetentionProblem enforces one of Days/Years, positive, within AWS's bounds", () => {
  assertEquals(defaultRetentionProblem({ mode: "GOVERNANCE", days: 1 }), undefined);
  assertEquals(defaultRetentionProblem({ mode: "GOVERNANCE" }) !== undefined, true);
  assertEquals(
    defaultRetentionProblem({ mode: "GOVERNANCE", days: 1, years: 1 }) !== undefined,
    true,
  );
  assertEquals(defaultRetentionProblem({ mode: "GOVERNANCE", days: 0 }) !== undefined, true);
  assertEquals(defaultRetentionProblem({ mode: "COMPLIANCE", days: 36_501 }) !== undefined, true);
  assertEquals(defaultRetentionProblem({ mode: "COMPLIANCE", years: 101 }) !== undefined, true);
  assertEquals(defaultRetentionProblem({ mode: "LOCKED", days: 1 }) !== undefined, true);
});

Deno.test("default retention runs from the write: days of 24 h, years by the calendar", () => {
  assertEquals(
    defaultRetentionFor({ mode: "GOVERNANCE", days: 3 }, now).retainUntil.toISOString(),
    "2026-06-18T12:00:00.000Z",
  );
  // Go's AddDate (MinIO) and the calendar agree: 29 Feb + 1 year is 1 March.
  assertEquals(
    defaultRetentionFor({ mode: "COMPLIANCE", years: 1 }, new Date("2028-02-29T00:00:00Z"))
      .retainUntil.toISOString(),
    "2029-03-01T00:00:00.000Z",
  );
});

Deno.test("applyDefaultRetention fills in the bucket default only when the request has none", () => {
  const lockXml =
    "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Days>1</Days></DefaultRetention></Rule></ObjectLockConfiguration>";
  assertEquals(applyDefaultRetention({ "x-amz-meta-a": "1" }, { objectLockXml: lockXml, now }), {
    "x-amz-meta-a": "1",
    "x-amz-object-lock-mode": "COMPLIANCE",
    "x-amz-object-lock-retain-until-date": "2026-06-16T12:00:00.000Z",
  });
  const own = {
    "x-amz-object-lock-mode": "GOVERNANCE",
    "x-amz-object-lock-retain-until-date": "2027-01-01T00:00:00.000Z",
  };
  assertEquals(applyDefaultRetention(own, { objectLockXml: lockXml, now }), own);
  assertEquals(applyDefaultRetention({}, { objectLockXml: undefined, now }), {});
});

Deno.test("metadata edits keep every other key and replace only the lock keys", () => {
  const metaUser = new Map([
    ["etag", "abc"],
    ["X-Amz-Object-Lock-Mode", "GOVERNANCE"],
    ["X-Amz-Object-Lock-Retain-Until-Date", "2030-01-01T00:00:00Z"],
  ]);
  const replaced = withRetention(metaUser, compliance(later));
  assertEquals([...replaced.entries()], [
    ["etag", "abc"],
    ["x-amz-object-lock-mode", "COMPLIANCE"],
    ["x-amz-object-lock-retain-until-date", "2026-08-01T00:00:00.000Z"],
  ]);
  assertEquals([...withRetention(metaUser, undefined).keys()], ["etag"]);
  assertEquals(withLegalHold(metaUser, true).get("x-amz-object-lock-legal-hold"), "ON");
  assertEquals(
    withoutLockMetadata({ "x-amz-meta-a": "1", "x-amz-object-lock-legal-hold": "ON" }),
    { "x-amz-meta-a": "1" },
  );
});
