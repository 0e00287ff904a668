/**
 * Object Lock and Lifecycle through the official AWS SDK against the app on memory drives:
 * what a client of S3 expects to be refused is refused, with S3's error codes.
 */
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { assertEquals } from "../../testing/assert.ts";
import { failure, startAppServer } from "../_support_test.ts";

const accessKey = "AKIAAISTORLOCKTEST01";
const secretKey = "aistor-lock-test-secret-0123456789abcdef";
const dayMs = 86_400_000;

async function startServer() {
  // Real time for signatures; `offsetMs` moves the object layer's clock for lifecycle runs.
  const time = { offsetMs: 0 };
  const clock = { nowNs: () => BigInt(Date.now() + time.offsetMs) * 1_000_000n };
  const server = await startAppServer({ credentials: { accessKey, secretKey }, clock });
  const scanner = server.layer.startLifecycleScanner({ intervalMs: 0 });
  return {
    s3: server.client(),
    endpoint: server.endpoint,
    /** One lifecycle run as if `days` had passed. */
    async runLifecycleAfter(days: number) {
      time.offsetMs = days * dayMs;
      try {
        return await scanner.runOnce();
      } finally {
        time.offsetMs = 0;
      }
    },
    close: server.close,
  };
}

function inDays(days: number): Date {
  // S3 dates have second precision on the wire; keep whole seconds so round trips compare.
  return new Date(Math.floor((Date.now() + days * dayMs) / 1000) * 1000);
}

Deno.test("Object Lock through the AWS SDK", async (t) => {
  const { s3, close, endpoint } = await startServer();
  try {
    await s3.send(new CreateBucketCommand({ Bucket: "vault", ObjectLockEnabledForBucket: true }));
    await s3.send(new CreateBucketCommand({ Bucket: "open" }));

    await t.step("a lock bucket's versioning cannot be suspended", async () => {
      const refused = await failure(s3.send(
        new PutBucketVersioningCommand({
          Bucket: "vault",
          VersioningConfiguration: { Status: "Suspended" },
        }),
      ));
      assertEquals(refused, { code: "InvalidBucketState", status: 409 });
    });

    await t.step(
      "PutObject with GOVERNANCE retention: headers on HEAD, GetObjectRetention",
      async () => {
        const until = inDays(1);
        const put = await s3.send(
          new PutObjectCommand({
            Bucket: "vault",
            Key: "gov",
            Body: "governed",
            ObjectLockMode: "GOVERNANCE",
            ObjectLockRetainUntilDate: until,
          }),
        );
        const head = await s3.send(new HeadObjectCommand({ Bucket: "vault", Key: "gov" }));
        assertEquals(head.ObjectLockMode, "GOVERNANCE");
        assertEquals(head.ObjectLockRetainUntilDate?.getTime(), until.getTime());
        const retention = await s3.send(
          new GetObjectRetentionCommand({ Bucket: "vault", Key: "gov", VersionId: put.VersionId }),
        );
        assertEquals(retention.Retention?.Mode, "GOVERNANCE");
        assertEquals(retention.Retention?.RetainUntilDate?.getTime(), until.getTime());
      },
    );

    await t.step(
      "DeleteObject with VersionId of a GOVERNANCE version: AccessDenied, bypass works",
      async () => {
        const head = await s3.send(new HeadObjectCommand({ Bucket: "vault", Key: "gov" }));
        const refused = await failure(
          s3.send(
            new DeleteObjectCommand({ Bucket: "vault", Key: "gov", VersionId: head.VersionId }),
          ),
        );
        assertEquals(refused, { code: "AccessDenied", status: 403 });
        await s3.send(
          new DeleteObjectCommand({
            Bucket: "vault",
            Key: "gov",
            VersionId: head.VersionId,
            BypassGovernanceRetention: true,
          }),
        );
        const gone = await failure(s3.send(new HeadObjectCommand({ Bucket: "vault", Key: "gov" })));
        assertEquals(gone.status, 404);
      },
    );

    await t.step(
      "anonymous callers: bypass needs s3:BypassGovernanceRetention, lock headers s3:GetObjectRetention",
      async () => {
        const put = await s3.send(
          new PutObjectCommand({
            Bucket: "vault",
            Key: "anon",
            Body: "a",
            ObjectLockMode: "GOVERNANCE",
            ObjectLockRetainUntilDate: inDays(1),
          }),
        );
        const allow = (actions: string[]) =>
          s3.send(
            new PutBucketPolicyCommand({
              Bucket: "vault",
              Policy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{
                  Effect: "Allow",
                  Principal: "*",
                  Action: actions,
                  Resource: ["arn:aws:s3:::vault/*"],
                }],
              }),
            }),
          );
        const anonymousDelete = () =>
          fetch(`${endpoint}/vault/anon?versionId=${put.VersionId}`, {
            method: "DELETE",
            headers: { "x-amz-bypass-governance-retention": "true" },
          }).then(async (response) => {
            await response.body?.cancel();
            return response.status;
          });
        await allow(["s3:DeleteObject"]);
        assertEquals(await anonymousDelete(), 403);
        await allow(["s3:DeleteObject", "s3:BypassGovernanceRetention"]);
        assertEquals(await anonymousDelete(), 204);
        // Anonymous readers see only the lock they are allowed to read.
        await s3.send(
          new PutObjectCommand({
            Bucket: "vault",
            Key: "peek",
            Body: "p",
            ObjectLockMode: "GOVERNANCE",
            ObjectLockRetainUntilDate: inDays(1),
            ObjectLockLegalHoldStatus: "ON",
          }),
        );
        const anonymousHead = async () => {
          const response = await fetch(`${endpoint}/vault/peek`, { method: "HEAD" });
          await response.body?.cancel();
          return [
            response.status,
            response.headers.get("x-amz-object-lock-mode"),
            response.headers.get("x-amz-object-lock-legal-hold"),
          ];
        };
        await allow(["s3:GetObject"]);
        assertEquals(await anonymousHead(), [200, null, null]);
        await allow(["s3:GetObject", "s3:GetObjectRetention"]);
        assertEquals(await anonymousHead(), [200, "GOVERNANCE", null]);
      },
    );

    await t.step(
      "COMPLIANCE: bypass does not help, and the retention cannot be shortened",
      async () => {
        const until = inDays(2);
        const put = await s3.send(
          new PutObjectCommand({
            Bucket: "vault",
            Key: "comp",
            Body: "compliant",
            ObjectLockMode: "COMPLIANCE",
            ObjectLockRetainUntilDate: until,
          }),
        );
        const refused = await failure(s3.send(
          new DeleteObjectCommand({
            Bucket: "vault",
            Key: "comp",
            VersionId: put.VersionId,
            BypassGovernanceRetention: true,
          }),
        ));
        assertEquals(refused.code, "AccessDenied");
        const shortened = await failure(s3.send(
          new PutObjectRetentionCommand({
            Bucket: "vault",
            Key: "comp",
            VersionId: put.VersionId,
            BypassGovernanceRetention: true,
            Retention: { Mode: "COMPLIANCE", RetainUntilDate: inDays(1) },
          }),
        ));
        assertEquals(shortened.code, "AccessDenied");
        await s3.send(
          new PutObjectRetentionCommand({
            Bucket: "vault",
            Key: "comp",
            VersionId: put.VersionId,
            Retention: { Mode: "COMPLIANCE", RetainUntilDate: inDays(3) },
          }),
        );
        // DeleteObjects answers per key: the locked version is an AccessDenied entry.
        const batch = await s3.send(
          new DeleteObjectsCommand({
            Bucket: "vault",
            Delete: { Objects: [{ Key: "comp", VersionId: put.VersionId }] },
          }),
        );
        assertEquals(batch.Errors?.[0]?.Code, "AccessDenied");
      },
    );

    await t.step(
      "a delete without VersionId still adds a delete marker over locked versions",
      async () => {
        const deleted = await s3.send(new DeleteObjectCommand({ Bucket: "vault", Key: "comp" }));
        assertEquals(deleted.DeleteMarker, true);
        const versions = await s3.send(
          new ListObjectVersionsCommand({ Bucket: "vault", Prefix: "comp" }),
        );
        assertEquals(versions.Versions?.length, 1);
      },
    );

    await t.step("legal hold ON refuses the delete; OFF allows it", async () => {
      const put = await s3.send(
        new PutObjectCommand({
          Bucket: "vault",
          Key: "held",
          Body: "held",
          ObjectLockLegalHoldStatus: "ON",
        }),
      );
      const hold = await s3.send(new GetObjectLegalHoldCommand({ Bucket: "vault", Key: "held" }));
      assertEquals(hold.LegalHold?.Status, "ON");
      const get = await s3.send(new GetObjectCommand({ Bucket: "vault", Key: "held" }));
      assertEquals(get.ObjectLockLegalHoldStatus, "ON");
      await get.Body?.transformToString();
      const refused = await failure(s3.send(
        new DeleteObjectCommand({
          Bucket: "vault",
          Key: "held",
          VersionId: put.VersionId,
          BypassGovernanceRetention: true,
        }),
      ));
      assertEquals(refused.code, "AccessDenied");
      await s3.send(
        new PutObjectLegalHoldCommand({
          Bucket: "vault",
          Key: "held",
          VersionId: put.VersionId,
          LegalHold: { Status: "OFF" },
        }),
      );
      await s3.send(
        new DeleteObjectCommand({ Bucket: "vault", Key: "held", VersionId: put.VersionId }),
      );
    });

    await t.step("the bucket default retention applies to new objects and copies", async () => {
      await s3.send(
        new PutObjectLockConfigurationCommand({
          Bucket: "vault",
          ObjectLockConfiguration: {
            ObjectLockEnabled: "Enabled",
            Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: 1 } },
          },
        }),
      );
      const config = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: "vault" }));
      assertEquals(config.ObjectLockConfiguration?.Rule?.DefaultRetention, {
        Mode: "GOVERNANCE",
        Days: 1,
      });
      await s3.send(new PutObjectCommand({ Bucket: "vault", Key: "default", Body: "d" }));
      const head = await s3.send(new HeadObjectCommand({ Bucket: "vault", Key: "default" }));
      assertEquals(head.ObjectLockMode, "GOVERNANCE");
      const untilMs = head.ObjectLockRetainUntilDate!.getTime();
      assertEquals(Math.abs(untilMs - (Date.now() + dayMs)) < 60_000, true);
      // A copy into an unlocked bucket does not carry the source's lock.
      await s3.send(
        new CopyObjectCommand({ Bucket: "open", Key: "copy", CopySource: "vault/default" }),
      );
      const copied = await s3.send(new HeadObjectCommand({ Bucket: "open", Key: "copy" }));
      assertEquals(copied.ObjectLockMode, undefined);
    });

    await t.step("bad lock configurations and headers get S3's errors", async () => {
      const both = await failure(s3.send(
        new PutObjectLockConfigurationCommand({
          Bucket: "vault",
          ObjectLockConfiguration: {
            ObjectLockEnabled: "Enabled",
            Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: 1, Years: 1 } },
          },
        }),
      ));
      assertEquals(both, { code: "MalformedXML", status: 400 });
      const past = await failure(s3.send(
        new PutObjectCommand({
          Bucket: "vault",
          Key: "past",
          Body: "p",
          ObjectLockMode: "GOVERNANCE",
          ObjectLockRetainUntilDate: inDays(-1),
        }),
      ));
      assertEquals(past, { code: "InvalidArgument", status: 400 });
      const noLock = await failure(s3.send(
        new PutObjectCommand({
          Bucket: "open",
          Key: "x",
          Body: "x",
          ObjectLockLegalHoldStatus: "ON",
        }),
      ));
      assertEquals(noLock, { code: "InvalidRequest", status: 400 });
      // Without Content-MD5 or a checksum S3 refuses a locked PUT (this client sends none).
      const bare = new S3Client({
        endpoint,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: { accessKeyId: accessKey, secretAccessKey: secretKey },
        requestChecksumCalculation: "WHEN_REQUIRED",
      });
      const unchecked = await failure(bare.send(
        new PutObjectCommand({
          Bucket: "vault",
          Key: "unchecked",
          Body: "u",
          ObjectLockLegalHoldStatus: "ON",
        }),
      ));
      assertEquals(unchecked, { code: "InvalidRequest", status: 400 });
      await bare.send(
        new PutObjectCommand({
          Bucket: "vault",
          Key: "checked",
          Body: "c",
          ContentMD5: "SooI8J03tzeVZJA4QItfMw==", // MD5 of "c"
          ObjectLockLegalHoldStatus: "ON",
        }),
      );
      bare.destroy();
      await s3.send(new PutObjectCommand({ Bucket: "open", Key: "plain", Body: "p" }));
      const noRetention = await failure(
        s3.send(new GetObjectRetentionCommand({ Bucket: "open", Key: "plain" })),
      );
      assertEquals(noRetention, { code: "InvalidRequest", status: 400 });
    });
  } finally {
    await close();
  }
});

Deno.test("Lifecycle through the AWS SDK: validated at PUT, applied by a scanner run", async (t) => {
  const { s3, close, runLifecycleAfter } = await startServer();
  try {
    await s3.send(new CreateBucketCommand({ Bucket: "logs" }));

    await t.step("transitions are NotImplemented, zero days InvalidArgument", async () => {
      const transition = await failure(s3.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: "logs",
          LifecycleConfiguration: {
            Rules: [{
              ID: "cold",
              Status: "Enabled",
              Filter: { Prefix: "" },
              Transitions: [{ Days: 30, StorageClass: "GLACIER" }],
            }],
          },
        }),
      ));
      assertEquals(transition, { code: "NotImplemented", status: 501 });
      const zero = await failure(s3.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: "logs",
          LifecycleConfiguration: {
            Rules: [{
              ID: "z",
              Status: "Enabled",
              Filter: { Prefix: "" },
              Expiration: { Days: 0 },
            }],
          },
        }),
      ));
      assertEquals(zero, { code: "InvalidArgument", status: 400 });
    });

    await t.step("an expiry rule removes what is due under its prefix, and only that", async () => {
      await s3.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: "logs",
          LifecycleConfiguration: {
            Rules: [{
              ID: "expire-tmp",
              Status: "Enabled",
              Filter: { Prefix: "tmp/" },
              Expiration: { Days: 1 },
            }],
          },
        }),
      );
      const stored = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: "logs" }));
      assertEquals(stored.Rules?.[0].ID, "expire-tmp");
      await s3.send(new PutObjectCommand({ Bucket: "logs", Key: "tmp/a", Body: "a" }));
      await s3.send(new PutObjectCommand({ Bucket: "logs", Key: "keep/b", Body: "b" }));
      // HEAD tells when: the first midnight UTC at least one day after the write.
      const head = await s3.send(new HeadObjectCommand({ Bucket: "logs", Key: "tmp/a" }));
      const due = new Date(Math.ceil((head.LastModified!.getTime() + dayMs) / dayMs) * dayMs);
      assertEquals(head.Expiration, `expiry-date="${due.toUTCString()}", rule-id="expire-tmp"`);
      const other = await s3.send(new HeadObjectCommand({ Bucket: "logs", Key: "keep/b" }));
      assertEquals(other.Expiration, undefined);
      assertEquals((await runLifecycleAfter(0)).currentExpired, 0);
      assertEquals((await runLifecycleAfter(2)).currentExpired, 1);
      const tmp = await failure(s3.send(new HeadObjectCommand({ Bucket: "logs", Key: "tmp/a" })));
      assertEquals(tmp.status, 404);
      await s3.send(new HeadObjectCommand({ Bucket: "logs", Key: "keep/b" }));
    });
  } finally {
    await close();
  }
});
