import assert from "node:assert/strict";
import { resourceArn } from "./actions.ts";
import { evaluatePolicy, parseBucketPolicy } from "./policy.ts";
import { policyConditionContext } from "./policy_context.ts";
import type { VerifiedRequest } from "./sigv4.ts";

const nowMs = Date.UTC(2026, 2, 1, 12);
const signed: VerifiedRequest = {
  identity: { kind: "user", accessKey: "alice" },
  payload: { kind: "unsigned" },
  signingContext: {
    signingKey: new Uint8Array(32),
    scope: "20260301/us-east-1/s3/aws4_request",
    amzDate: "20260301T115959Z",
  },
  presigned: true,
};

Deno.test("policyConditionContext() exposes the request's keys under their IAM names", () => {
  const context = policyConditionContext({
    verified: signed,
    headers: new Headers({
      "user-agent": "aws-cli/2",
      referer: "https://example.com/",
      "x-amz-acl": "private",
      "x-amz-tagging": "team=storage&cost=42",
    }),
    query: new URLSearchParams("list-type=2&prefix=home%2Falice%2F&max-keys=10"),
    sourceIp: "10.0.0.7",
    secureTransport: true,
    nowMs,
    existingObjectTags: { owner: "bob" },
  });
  assert.deepEqual(context["aws:SourceIp"], ["10.0.0.7"]);
  assert.deepEqual(context["aws:SecureTransport"], ["true"]);
  assert.deepEqual(context["aws:UserAgent"], ["aws-cli/2"]);
  assert.deepEqual(context["aws:CurrentTime"], ["2026-03-01T12:00:00.000Z"]);
  assert.deepEqual(context["s3:prefix"], ["home/alice/"]);
  assert.deepEqual(context["s3:max-keys"], ["10"]);
  assert.equal(context["s3:delimiter"], undefined);
  assert.deepEqual(context["s3:x-amz-acl"], ["private"]);
  assert.deepEqual(context["s3:RequestObjectTagKeys"], ["team", "cost"]);
  assert.deepEqual(context["s3:RequestObjectTag/cost"], ["42"]);
  assert.deepEqual(context["s3:ExistingObjectTag/owner"], ["bob"]);
  assert.deepEqual(context["s3:authType"], ["REST-QUERY-STRING"]);
  assert.deepEqual(context["s3:signatureAge"], ["1000"]);
  assert.deepEqual(context["aws:PrincipalType"], ["User"]);
});

Deno.test("a policy limiting listing to home/ prefixes decides on the context built from the request", () => {
  const policy = parseBucketPolicy(
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [{
        Effect: "Allow",
        Principal: { AWS: ["alice"] },
        Action: "s3:ListBucket",
        Resource: "arn:aws:s3:::b",
        Condition: {
          StringLike: { "s3:prefix": "home/alice/*" },
          Bool: { "aws:SecureTransport": "true" },
        },
      }],
    }),
    "b",
  );
  const decide = (query: string, secureTransport: boolean) =>
    evaluatePolicy(policy, {
      principal: "alice",
      action: "s3:ListBucket",
      resource: resourceArn("b"),
      conditions: policyConditionContext({
        verified: signed,
        headers: new Headers(),
        query: new URLSearchParams(query),
        sourceIp: "::1",
        secureTransport,
        nowMs,
      }),
    });
  assert.equal(decide("prefix=home/alice/docs/", true), "allow");
  assert.equal(decide("prefix=home/bob/", true), "implicit-deny");
  assert.equal(decide("prefix=home/alice/docs/", false), "implicit-deny");
  assert.equal(decide("", true), "implicit-deny");
});
