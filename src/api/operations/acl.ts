/**
 * ACLs, as far as a single-owner store has them: Get*Acl answers that the owner has
 * FULL_CONTROL; Put*Acl accepts only that (the `private` canned ACL or an equivalent grant
 * list) and answers NotImplemented for anything that would grant others access — bucket
 * policies are the way to share.
 */
import type { RequestContext } from "../context.ts";
import { readBodyText } from "../request_body.ts";
import { emptyResponse, xmlResponse } from "../responses.ts";
import { S3Error } from "../s3_errors.ts";
import {
  child,
  childrenNamed,
  childText,
  el,
  elWithAttributes,
  parseXml,
  xmlDocument,
} from "../xml.ts";
import { versionIdFromQuery } from "./versions.ts";
import { ownerDisplayName, ownerElement, ownerId } from "./owner.ts";

function ownerOnlyAcl(): string {
  const grantee = elWithAttributes(
    "Grantee",
    { "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "xsi:type": "CanonicalUser" },
    el("ID", ownerId),
    el("DisplayName", ownerDisplayName),
  );
  return xmlDocument(
    "AccessControlPolicy",
    ownerElement(),
    el("AccessControlList", el("Grant", grantee, el("Permission", "FULL_CONTROL"))),
  );
}

/** Only the owner-only ACL can be set: canned `private`, or grants of FULL_CONTROL to the owner. */
async function checkOwnerOnly(context: RequestContext): Promise<void> {
  const canned = context.request.headers.get("x-amz-acl");
  const grantHeaders = [...context.request.headers.keys()].filter((h) =>
    h.startsWith("x-amz-grant-")
  );
  if (grantHeaders.length > 0 || (canned !== null && canned !== "private")) throw notImplemented();
  const text = await readBodyText(context);
  if (text.trim() === "") return;
  const list = child(parseXml(text, "AccessControlPolicy"), "AccessControlList");
  for (const grant of list === undefined ? [] : childrenNamed(list, "Grant")) {
    const grantee = child(grant, "Grantee");
    const id = grantee === undefined ? undefined : childText(grantee, "ID");
    if (childText(grant, "Permission") !== "FULL_CONTROL" || id !== ownerId) throw notImplemented();
  }
}

function notImplemented(): S3Error {
  return new S3Error(
    "NotImplemented",
    "Cannot grant access through ACLs: only the owner-only (private) ACL is supported; use a bucket policy",
  );
}

export async function getBucketAcl(context: RequestContext): Promise<Response> {
  await context.objects.getBucketInfo(context.operation.bucket);
  return xmlResponse(ownerOnlyAcl());
}

export async function putBucketAcl(context: RequestContext): Promise<Response> {
  await context.objects.getBucketInfo(context.operation.bucket);
  await checkOwnerOnly(context);
  return emptyResponse(200);
}

export async function getObjectAcl(context: RequestContext): Promise<Response> {
  const { bucket, key, query } = context.operation;
  const info = await context.objects.getObjectInfo(bucket, key, {
    versionId: versionIdFromQuery(query),
  });
  const headers = info.versionId === "" ? undefined : { "x-amz-version-id": info.versionId };
  return xmlResponse(ownerOnlyAcl(), { headers });
}

export async function putObjectAcl(context: RequestContext): Promise<Response> {
  const { bucket, key, query } = context.operation;
  await context.objects.getObjectInfo(bucket, key, { versionId: versionIdFromQuery(query) });
  await checkOwnerOnly(context);
  return emptyResponse(200);
}
