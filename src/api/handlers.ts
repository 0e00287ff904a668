/** Every S3 operation → its handler: one exhaustive table (the compiler checks every name is here). */
import type { OperationHandler } from "./context.ts";
import type { S3OperationName } from "./router.ts";
import * as acl from "./operations/acl.ts";
import * as buckets from "./operations/buckets.ts";
import * as copy from "./operations/copy.ts";
import * as cors from "./operations/cors.ts";
import { deleteObjects } from "./operations/delete_objects.ts";
import * as listing from "./operations/listing.ts";
import * as multipart from "./operations/multipart.ts";
import * as objectLock from "./operations/object_lock.ts";
import * as objects from "./operations/objects.ts";
import * as policy from "./operations/policy.ts";
import { postObject } from "./operations/post_object.ts";
import * as tagging from "./operations/tagging.ts";
import * as versioning from "./operations/versioning.ts";

export const handlers: Record<S3OperationName, OperationHandler> = {
  ListBuckets: buckets.listBuckets,
  CreateBucket: buckets.createBucket,
  HeadBucket: buckets.headBucket,
  DeleteBucket: buckets.deleteBucket,
  GetBucketLocation: buckets.getBucketLocation,
  GetBucketVersioning: versioning.getBucketVersioning,
  PutBucketVersioning: versioning.putBucketVersioning,
  ListObjectVersions: listing.listObjectVersions,
  GetBucketTagging: tagging.getBucketTagging,
  PutBucketTagging: tagging.putBucketTagging,
  DeleteBucketTagging: tagging.deleteBucketTagging,
  GetBucketPolicy: policy.getBucketPolicy,
  PutBucketPolicy: policy.putBucketPolicy,
  DeleteBucketPolicy: policy.deleteBucketPolicy,
  GetBucketCors: cors.getBucketCors,
  PutBucketCors: cors.putBucketCors,
  DeleteBucketCors: cors.deleteBucketCors,
  GetBucketLifecycleConfiguration: buckets.getBucketLifecycleConfiguration,
  PutBucketLifecycleConfiguration: buckets.putBucketLifecycleConfiguration,
  DeleteBucketLifecycle: buckets.deleteBucketLifecycle,
  GetObjectLockConfiguration: objectLock.getObjectLockConfiguration,
  PutObjectLockConfiguration: objectLock.putObjectLockConfiguration,
  ListObjects: listing.listObjects,
  ListObjectsV2: listing.listObjectsV2,
  ListMultipartUploads: multipart.listMultipartUploads,
  DeleteObjects: deleteObjects,
  PostObject: postObject,
  PutObject: objects.putObject,
  CopyObject: copy.copyObject,
  GetObject: objects.getObject,
  HeadObject: objects.headObject,
  DeleteObject: objects.deleteObject,
  GetObjectTagging: tagging.getObjectTagging,
  PutObjectTagging: tagging.putObjectTagging,
  DeleteObjectTagging: tagging.deleteObjectTagging,
  CreateMultipartUpload: multipart.createMultipartUpload,
  UploadPart: multipart.uploadPart,
  UploadPartCopy: copy.uploadPartCopy,
  CompleteMultipartUpload: multipart.completeMultipartUpload,
  AbortMultipartUpload: multipart.abortMultipartUpload,
  ListParts: multipart.listParts,
  PreflightCors: cors.preflightCors,
  GetBucketAcl: acl.getBucketAcl,
  PutBucketAcl: acl.putBucketAcl,
  GetObjectAcl: acl.getObjectAcl,
  PutObjectAcl: acl.putObjectAcl,
  GetObjectRetention: objectLock.getObjectRetention,
  PutObjectRetention: objectLock.putObjectRetention,
  GetObjectLegalHold: objectLock.getObjectLegalHold,
  PutObjectLegalHold: objectLock.putObjectLegalHold,
};
