import { assertEquals, assertThrows } from "../testing/assert.ts";
import { validateBucketName, versioningFromXml, versioningXml } from "./buckets.ts";
import { ObjectError } from "./object_layer.ts";

function isValid(bucket: string, creating = true): boolean {
  try {
    validateBucketName(bucket, { creating });
    return true;
  } catch (error) {
    if (error instanceof ObjectError && error.code === "InvalidBucketName") return false;
    throw error;
  }
}

// Examples from the AWS "General purpose bucket naming rules" page.
Deno.test("validateBucketName() accepts the names AWS gives as valid examples", () => {
  for (
    const name of [
      "docexamplebucket1",
      "log-delivery-march-2020",
      "my-hosted-content",
      "a.b.c",
      "abc",
      "a".repeat(63),
    ]
  ) {
    assertEquals(isValid(name), true, name);
  }
});

Deno.test("validateBucketName() refuses the names AWS gives as invalid examples", () => {
  const invalid = [
    "doc_example_bucket", // underscores
    "DocExampleBucket", // uppercase
    "doc-example-bucket-", // ends with a hyphen
    "ab", // too short
    "a".repeat(64), // too long
    "-abc",
    ".abc",
    "abc.",
    "my..bucket",
    "192.168.5.4",
    "xn--abc",
    "sthree-abc",
    "abc-s3alias",
    "abc--ol-s3",
    "minio",
    ".minio.sys",
    "",
    "a b c",
    "abc/def",
  ];
  for (const name of invalid) assertEquals(isValid(name), false, JSON.stringify(name));
});

Deno.test("validateBucketName() keeps reserved prefixes reachable for buckets made elsewhere", () => {
  assertEquals(isValid("xn--abc", false), true);
  assertEquals(isValid("abc-s3alias", false), true);
  assertEquals(isValid("minio", false), false);
  assertEquals(isValid("Upper", false), false);
});

Deno.test("validateBucketName() throws InvalidBucketName naming the bucket", () => {
  const error = assertThrows(
    () => validateBucketName("A_B", { creating: true }),
    ObjectError,
    '"A_B"',
  );
  assertEquals((error as ObjectError).code, "InvalidBucketName");
});

Deno.test("versioning documents round-trip through the stored XML", () => {
  assertEquals(versioningFromXml(versioningXml("Enabled")), "Enabled");
  assertEquals(versioningFromXml(versioningXml("Suspended")), "Suspended");
  assertEquals(versioningFromXml(undefined), "Unversioned");
  assertEquals(
    versioningXml("Enabled"),
    '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>',
  );
});
