/**
 * Object operations: PutObject, GetObject, HeadObject, DeleteObject. Bodies stream through in
 * both directions; conditions, ranges and part numbers are resolved here, before the read.
 */
import { partNumberMax, putObjectMaxBytes } from "../../limits.ts";
import { ObjectError, type ObjectInfo } from "../../object/object_layer.ts";
import { evaluateConditions, readConditions, unquoteEtag } from "../conditions.ts";
import type { RequestContext } from "../context.ts";
import {
  applyResponseOverrides,
  md5HexFromHeader,
  metadataFromHeaders,
  objectResponseHeaders,
  setChecksumHeaders,
  storageClassFromHeaders,
  tagsFromHeader,
} from "../object_headers.ts";
import { contentRange, resolveRange } from "../ranges.ts";
import { objectBody } from "../request_body.ts";
import { emptyResponse, quoteEtag } from "../responses.ts";
import { S3Error } from "../s3_errors.ts";
import { expirationHeader } from "./lifecycle.ts";
import {
  bypassGovernance,
  lockMetadataFromHeaders,
  requireIntegrityForLock,
  setVisibleLockHeaders,
} from "./object_lock.ts";
import { versionIdFromQuery } from "./versions.ts";

export async function putObject(context: RequestContext): Promise<Response> {
  const { bucket, key } = context.operation;
  const headers = context.request.headers;
  // Every header is checked before the body is touched.
  const options = {
    contentType: headers.get("content-type") ?? undefined,
    metadata: metadataFromHeaders(headers),
    tags: tagsFromHeader(headers.get("x-amz-tagging")),
    md5Hex: md5HexFromHeader(headers.get("content-md5")),
    storageClass: storageClassFromHeaders(headers),
    ...writeConditions(headers),
  };
  const lock = await lockMetadataFromHeaders(context, bucket);
  requireIntegrityForLock(headers, lock);
  Object.assign(options.metadata, lock);
  const body = objectBody(context, { sizeMaxBytes: putObjectMaxBytes });
  const info = await context.objects.putObject(bucket, key, body.stream, {
    ...options,
    sizeBytes: body.sizeBytes,
    checksums: body.checksums,
    checksumType: body.checksumType,
  });
  return emptyResponse(200, writeResultHeaders(info));
}

/** If-Match / If-None-Match on a write, evaluated by the object layer under its lock. */
export function writeConditions(
  headers: Headers,
): { ifMatchEtag?: string; ifNoneMatch?: string } {
  const ifMatch = headers.get("if-match");
  const ifNoneMatch = headers.get("if-none-match");
  return {
    ...(ifMatch === null ? {} : { ifMatchEtag: unquoteEtag(ifMatch) }),
    ...(ifNoneMatch === null
      ? {}
      : { ifNoneMatch: ifNoneMatch.trim() === "*" ? "*" : unquoteEtag(ifNoneMatch) }),
  };
}

export function writeResultHeaders(info: ObjectInfo): Headers {
  const headers = new Headers({ ETag: quoteEtag(info.etag) });
  if (info.versionId !== "") headers.set("x-amz-version-id", info.versionId);
  setChecksumHeaders(headers, info.checksums, info.checksumType);
  return headers;
}

function partNumberFromQuery(query: URLSearchParams): number | undefined {
  const text = query.get("partNumber");
  if (text === null) return undefined;
  const partNumber = Number(text);
  if (!/^\d+$/.test(text) || partNumber < 1 || partNumber > partNumberMax) {
    throw new S3Error(
      "InvalidArgument",
      `Part number must be an integer between 1 and ${partNumberMax}, inclusive`,
    );
  }
  return partNumber;
}

interface ReadPlan {
  info: ObjectInfo;
  versionId?: string;
  partNumber?: number;
  range?: { start: number; end: number };
  /** Headers that take more than the version to decide: its lock (as permitted), x-amz-expiration. */
  extraHeaders?: Headers;
}

async function versionExtraHeaders(context: RequestContext, info: ObjectInfo): Promise<Headers> {
  const headers = new Headers();
  await setVisibleLockHeaders(context, headers, info);
  const expiration = await expirationHeader(context, info);
  if (expiration !== undefined) headers.set("x-amz-expiration", expiration);
  return headers;
}

/** Conditions first (304 / 412 on the current version), then the range against its size. */
function readOptions(context: RequestContext): { versionId?: string; partNumber?: number } {
  const { query } = context.operation;
  const versionId = versionIdFromQuery(query);
  const partNumber = partNumberFromQuery(query);
  if (partNumber !== undefined && context.request.headers.has("range")) {
    throw new S3Error(
      "InvalidRequest",
      "Cannot specify both Range header and partNumber query parameter",
    );
  }
  return { versionId, partNumber };
}

/** 304 / 412 when the conditions do not hold for this version; undefined to go on. */
function conditionAnswer(context: RequestContext, info: ObjectInfo): Response | undefined {
  const outcome = evaluateConditions(readConditions(context.request.headers), info);
  if (outcome === "precondition-failed") throw new S3Error("PreconditionFailed");
  if (outcome === "proceed") return undefined;
  const notModified = objectResponseHeaders(info, { checksumMode: false });
  notModified.delete("Content-Type");
  return emptyResponse(304, notModified);
}

/** Conditions first (304 / 412 on the current version), then the range against its size. */
async function planRead(context: RequestContext): Promise<ReadPlan | Response> {
  const { bucket, key } = context.operation;
  const { versionId, partNumber } = readOptions(context);
  const info = await context.objects.getObjectInfo(bucket, key, { versionId, partNumber });
  const answer = conditionAnswer(context, info);
  if (answer !== undefined) return answer;
  const range = partNumber === undefined
    ? resolveRange(context.request.headers.get("range"), info.sizeBytes)
    : undefined;
  const extraHeaders = await versionExtraHeaders(context, info);
  return { info, versionId, partNumber, range, extraHeaders };
}

function readHeaders(context: RequestContext, plan: ReadPlan, start: number, end: number) {
  const checksumMode =
    context.request.headers.get("x-amz-checksum-mode")?.toUpperCase() === "ENABLED" &&
    plan.range === undefined;
  const headers = objectResponseHeaders(plan.info, {
    checksumMode,
    partNumber: plan.partNumber,
  });
  if (checksumMode) setPartChecksumHeaders(headers, plan.info, plan.partNumber);
  for (const [name, value] of plan.extraHeaders ?? []) headers.set(name, value);
  applyResponseOverrides(headers, context.operation.query);
  const lengthBytes = plan.info.sizeBytes === 0 ? 0 : end - start + 1;
  headers.set("Content-Length", String(lengthBytes));
  const partial = plan.range !== undefined || plan.partNumber !== undefined;
  if (partial && lengthBytes > 0) {
    headers.set("Content-Range", contentRange({ start, end }, plan.info.sizeBytes));
  }
  return { headers, status: partial ? 206 : 200 };
}

/**
 * GetObject / HeadObject with partNumber of a multipart object: that part's checksum (stored at
 * Complete) replaces the object's; without one, no checksum is claimed for the part.
 */
function setPartChecksumHeaders(
  headers: Headers,
  info: ObjectInfo,
  partNumber: number | undefined,
): void {
  if (partNumber === undefined || info.parts.length === 0) return;
  for (const name of [...headers.keys()]) {
    if (name.startsWith("x-amz-checksum-")) headers.delete(name);
  }
  const part = info.parts.find((p) => p.number === partNumber);
  setChecksumHeaders(headers, part?.checksums ?? {});
}

export async function getObject(context: RequestContext): Promise<Response> {
  if (!context.request.headers.has("range")) return await getWhole(context);
  const { bucket, key } = context.operation;
  const plan = await planRead(context);
  if (plan instanceof Response) return plan;
  const reader = await context.objects.getObject(bucket, key, {
    versionId: plan.info.versionId === "" ? plan.versionId : plan.info.versionId,
    range: plan.range,
  });
  return readResponse(context, { ...plan, info: reader.info }, reader);
}

/** Without a Range one metadata read suffices: conditions are checked on the reader's version. */
async function getWhole(context: RequestContext): Promise<Response> {
  const { bucket, key } = context.operation;
  const { versionId, partNumber } = readOptions(context);
  const reader = await context.objects.getObject(bucket, key, { versionId, partNumber });
  let answer: Response | undefined;
  try {
    answer = conditionAnswer(context, reader.info);
  } catch (error) {
    await reader.body.cancel().catch(() => {});
    throw error;
  }
  if (answer !== undefined) {
    await reader.body.cancel().catch(() => {});
    return answer;
  }
  const extraHeaders = await versionExtraHeaders(context, reader.info).catch(async (error) => {
    await reader.body.cancel().catch(() => {});
    throw error;
  });
  return readResponse(context, { info: reader.info, versionId, partNumber, extraHeaders }, reader);
}

function readResponse(
  context: RequestContext,
  plan: ReadPlan,
  reader: { body: ReadableStream<Uint8Array>; start: number; end: number },
): Response {
  const { headers, status } = readHeaders(context, plan, reader.start, reader.end);
  if (plan.info.sizeBytes === 0) {
    void reader.body.cancel().catch(() => {});
    return new Response(null, { status, headers });
  }
  return new Response(reader.body, { status, headers });
}

export async function headObject(context: RequestContext): Promise<Response> {
  const plan = await planRead(context);
  if (plan instanceof Response) return plan;
  const { start, end } = plan.range ?? partExtent(plan.info, plan.partNumber);
  const { headers, status } = readHeaders(context, plan, start, end);
  return new Response(null, { status, headers });
}

/** The byte extent of one part of a multipart object (the whole object for single PUTs). */
function partExtent(
  info: ObjectInfo,
  partNumber: number | undefined,
): { start: number; end: number } {
  if (partNumber === undefined || info.parts.length === 0) {
    return { start: 0, end: Math.max(0, info.sizeBytes - 1) };
  }
  let start = 0;
  for (const part of info.parts) {
    if (part.number === partNumber) return { start, end: start + part.sizeBytes - 1 };
    start += part.sizeBytes;
  }
  throw new S3Error("InvalidPartNumber");
}

export async function deleteObject(context: RequestContext): Promise<Response> {
  const { bucket, key, query } = context.operation;
  try {
    const result = await context.objects.deleteObject(bucket, key, {
      versionId: versionIdFromQuery(query),
      bypassGovernance: await bypassGovernance(context, bucket, key),
    });
    const headers = new Headers();
    if (result.versionId !== "") headers.set("x-amz-version-id", result.versionId);
    if (result.deleteMarker) headers.set("x-amz-delete-marker", "true");
    return emptyResponse(204, headers);
  } catch (error) {
    // Deleting what is not there succeeds in S3.
    if (
      error instanceof ObjectError && (error.code === "NoSuchKey" || error.code === "NoSuchVersion")
    ) {
      return emptyResponse(204);
    }
    throw error;
  }
}
