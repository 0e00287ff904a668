/** DeleteObjects (POST ?delete): up to 1000 keys, per-key results, quiet mode. */
import { bypassGovernance } from "./object_lock.ts";
import { deleteObjectsConcurrencyMax, listKeysMax } from "../../limits.ts";
import { ObjectError } from "../../object/object_layer.ts";
import { authorizeAnonymous } from "../authorize.ts";
import type { RequestContext } from "../context.ts";
import { readBodyText } from "../request_body.ts";
import { xmlResponse } from "../responses.ts";
import { S3Error, toS3Error } from "../s3_errors.ts";
import { childrenNamed, childText, el, parseXml, xmlDocument, type XmlFragment } from "../xml.ts";

export interface DeleteRequest {
  quiet: boolean;
  objects: { key: string; versionId?: string }[];
}

export function parseDeleteRequest(text: string): DeleteRequest {
  const root = parseXml(text, "Delete");
  const objects = childrenNamed(root, "Object").map((node) => {
    const key = childText(node, "Key");
    if (key === undefined) throw new S3Error("MalformedXML", "Cannot read Object: no Key");
    const versionId = childText(node, "VersionId");
    return versionId === undefined || versionId === "" ? { key } : { key, versionId };
  });
  if (objects.length === 0 || objects.length > listKeysMax) {
    throw new S3Error(
      "MalformedXML",
      `Cannot delete ${objects.length} objects in one request: 1 to ${listKeysMax} are allowed`,
    );
  }
  return { quiet: childText(root, "Quiet")?.trim().toLowerCase() === "true", objects };
}

/** AWS requires an integrity header on DeleteObjects: Content-MD5 or an x-amz-checksum-*. */
function requireIntegrityHeader(headers: Headers): void {
  if (headers.has("content-md5") || headers.has("x-amz-sdk-checksum-algorithm")) return;
  for (const name of headers.keys()) if (name.startsWith("x-amz-checksum-")) return;
  throw new S3Error("InvalidRequest", "Missing required header for this request: Content-MD5");
}

export async function deleteObjects(context: RequestContext): Promise<Response> {
  const { bucket } = context.operation;
  requireIntegrityHeader(context.request.headers);
  const request = parseDeleteRequest(await readBodyText(context));
  await context.objects.getBucketInfo(bucket);
  const outcomes = await mapBounded(
    request.objects,
    deleteObjectsConcurrencyMax,
    (object) => deleteOne(context, bucket, object),
  );
  const results = outcomes.filter((o) => !(request.quiet && o.deleted)).map((o) => o.xml);
  return xmlResponse(xmlDocument("DeleteResult", results));
}

async function deleteOne(
  context: RequestContext,
  bucket: string,
  object: { key: string; versionId?: string },
): Promise<{ deleted: boolean; xml: XmlFragment }> {
  const versionElement = object.versionId === undefined ? [] : el("VersionId", object.versionId);
  try {
    if (context.verified.identity.kind !== "root") {
      await authorizeAnonymous(context, { bucket, action: "s3:DeleteObject", key: object.key });
    }
    const result = await context.objects.deleteObject(bucket, object.key, {
      versionId: object.versionId,
      bypassGovernance: await bypassGovernance(context, bucket, object.key),
    });
    const marker = result.deleteMarker
      ? [el("DeleteMarker", true), el("DeleteMarkerVersionId", result.versionId)]
      : [];
    return { deleted: true, xml: el("Deleted", el("Key", object.key), versionElement, marker) };
  } catch (error) {
    if (
      error instanceof ObjectError && (error.code === "NoSuchKey" || error.code === "NoSuchVersion")
    ) {
      return { deleted: true, xml: el("Deleted", el("Key", object.key), versionElement) };
    }
    const s3Error = toS3Error(error);
    if (s3Error === undefined) throw error;
    return {
      deleted: false,
      xml: el(
        "Error",
        el("Key", object.key),
        versionElement,
        el("Code", s3Error.code),
        el("Message", s3Error.message),
      ),
    };
  }
}

/** `fn` over `items` with at most `concurrency` calls in flight; results in input order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
