/**
 * Request → S3 operation, before authentication: which operation (in AWS's words), on which
 * bucket and key, from the method, the path (path-style or virtual-host-style), the query's
 * sub-resources and a few headers. Unknown combinations fail as AWS answers them.
 */
import { keyMaxBytes } from "../limits.ts";
import { S3Error } from "./s3_errors.ts";

export type ServiceOperationName = "ListBuckets";

export type BucketOperationName =
  | "CreateBucket"
  | "HeadBucket"
  | "DeleteBucket"
  | "GetBucketLocation"
  | "GetBucketVersioning"
  | "PutBucketVersioning"
  | "ListObjectVersions"
  | "GetBucketTagging"
  | "PutBucketTagging"
  | "DeleteBucketTagging"
  | "GetBucketPolicy"
  | "PutBucketPolicy"
  | "DeleteBucketPolicy"
  | "GetBucketCors"
  | "PutBucketCors"
  | "DeleteBucketCors"
  | "GetBucketLifecycleConfiguration"
  | "PutBucketLifecycleConfiguration"
  | "DeleteBucketLifecycle"
  | "GetObjectLockConfiguration"
  | "PutObjectLockConfiguration"
  | "ListObjects"
  | "ListObjectsV2"
  | "ListMultipartUploads"
  | "DeleteObjects"
  | "PostObject"
  | "GetBucketAcl"
  | "PutBucketAcl";

export type ObjectOperationName =
  | "PutObject"
  | "CopyObject"
  | "GetObject"
  | "HeadObject"
  | "DeleteObject"
  | "GetObjectTagging"
  | "PutObjectTagging"
  | "DeleteObjectTagging"
  | "CreateMultipartUpload"
  | "UploadPart"
  | "UploadPartCopy"
  | "CompleteMultipartUpload"
  | "AbortMultipartUpload"
  | "ListParts"
  | "GetObjectAcl"
  | "PutObjectAcl"
  | "GetObjectRetention"
  | "PutObjectRetention"
  | "GetObjectLegalHold"
  | "PutObjectLegalHold";

export type S3Operation =
  | { name: ServiceOperationName; bucket: ""; key: ""; query: URLSearchParams }
  | { name: BucketOperationName; bucket: string; key: ""; query: URLSearchParams }
  | { name: ObjectOperationName; bucket: string; key: string; query: URLSearchParams }
  /** CORS preflight (OPTIONS) on a bucket or an object. */
  | { name: "PreflightCors"; bucket: string; key: string; query: URLSearchParams };

export type S3OperationName = S3Operation["name"];

export interface RouterOptions {
  /** Domains for virtual-host-style requests: `bucket.<domain>` names the bucket. */
  domains: string[];
}

/** Sub-resources S3 has that aistor does not serve: answered NotImplemented, as MinIO does. */
const unsupportedSubresources = [
  "accelerate",
  "analytics",
  "encryption",
  "intelligent-tiering",
  "inventory",
  "logging",
  "metrics",
  "notification",
  "ownershipControls",
  "policyStatus",
  "publicAccessBlock",
  "replication",
  "requestPayment",
  "website",
  "torrent",
  "attributes",
  "restore",
  "select",
  "renameObject",
];

/** Resolve `method` + URL + headers to one S3 operation, or throw the S3Error AWS would answer. */
export function routeRequest(
  method: string,
  url: URL,
  headers: Headers,
  options: RouterOptions,
): S3Operation {
  const { bucket, key } = splitBucketAndKey(url, headers, options);
  const query = url.searchParams;
  const verb = method.toUpperCase();
  rejectUnsupported(query);
  if (bucket === "") return routeService(verb, query);
  if (verb === "OPTIONS") return { name: "PreflightCors", bucket, key, query };
  if (key === "") return { name: routeBucket(verb, query, headers), bucket, key: "", query };
  if (new TextEncoder().encode(key).length > keyMaxBytes) {
    throw new S3Error(
      "KeyTooLongError",
      `Your key is too long: at most ${keyMaxBytes} bytes of UTF-8`,
    );
  }
  return { name: routeObject(verb, query, headers), bucket, key, query };
}

/** Bucket and key from the Host (virtual-host style) or the first path segment (path style). */
export function splitBucketAndKey(
  url: URL,
  headers: Headers,
  options: RouterOptions,
): { bucket: string; key: string } {
  const path = decodePath(url.pathname);
  const hostBucket = bucketFromHost(headers.get("host") ?? url.host, options.domains);
  if (hostBucket !== undefined) return { bucket: hostBucket, key: path.slice(1) };
  const rest = path.slice(1);
  const slash = rest.indexOf("/");
  if (slash === -1) return { bucket: rest, key: "" };
  return { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}

function decodePath(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath);
  } catch (cause) {
    throw new S3Error("InvalidURI", `Cannot decode path "${rawPath}": bad percent-encoding`, {
      cause,
    });
  }
}

function bucketFromHost(host: string, domains: string[]): string | undefined {
  const hostname = host.replace(/:\d+$/, "").toLowerCase();
  for (const domain of domains) {
    const suffix = "." + domain.toLowerCase();
    if (hostname.endsWith(suffix) && hostname.length > suffix.length) {
      return hostname.slice(0, -suffix.length);
    }
  }
  return undefined;
}

function rejectUnsupported(query: URLSearchParams): void {
  for (const name of unsupportedSubresources) {
    if (query.has(name)) {
      throw new S3Error("NotImplemented", `Cannot serve sub-resource "?${name}": not implemented`);
    }
  }
}

function routeService(verb: string, query: URLSearchParams): S3Operation {
  if (verb === "GET" || verb === "HEAD") return { name: "ListBuckets", bucket: "", key: "", query };
  throw new S3Error("MethodNotAllowed");
}

const bucketGet: [string, BucketOperationName][] = [
  ["location", "GetBucketLocation"],
  ["versioning", "GetBucketVersioning"],
  ["versions", "ListObjectVersions"],
  ["tagging", "GetBucketTagging"],
  ["policy", "GetBucketPolicy"],
  ["cors", "GetBucketCors"],
  ["lifecycle", "GetBucketLifecycleConfiguration"],
  ["object-lock", "GetObjectLockConfiguration"],
  ["uploads", "ListMultipartUploads"],
  ["acl", "GetBucketAcl"],
];

const bucketPut: [string, BucketOperationName][] = [
  ["versioning", "PutBucketVersioning"],
  ["tagging", "PutBucketTagging"],
  ["policy", "PutBucketPolicy"],
  ["cors", "PutBucketCors"],
  ["lifecycle", "PutBucketLifecycleConfiguration"],
  ["object-lock", "PutObjectLockConfiguration"],
  ["acl", "PutBucketAcl"],
];

const bucketDelete: [string, BucketOperationName][] = [
  ["tagging", "DeleteBucketTagging"],
  ["policy", "DeleteBucketPolicy"],
  ["cors", "DeleteBucketCors"],
  ["lifecycle", "DeleteBucketLifecycle"],
];

function firstMatch<T>(
  query: URLSearchParams,
  table: [string, T][],
): T | undefined {
  return table.find(([subresource]) => query.has(subresource))?.[1];
}

function routeBucket(verb: string, query: URLSearchParams, headers: Headers): BucketOperationName {
  switch (verb) {
    case "GET":
      return firstMatch(query, bucketGet) ??
        (query.get("list-type") === "2" ? "ListObjectsV2" : "ListObjects");
    case "HEAD":
      return "HeadBucket";
    case "PUT":
      return firstMatch(query, bucketPut) ?? "CreateBucket";
    case "DELETE":
      return firstMatch(query, bucketDelete) ?? "DeleteBucket";
    case "POST":
      if (query.has("delete")) return "DeleteObjects";
      if ((headers.get("content-type") ?? "").toLowerCase().startsWith("multipart/form-data")) {
        return "PostObject";
      }
      throw new S3Error("MethodNotAllowed");
    default:
      throw new S3Error("MethodNotAllowed");
  }
}

function routeObject(verb: string, query: URLSearchParams, headers: Headers): ObjectOperationName {
  const copySource = headers.has("x-amz-copy-source");
  switch (verb) {
    case "GET":
      if (query.has("uploadId")) return "ListParts";
      if (query.has("tagging")) return "GetObjectTagging";
      if (query.has("acl")) return "GetObjectAcl";
      if (query.has("retention")) return "GetObjectRetention";
      if (query.has("legal-hold")) return "GetObjectLegalHold";
      return "GetObject";
    case "HEAD":
      return "HeadObject";
    case "PUT":
      if (query.has("partNumber") && query.has("uploadId")) {
        return copySource ? "UploadPartCopy" : "UploadPart";
      }
      if (query.has("tagging")) return "PutObjectTagging";
      if (query.has("acl")) return "PutObjectAcl";
      if (query.has("retention")) return "PutObjectRetention";
      if (query.has("legal-hold")) return "PutObjectLegalHold";
      return copySource ? "CopyObject" : "PutObject";
    case "POST":
      if (query.has("uploads")) return "CreateMultipartUpload";
      if (query.has("uploadId")) return "CompleteMultipartUpload";
      throw new S3Error("MethodNotAllowed");
    case "DELETE":
      if (query.has("uploadId")) return "AbortMultipartUpload";
      if (query.has("tagging")) return "DeleteObjectTagging";
      return "DeleteObject";
    default:
      throw new S3Error("MethodNotAllowed");
  }
}
