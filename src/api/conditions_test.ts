import { assertEquals } from "../testing/assert.ts";
import {
  type ConditionHeaders,
  etagListMatches,
  evaluateConditions,
  evaluateCopySourceConditions,
} from "./conditions.ts";

const target = { etag: "abc123", modTime: new Date("2026-01-10T12:00:00.500Z") };
const before = "Fri, 09 Jan 2026 12:00:00 GMT";
const same = "Sat, 10 Jan 2026 12:00:00 GMT";
const after = "Sun, 11 Jan 2026 12:00:00 GMT";

function conditions(partial: Partial<ConditionHeaders>): ConditionHeaders {
  return {
    ifMatch: null,
    ifNoneMatch: null,
    ifModifiedSince: null,
    ifUnmodifiedSince: null,
    ...partial,
  };
}

Deno.test("If-Match fails with 412 unless an ETag in the list (or *) matches", () => {
  assertEquals(evaluateConditions(conditions({ ifMatch: '"abc123"' }), target), "proceed");
  assertEquals(evaluateConditions(conditions({ ifMatch: '"x", "abc123"' }), target), "proceed");
  assertEquals(evaluateConditions(conditions({ ifMatch: "*" }), target), "proceed");
  assertEquals(evaluateConditions(conditions({ ifMatch: '"zzz"' }), target), "precondition-failed");
});

Deno.test("If-None-Match answers 304 when an ETag matches, W/ prefixes ignored", () => {
  assertEquals(evaluateConditions(conditions({ ifNoneMatch: '"abc123"' }), target), "not-modified");
  assertEquals(
    evaluateConditions(conditions({ ifNoneMatch: 'W/"abc123"' }), target),
    "not-modified",
  );
  assertEquals(evaluateConditions(conditions({ ifNoneMatch: '"other"' }), target), "proceed");
});

Deno.test("modified-since dates compare at whole seconds", () => {
  assertEquals(evaluateConditions(conditions({ ifModifiedSince: same }), target), "not-modified");
  assertEquals(evaluateConditions(conditions({ ifModifiedSince: before }), target), "proceed");
  assertEquals(evaluateConditions(conditions({ ifUnmodifiedSince: same }), target), "proceed");
  assertEquals(
    evaluateConditions(conditions({ ifUnmodifiedSince: before }), target),
    "precondition-failed",
  );
  assertEquals(
    evaluateConditions(conditions({ ifModifiedSince: "not a date" }), target),
    "proceed",
  );
});

Deno.test("AWS precedence: a true If-Match overrides a false If-Unmodified-Since; If-None-Match overrides If-Modified-Since", () => {
  assertEquals(
    evaluateConditions(conditions({ ifMatch: '"abc123"', ifUnmodifiedSince: before }), target),
    "proceed",
  );
  assertEquals(
    evaluateConditions(conditions({ ifNoneMatch: '"abc123"', ifModifiedSince: before }), target),
    "not-modified",
  );
  assertEquals(
    evaluateConditions(conditions({ ifNoneMatch: '"other"', ifModifiedSince: after }), target),
    "proceed",
  );
});

Deno.test("copy-source conditions turn not-modified into precondition-failed", () => {
  assertEquals(
    evaluateCopySourceConditions(conditions({ ifNoneMatch: '"abc123"' }), target),
    "precondition-failed",
  );
  assertEquals(etagListMatches('"a","b"', "b"), true);
});
