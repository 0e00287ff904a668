/**
 * Bucket operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation, and
 * the lifecycle configuration (validated here, applied by the object layer's scanner).
 */
import type { RequestContext } from "../context.ts";
import { emptyResponse, isoDate, xmlResponse } from "../responses.ts";
import { S3Error } from "../s3_errors.ts";
import { LifecycleError, parseLifecycleXml } from "../../object/lifecycle.ts";
import { childText, el, parseXml, xmlDocument } from "../xml.ts";
import { readBodyText } from "../request_body.ts";
import { ownerElement } from "./owner.ts";

export async function listBuckets(context: RequestContext): Promise<Response> {
  const buckets = await context.objects.listBuckets();
  buckets.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const body = xmlDocument(
    "ListAllMyBucketsResult",
    ownerElement(),
    el(
      "Buckets",
      buckets.map((b) => el("Bucket", el("Name", b.name), el("CreationDate", isoDate(b.created)))),
    ),
  );
  return xmlResponse(body);
}

export async function createBucket(context: RequestContext): Promise<Response> {
  const { bucket } = context.operation;
  const bodyText = await readBodyText(context);
  if (bodyText.trim() !== "") {
    const config = parseXml(bodyText, "CreateBucketConfiguration");
    const location = childText(config, "LocationConstraint");
    if (location !== undefined && location !== "" && location !== context.options.region) {
      throw new S3Error(
        "InvalidLocationConstraint",
        `Cannot create bucket in "${location}": this server's region is "${context.options.region}"`,
      );
    }
  }
  const objectLock =
    context.request.headers.get("x-amz-bucket-object-lock-enabled")?.toLowerCase() ===
      "true";
  await context.objects.makeBucket(bucket, { versioning: objectLock, objectLock });
  return emptyResponse(200, { Location: `/${bucket}` });
}

export async function headBucket(context: RequestContext): Promise<Response> {
  await context.objects.getBucketInfo(context.operation.bucket);
  return emptyResponse(200, { "x-amz-bucket-region": context.options.region });
}

export async function deleteBucket(context: RequestContext): Promise<Response> {
  const force = context.request.headers.get("x-minio-force-delete")?.toLowerCase() === "true";
  await context.objects.deleteBucket(context.operation.bucket, { force });
  return emptyResponse(204);
}

export async function getBucketLocation(context: RequestContext): Promise<Response> {
  await context.objects.getBucketInfo(context.operation.bucket);
  const region = context.options.region === "us-east-1" ? "" : context.options.region;
  return xmlResponse(xmlDocument("LocationConstraint", region));
}

// ---- Lifecycle (object/lifecycle.ts validates; the scanner applies) ----

export async function putBucketLifecycleConfiguration(context: RequestContext): Promise<Response> {
  const text = await readBodyText(context);
  parseXml(text, "LifecycleConfiguration"); // well-formed, bounded, no DOCTYPE
  try {
    parseLifecycleXml(text);
  } catch (error) {
    if (error instanceof LifecycleError) throw new S3Error(error.code, error.message);
    throw error;
  }
  await context.objects.getBucketInfo(context.operation.bucket);
  await context.objects.updateBucketConfig(context.operation.bucket, { lifecycleXml: text });
  return emptyResponse(200);
}

export async function getBucketLifecycleConfiguration(context: RequestContext): Promise<Response> {
  const config = await context.objects.getBucketConfig(context.operation.bucket);
  if (config.lifecycleXml === undefined) throw new S3Error("NoSuchLifecycleConfiguration");
  return xmlResponse(config.lifecycleXml);
}

export async function deleteBucketLifecycle(context: RequestContext): Promise<Response> {
  await context.objects.getBucketInfo(context.operation.bucket);
  await context.objects.updateBucketConfig(context.operation.bucket, { lifecycleXml: undefined });
  return emptyResponse(204);
}
