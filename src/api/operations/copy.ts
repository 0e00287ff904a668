/**
 * CopyObject and UploadPartCopy: the source is read through the object layer and streamed into
 * the destination (never buffered), after the x-amz-copy-source-if-* conditions hold.
 */
import { putObjectMaxBytes } from "../../limits.ts";
import { keepaliveOptions, withKeepalive } from "../keepalive.ts";
import type { ObjectInfo } from "../../object/object_layer.ts";
import { evaluateCopySourceConditions, readCopySourceConditions } from "../conditions.ts";
import type { RequestContext } from "../context.ts";
import {
  metadataFromHeaders,
  rejectEncryptionRequest,
  storageClassFromHeaders,
  tagsFromHeader,
} from "../object_headers.ts";
import { isoDate, quoteEtag, xmlResponse } from "../responses.ts";
import { S3Error } from "../s3_errors.ts";
import { el, xmlDocument } from "../xml.ts";
import { writeConditions } from "./objects.ts";
import { lockMetadataFromHeaders } from "./object_lock.ts";
import { withoutLockMetadata } from "../../object/object_lock.ts";
import { uploadPartNumber } from "./multipart.ts";

export interface CopySource {
  bucket: string;
  key: string;
  versionId?: string;
}

/** `x-amz-copy-source: [/]bucket/key[?versionId=id]`, URL-encoded. */
export function parseCopySource(header: string): CopySource {
  const [path, query = ""] = header.split("?", 2);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw invalidCopySource();
  }
  const trimmed = decoded.startsWith("/") ? decoded.slice(1) : decoded;
  const slash = trimmed.indexOf("/");
  if (slash <= 0 || slash === trimmed.length - 1) throw invalidCopySource();
  const versionId = new URLSearchParams(query).get("versionId") ?? undefined;
  return {
    bucket: trimmed.slice(0, slash),
    key: trimmed.slice(slash + 1),
    ...(versionId === undefined || versionId === "" ? {} : { versionId }),
  };
}

function invalidCopySource(): S3Error {
  return new S3Error(
    "InvalidArgument",
    "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
  );
}

function directive(headers: Headers, name: string): "COPY" | "REPLACE" {
  const value = (headers.get(name) ?? "COPY").toUpperCase();
  if (value !== "COPY" && value !== "REPLACE") {
    throw new S3Error("InvalidArgument", `Unknown ${name} value "${value}"`);
  }
  return value;
}

/** The source version, after the copy-source conditions (every failure is 412). */
async function readSourceInfo(context: RequestContext, source: CopySource): Promise<ObjectInfo> {
  const info = await context.objects.getObjectInfo(source.bucket, source.key, {
    versionId: source.versionId,
  });
  const conditions = readCopySourceConditions(context.request.headers);
  if (evaluateCopySourceConditions(conditions, info) !== "proceed") {
    throw new S3Error("PreconditionFailed");
  }
  return info;
}

function sourceVersionHeaders(info: ObjectInfo): Headers {
  const headers = new Headers();
  if (info.versionId !== "") headers.set("x-amz-copy-source-version-id", info.versionId);
  return headers;
}

/** What the request asks of the destination, every header checked before the source is opened. */
interface CopyPlan {
  source: CopySource;
  /** undefined = keep the source's (COPY directive). */
  contentType?: string;
  metadata?: Record<string, string>;
  tags?: Record<string, string>;
  storageClass?: string;
  conditions: ReturnType<typeof writeConditions>;
}

function planCopy(context: RequestContext): CopyPlan & { selfCopyAllowed: boolean } {
  const headers = context.request.headers;
  const source = parseCopySource(headers.get("x-amz-copy-source") ?? "");
  const replaceMetadata = directive(headers, "x-amz-metadata-directive") === "REPLACE";
  const replaceTags = directive(headers, "x-amz-tagging-directive") === "REPLACE";
  rejectEncryptionRequest(headers);
  return {
    source,
    contentType: replaceMetadata ? headers.get("content-type") ?? "" : undefined,
    metadata: replaceMetadata ? metadataFromHeaders(headers) : undefined,
    tags: replaceTags ? tagsFromHeader(headers.get("x-amz-tagging")) ?? {} : undefined,
    storageClass: storageClassFromHeaders(headers),
    conditions: writeConditions(headers),
    // Copying onto itself must change something: metadata, tags or storage class.
    selfCopyAllowed: replaceMetadata || replaceTags || headers.has("x-amz-storage-class"),
  };
}

function checkCopyAllowed(
  context: RequestContext,
  plan: CopyPlan & { selfCopyAllowed: boolean },
  sourceInfo: ObjectInfo,
): void {
  if (sourceInfo.sizeBytes > putObjectMaxBytes) {
    throw new S3Error(
      "InvalidRequest",
      `The specified copy source is larger than the maximum allowable size for a copy source: ${putObjectMaxBytes}`,
    );
  }
  const { bucket, key } = context.operation;
  // Copying an older version onto its own key restores it: only the current version is "itself".
  const selfCopy = plan.source.bucket === bucket && plan.source.key === key &&
    (plan.source.versionId === undefined || sourceInfo.isLatest);
  if (selfCopy && !plan.selfCopyAllowed) {
    throw new S3Error(
      "InvalidRequest",
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
}

export async function copyObject(context: RequestContext): Promise<Response> {
  const plan = planCopy(context);
  const sourceInfo = await readSourceInfo(context, plan.source);
  checkCopyAllowed(context, plan, sourceInfo);
  return await withKeepalive(copyData(context, plan, sourceInfo), keepaliveOptions(context));
}

/** Stream the source version into the destination (the slow part, under keepalive). */
async function copyData(
  context: RequestContext,
  plan: CopyPlan,
  sourceInfo: ObjectInfo,
): Promise<Response> {
  const { bucket, key } = context.operation;
  // The copy's lock comes from this request (or the bucket default), never from its source.
  const lock = await lockMetadataFromHeaders(context, bucket);
  const reader = await context.objects.getObject(plan.source.bucket, plan.source.key, {
    versionId: sourceInfo.versionId === "" ? undefined : sourceInfo.versionId,
  });
  const info = await context.objects.putObject(bucket, key, reader.body, {
    sizeBytes: reader.info.sizeBytes,
    contentType: plan.contentType === undefined
      ? reader.info.contentType
      : plan.contentType || undefined,
    metadata: { ...withoutLockMetadata(plan.metadata ?? reader.info.metadata), ...lock },
    tags: plan.tags ?? reader.info.tags,
    md5Hex: /^[0-9a-f]{32}$/.test(reader.info.etag) ? reader.info.etag : undefined,
    storageClass: plan.storageClass ?? reader.info.metadata["x-amz-storage-class"],
    ...plan.conditions,
  });
  const responseHeaders = sourceVersionHeaders(sourceInfo);
  if (info.versionId !== "") responseHeaders.set("x-amz-version-id", info.versionId);
  return xmlResponse(
    xmlDocument(
      "CopyObjectResult",
      el("LastModified", isoDate(info.modTime)),
      el("ETag", quoteEtag(info.etag)),
    ),
    { headers: responseHeaders },
  );
}

/** `x-amz-copy-source-range: bytes=first-last`, both required and inside the source. */
export function parseCopySourceRange(
  header: string | null,
  sizeBytes: number,
): { start: number; end: number } | undefined {
  if (header === null) return undefined;
  const match = /^bytes=(\d+)-(\d+)$/.exec(header.trim());
  if (!match) {
    throw new S3Error(
      "InvalidArgument",
      "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
    );
  }
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (start > end || end >= sizeBytes) {
    throw new S3Error(
      "InvalidRange",
      `Range specified is not valid for source object of size: ${sizeBytes}`,
      {
        headers: { "Content-Range": `bytes */${sizeBytes}` },
      },
    );
  }
  return { start, end };
}

export async function uploadPartCopy(context: RequestContext): Promise<Response> {
  const { bucket, key, query } = context.operation;
  const headers = context.request.headers;
  const uploadId = query.get("uploadId") ?? "";
  const partNumber = uploadPartNumber(query);
  const source = parseCopySource(headers.get("x-amz-copy-source") ?? "");
  const sourceInfo = await readSourceInfo(context, source);
  const range = parseCopySourceRange(headers.get("x-amz-copy-source-range"), sourceInfo.sizeBytes);
  const copy = async () => {
    const reader = await context.objects.getObject(source.bucket, source.key, {
      versionId: sourceInfo.versionId === "" ? undefined : sourceInfo.versionId,
      range,
    });
    const sizeBytes = sourceInfo.sizeBytes === 0 ? 0 : reader.end - reader.start + 1;
    const part = await context.objects.putObjectPart(
      bucket,
      key,
      uploadId,
      partNumber,
      reader.body,
      {
        sizeBytes,
      },
    );
    return xmlResponse(
      xmlDocument(
        "CopyPartResult",
        el("LastModified", isoDate(part.lastModified)),
        el("ETag", quoteEtag(part.etag)),
      ),
      { headers: sourceVersionHeaders(sourceInfo) },
    );
  };
  return await withKeepalive(copy(), keepaliveOptions(context));
}
