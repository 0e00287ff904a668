/**
 * The IAM action each S3 API operation is authorised as, and the resource it applies to.
 * Names follow AWS's "Actions, resources, and condition keys for Amazon S3".
 */

/** What an action's resource ARN names: the bucket, an object in it, or nothing (account-wide). */
export type ActionResource = "bucket" | "object" | "account";

export interface OperationAction {
  action: string;
  /** The action to use instead when the request names a version (`?versionId=`). */
  versionAction?: string;
  resource: ActionResource;
}

const object = (action: string, versionAction?: string): OperationAction => ({
  action,
  versionAction,
  resource: "object",
});
const bucket = (action: string): OperationAction => ({ action, resource: "bucket" });

/**
 * S3 operation name (as in the S3 API reference) → action. CopyObject and UploadPartCopy also
 * need `s3:GetObject` on the source object (see `copySourceAction`); DeleteObjects needs
 * `s3:DeleteObject` for each key it names.
 */
export const operationActions: Readonly<Record<string, OperationAction>> = {
  // objects
  GetObject: object("s3:GetObject", "s3:GetObjectVersion"),
  HeadObject: object("s3:GetObject", "s3:GetObjectVersion"),
  GetObjectAttributes: object("s3:GetObjectAttributes", "s3:GetObjectVersionAttributes"),
  PutObject: object("s3:PutObject"),
  PostObject: object("s3:PutObject"),
  CopyObject: object("s3:PutObject"),
  DeleteObject: object("s3:DeleteObject", "s3:DeleteObjectVersion"),
  DeleteObjects: object("s3:DeleteObject", "s3:DeleteObjectVersion"),
  GetObjectTagging: object("s3:GetObjectTagging", "s3:GetObjectVersionTagging"),
  PutObjectTagging: object("s3:PutObjectTagging", "s3:PutObjectVersionTagging"),
  DeleteObjectTagging: object("s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging"),
  GetObjectAcl: object("s3:GetObjectAcl", "s3:GetObjectVersionAcl"),
  PutObjectAcl: object("s3:PutObjectAcl", "s3:PutObjectVersionAcl"),
  GetObjectRetention: object("s3:GetObjectRetention"),
  PutObjectRetention: object("s3:PutObjectRetention"),
  GetObjectLegalHold: object("s3:GetObjectLegalHold"),
  PutObjectLegalHold: object("s3:PutObjectLegalHold"),
  RestoreObject: object("s3:RestoreObject"),
  SelectObjectContent: object("s3:GetObject"),
  // multipart uploads
  CreateMultipartUpload: object("s3:PutObject"),
  UploadPart: object("s3:PutObject"),
  UploadPartCopy: object("s3:PutObject"),
  CompleteMultipartUpload: object("s3:PutObject"),
  AbortMultipartUpload: object("s3:AbortMultipartUpload"),
  ListParts: object("s3:ListMultipartUploadParts"),
  ListMultipartUploads: bucket("s3:ListBucketMultipartUploads"),
  // buckets
  ListBuckets: { action: "s3:ListAllMyBuckets", resource: "account" },
  CreateBucket: bucket("s3:CreateBucket"),
  DeleteBucket: bucket("s3:DeleteBucket"),
  HeadBucket: bucket("s3:ListBucket"),
  ListObjects: bucket("s3:ListBucket"),
  ListObjectsV2: bucket("s3:ListBucket"),
  ListObjectVersions: bucket("s3:ListBucketVersions"),
  GetBucketLocation: bucket("s3:GetBucketLocation"),
  GetBucketPolicy: bucket("s3:GetBucketPolicy"),
  PutBucketPolicy: bucket("s3:PutBucketPolicy"),
  DeleteBucketPolicy: bucket("s3:DeleteBucketPolicy"),
  GetBucketPolicyStatus: bucket("s3:GetBucketPolicyStatus"),
  GetBucketVersioning: bucket("s3:GetBucketVersioning"),
  PutBucketVersioning: bucket("s3:PutBucketVersioning"),
  GetBucketTagging: bucket("s3:GetBucketTagging"),
  PutBucketTagging: bucket("s3:PutBucketTagging"),
  DeleteBucketTagging: bucket("s3:PutBucketTagging"),
  GetBucketLifecycleConfiguration: bucket("s3:GetLifecycleConfiguration"),
  PutBucketLifecycleConfiguration: bucket("s3:PutLifecycleConfiguration"),
  DeleteBucketLifecycle: bucket("s3:PutLifecycleConfiguration"),
  GetBucketCors: bucket("s3:GetBucketCORS"),
  PutBucketCors: bucket("s3:PutBucketCORS"),
  DeleteBucketCors: bucket("s3:PutBucketCORS"),
  GetBucketEncryption: bucket("s3:GetEncryptionConfiguration"),
  PutBucketEncryption: bucket("s3:PutEncryptionConfiguration"),
  DeleteBucketEncryption: bucket("s3:PutEncryptionConfiguration"),
  GetObjectLockConfiguration: bucket("s3:GetBucketObjectLockConfiguration"),
  PutObjectLockConfiguration: bucket("s3:PutBucketObjectLockConfiguration"),
  GetBucketNotificationConfiguration: bucket("s3:GetBucketNotification"),
  PutBucketNotificationConfiguration: bucket("s3:PutBucketNotification"),
  GetBucketAcl: bucket("s3:GetBucketAcl"),
  PutBucketAcl: bucket("s3:PutBucketAcl"),
  GetBucketReplication: bucket("s3:GetReplicationConfiguration"),
  PutBucketReplication: bucket("s3:PutReplicationConfiguration"),
  DeleteBucketReplication: bucket("s3:PutReplicationConfiguration"),
  GetBucketWebsite: bucket("s3:GetBucketWebsite"),
  PutBucketWebsite: bucket("s3:PutBucketWebsite"),
  DeleteBucketWebsite: bucket("s3:DeleteBucketWebsite"),
  GetBucketOwnershipControls: bucket("s3:GetBucketOwnershipControls"),
  PutBucketOwnershipControls: bucket("s3:PutBucketOwnershipControls"),
  DeleteBucketOwnershipControls: bucket("s3:PutBucketOwnershipControls"),
  GetPublicAccessBlock: bucket("s3:GetBucketPublicAccessBlock"),
  PutPublicAccessBlock: bucket("s3:PutBucketPublicAccessBlock"),
  DeletePublicAccessBlock: bucket("s3:PutBucketPublicAccessBlock"),
  GetBucketLogging: bucket("s3:GetBucketLogging"),
  PutBucketLogging: bucket("s3:PutBucketLogging"),
  GetBucketRequestPayment: bucket("s3:GetBucketRequestPayment"),
  GetBucketAccelerateConfiguration: bucket("s3:GetAccelerateConfiguration"),
};

/** Actions that exist but no operation above maps to (still valid in policies). */
const otherActions: ReadonlyArray<[string, ActionResource]> = [
  ["s3:BypassGovernanceRetention", "object"],
  ["s3:GetObjectVersionForReplication", "object"],
  ["s3:ReplicateObject", "object"],
  ["s3:ReplicateDelete", "object"],
  ["s3:ReplicateTags", "object"],
  ["s3:PutBucketRequestPayment", "bucket"],
  ["s3:PutAccelerateConfiguration", "bucket"],
];

const actionResources = new Map<string, ActionResource>(otherActions);
for (const entry of Object.values(operationActions)) {
  actionResources.set(entry.action, entry.resource);
  if (entry.versionAction !== undefined) actionResources.set(entry.versionAction, entry.resource);
}

/** Every S3 action aistor knows, each with the kind of resource it applies to. */
export const knownActions: ReadonlyMap<string, ActionResource> = actionResources;

/** The action an operation is authorised as, or undefined for an unknown operation name. */
export function actionFor(
  operation: string,
  options: { versioned?: boolean } = {},
): string | undefined {
  const entry = operationActions[operation];
  if (entry === undefined) return undefined;
  return options.versioned === true ? entry.versionAction ?? entry.action : entry.action;
}

/** CopyObject / UploadPartCopy read their source with this action. */
export function copySourceAction(versioned: boolean): string {
  return versioned ? "s3:GetObjectVersion" : "s3:GetObject";
}

/** The resource ARN of a bucket, or of an object in it. */
export function resourceArn(bucketName: string, key?: string): string {
  return key === undefined ? `arn:aws:s3:::${bucketName}` : `arn:aws:s3:::${bucketName}/${key}`;
}
