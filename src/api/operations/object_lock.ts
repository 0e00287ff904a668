/**
 * Object Lock on the wire: Get/PutObjectLockConfiguration, Get/PutObjectRetention,
 * Get/PutObjectLegalHold, the `x-amz-object-lock-*` request headers of PutObject, CopyObject
 * and CreateMultipartUpload, and the same headers on HEAD/GET. The rules themselves live in
 * object/object_lock.ts and are enforced by the object layer.
 */
import {
  defaultRetentionProblem,
  isRetentionMode,
  lockLegalHoldKey,
  lockModeKey,
  lockRetainUntilKey,
  lockStateFromMetadata,
  parseRetainUntil,
  type Retention,
  retentionMetadata,
} from "../../object/object_lock.ts";
import type { ObjectInfo } from "../../object/object_layer.ts";
import { authorizeAnonymous } from "../authorize.ts";
import type { RequestContext } from "../context.ts";
import { readBodyText } from "../request_body.ts";
import { emptyResponse, xmlResponse } from "../responses.ts";
import { S3Error } from "../s3_errors.ts";
import { child, childText, el, parseXml, xmlDocument, type XmlNode } from "../xml.ts";
import { versionIdFromQuery } from "./versions.ts";

const missingLock = "Bucket is missing Object Lock Configuration";

/**
 * `x-amz-bypass-governance-retention: true` (case-insensitive, as MinIO reads it), honoured
 * for the root user and for requests the bucket policy grants s3:BypassGovernanceRetention;
 * for anyone else the header is ignored (a GOVERNANCE lock then refuses as usual).
 */
export async function bypassGovernance(
  context: RequestContext,
  bucket: string,
  key: string,
): Promise<boolean> {
  const header = context.request.headers.get("x-amz-bypass-governance-retention");
  if (header?.toLowerCase() !== "true") return false;
  return await allowed(context, { bucket, key, action: "s3:BypassGovernanceRetention" });
}

/** Whether the caller may do `action` on the object: root always, others by bucket policy. */
async function allowed(
  context: RequestContext,
  request: { bucket: string; key: string; action: string },
): Promise<boolean> {
  if (context.verified.identity.kind === "root") return true;
  try {
    await authorizeAnonymous(context, request);
    return true;
  } catch (error) {
    if (error instanceof S3Error && error.code === "AccessDenied") return false;
    throw error;
  }
}

/**
 * The lock a new version asks for in its headers, as metadata entries (empty when none).
 * Refused as AWS does: InvalidRequest on a bucket without Object Lock; InvalidArgument when
 * mode and date do not come together, the mode or hold is unknown, or the date is not ahead.
 */
export async function lockMetadataFromHeaders(
  context: RequestContext,
  bucket: string,
): Promise<Record<string, string>> {
  const headers = context.request.headers;
  const mode = headers.get("x-amz-object-lock-mode");
  const until = headers.get("x-amz-object-lock-retain-until-date");
  const hold = headers.get("x-amz-object-lock-legal-hold");
  if (mode === null && until === null && hold === null) return {};
  if (!(await context.objects.getBucketConfig(bucket)).objectLockEnabled) {
    throw new S3Error("InvalidRequest", missingLock);
  }
  const metadata: Record<string, string> = {};
  if (mode !== null || until !== null) {
    if (mode === null || until === null) {
      throw new S3Error(
        "InvalidArgument",
        "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied",
      );
    }
    Object.assign(metadata, retentionMetadata(parseRetention(mode, until, context.now)));
  }
  if (hold !== null) metadata[lockLegalHoldKey] = parseLegalHold(hold, "InvalidArgument");
  return metadata;
}

/**
 * S3 (and MinIO) want an integrity check on a PutObject that sets a lock: Content-MD5 or an
 * x-amz-checksum (header, or a trailer announced by x-amz-trailer / x-amz-sdk-checksum-algorithm).
 */
export function requireIntegrityForLock(headers: Headers, lock: Record<string, string>): void {
  if (Object.keys(lock).length === 0) return;
  const names = [...headers.keys()];
  const checked = headers.has("content-md5") || headers.has("x-amz-sdk-checksum-algorithm") ||
    (headers.get("x-amz-trailer") ?? "").toLowerCase().includes("x-amz-checksum-") ||
    names.some((name) => name.startsWith("x-amz-checksum-") && name !== "x-amz-checksum-type");
  if (!checked) {
    throw new S3Error(
      "InvalidRequest",
      "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters",
    );
  }
}

function parseRetention(mode: string, until: string, now: Date): Retention {
  const upper = mode.toUpperCase();
  if (!isRetentionMode(upper)) throw new S3Error("InvalidArgument", "Unknown wormMode directive.");
  const retainUntil = parseRetainUntil(until);
  if (retainUntil === undefined) {
    throw new S3Error(
      "InvalidArgument",
      "The retain until date must be provided in ISO 8601 format",
    );
  }
  if (retainUntil.getTime() <= now.getTime()) {
    throw new S3Error("InvalidArgument", "The retain until date must be in the future!");
  }
  return { mode: upper, retainUntil };
}

function parseLegalHold(text: string, code: "InvalidArgument" | "MalformedXML"): "ON" | "OFF" {
  const upper = text.toUpperCase();
  if (upper !== "ON" && upper !== "OFF") {
    throw new S3Error(code, `Cannot read legal hold status "${text}": ON or OFF`);
  }
  return upper;
}

/**
 * HEAD/GET: the version's lock, in S3's header form, when it has one and the caller may read
 * it (root, or a bucket policy granting s3:GetObjectRetention / s3:GetObjectLegalHold).
 */
export async function setVisibleLockHeaders(
  context: RequestContext,
  headers: Headers,
  info: ObjectInfo,
): Promise<void> {
  const hasRetention = info.metadata[lockModeKey] !== undefined;
  const hasHold = info.metadata[lockLegalHoldKey] !== undefined;
  if (!hasRetention && !hasHold) return;
  const may = (action: string) => allowed(context, { bucket: info.bucket, key: info.key, action });
  setLockHeaders(headers, info, {
    retention: hasRetention && await may("s3:GetObjectRetention"),
    legalHold: hasHold && await may("s3:GetObjectLegalHold"),
  });
}

function setLockHeaders(
  headers: Headers,
  info: ObjectInfo,
  visible: { retention: boolean; legalHold: boolean },
): void {
  const mode = info.metadata[lockModeKey];
  const until = info.metadata[lockRetainUntilKey];
  const state = lockStateFromMetadata(info.metadata);
  if (visible.retention && mode !== undefined && until !== undefined && state.retention) {
    headers.set("x-amz-object-lock-mode", state.retention.mode);
    headers.set(
      "x-amz-object-lock-retain-until-date",
      state.retention.retainUntil.toISOString(),
    );
  }
  if (visible.legalHold && info.metadata[lockLegalHoldKey] !== undefined) {
    headers.set("x-amz-object-lock-legal-hold", state.legalHold ? "ON" : "OFF");
  }
}

// ---- Bucket configuration ----

/** The stored form of a validated ObjectLockConfiguration (what MinIO writes back). */
function lockConfigurationXml(rule: { mode: string; days?: number; years?: number } | undefined) {
  const period = rule === undefined
    ? []
    : [el("Rule", el("DefaultRetention", el("Mode", rule.mode), periodElement(rule)))];
  return xmlDocument("ObjectLockConfiguration", el("ObjectLockEnabled", "Enabled"), ...period);
}

function periodElement(rule: { days?: number; years?: number }) {
  return rule.days !== undefined ? el("Days", rule.days) : el("Years", rule.years ?? 0);
}

function readDefaultRetention(config: XmlNode) {
  const rule = child(config, "Rule");
  if (rule === undefined) return undefined;
  const retention = child(rule, "DefaultRetention");
  if (retention === undefined) {
    throw new S3Error("MalformedXML", "Cannot read Rule: no DefaultRetention");
  }
  const number = (name: string) => {
    const text = childText(retention, name);
    if (text === undefined) return undefined;
    if (!/^-?\d+$/.test(text)) throw new S3Error("MalformedXML", `Cannot read ${name} "${text}"`);
    return Number(text);
  };
  const parsed = {
    mode: childText(retention, "Mode") ?? "",
    ...(number("Days") === undefined ? {} : { days: number("Days") }),
    ...(number("Years") === undefined ? {} : { years: number("Years") }),
  };
  const problem = defaultRetentionProblem(parsed);
  if (problem === undefined) return parsed;
  const shape = !isRetentionMode(parsed.mode) ||
    (parsed.days === undefined) === (parsed.years === undefined);
  throw new S3Error(shape ? "MalformedXML" : "InvalidArgument", problem);
}

export async function putObjectLockConfiguration(context: RequestContext): Promise<Response> {
  const { bucket } = context.operation;
  const config = parseXml(await readBodyText(context), "ObjectLockConfiguration");
  const enabled = childText(config, "ObjectLockEnabled");
  if (enabled !== "Enabled") {
    throw new S3Error("MalformedXML", `Cannot read ObjectLockEnabled "${enabled ?? ""}"`);
  }
  const rule = readDefaultRetention(config);
  const current = await context.objects.getBucketConfig(bucket);
  if (!current.objectLockEnabled) {
    throw new S3Error(
      "InvalidBucketState",
      "Object Lock configuration cannot be enabled on existing buckets",
    );
  }
  await context.objects.updateBucketConfig(bucket, { objectLockXml: lockConfigurationXml(rule) });
  return emptyResponse(200);
}

export async function getObjectLockConfiguration(context: RequestContext): Promise<Response> {
  const config = await context.objects.getBucketConfig(context.operation.bucket);
  if (!config.objectLockEnabled) throw new S3Error("ObjectLockConfigurationNotFoundError");
  if (config.objectLockXml !== undefined) return xmlResponse(config.objectLockXml);
  return xmlResponse(lockConfigurationXml(undefined));
}

// ---- Object retention and legal hold ----

async function requireLock(context: RequestContext): Promise<void> {
  const config = await context.objects.getBucketConfig(context.operation.bucket);
  if (!config.objectLockEnabled) throw new S3Error("InvalidRequest", missingLock);
}

function versionHeaders(info: ObjectInfo): Headers {
  const headers = new Headers();
  if (info.versionId !== "") headers.set("x-amz-version-id", info.versionId);
  return headers;
}

export async function getObjectRetention(context: RequestContext): Promise<Response> {
  const { bucket, key, query } = context.operation;
  await requireLock(context);
  const info = await context.objects.getObjectInfo(bucket, key, {
    versionId: versionIdFromQuery(query),
  });
  const { retention } = lockStateFromMetadata(info.metadata);
  if (retention === undefined) throw new S3Error("NoSuchObjectLockConfiguration");
  return xmlResponse(
    xmlDocument(
      "Retention",
      el("Mode", retention.mode),
      el("RetainUntilDate", retention.retainUntil.toISOString()),
    ),
  );
}

/** `<Retention>` with Mode and RetainUntilDate together, or empty (removes the retention). */
function readRetention(text: string, now: Date): Retention | undefined {
  const node = parseXml(text, "Retention");
  const mode = childText(node, "Mode");
  const until = childText(node, "RetainUntilDate");
  if (mode === undefined && until === undefined) return undefined;
  if (mode === undefined || until === undefined) {
    throw new S3Error(
      "MalformedXML",
      "Cannot read Retention: Mode and RetainUntilDate go together",
    );
  }
  if (!isRetentionMode(mode)) throw new S3Error("MalformedXML", `Unknown retention Mode "${mode}"`);
  return parseRetention(mode, until, now);
}

export async function putObjectRetention(context: RequestContext): Promise<Response> {
  const { bucket, key, query } = context.operation;
  const retention = readRetention(await readBodyText(context), context.now);
  await requireLock(context);
  const info = await context.objects.putObjectRetention(bucket, key, {
    versionId: versionIdFromQuery(query),
    ...(retention === undefined ? {} : { retention }),
    bypassGovernance: await bypassGovernance(context, bucket, key),
  });
  return emptyResponse(200, versionHeaders(info));
}

export async function getObjectLegalHold(context: RequestContext): Promise<Response> {
  const { bucket, key, query } = context.operation;
  await requireLock(context);
  const info = await context.objects.getObjectInfo(bucket, key, {
    versionId: versionIdFromQuery(query),
  });
  if (info.metadata[lockLegalHoldKey] === undefined) {
    throw new S3Error("NoSuchObjectLockConfiguration");
  }
  const { legalHold } = lockStateFromMetadata(info.metadata);
  return xmlResponse(xmlDocument("LegalHold", el("Status", legalHold ? "ON" : "OFF")));
}

export async function putObjectLegalHold(context: RequestContext): Promise<Response> {
  const { bucket, key, query } = context.operation;
  const node = parseXml(await readBodyText(context), "LegalHold");
  const status = parseLegalHold(childText(node, "Status") ?? "", "MalformedXML");
  await requireLock(context);
  const info = await context.objects.putObjectLegalHold(bucket, key, {
    versionId: versionIdFromQuery(query),
    legalHold: status === "ON",
  });
  return emptyResponse(200, versionHeaders(info));
}
