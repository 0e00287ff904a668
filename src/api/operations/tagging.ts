/** Bucket and object tagging: Get/Put/Delete BucketTagging and ObjectTagging. */
import { bucketTagsMax, objectTagsMax } from "../../limits.ts";
import type { RequestContext } from "../context.ts";
import { validateTags } from "../object_headers.ts";
import { emptyResponse, xmlResponse } from "../responses.ts";
import { S3Error } from "../s3_errors.ts";
import { child, childrenNamed, childText, el, parseXml, xmlDocument } from "../xml.ts";
import { readBodyText } from "../request_body.ts";
import { versionIdFromQuery } from "./versions.ts";

/** `<Tagging><TagSet><Tag><Key/><Value/></Tag>…</TagSet></Tagging>` → tags, validated. */
export function parseTagging(text: string, countMax: number): Record<string, string> {
  const tagSet = child(parseXml(text, "Tagging"), "TagSet");
  if (tagSet === undefined) throw new S3Error("MalformedXML", "Cannot read Tagging: no TagSet");
  const tags: Record<string, string> = {};
  for (const tag of childrenNamed(tagSet, "Tag")) {
    const key = childText(tag, "Key");
    const value = childText(tag, "Value") ?? "";
    if (key === undefined) throw new S3Error("MalformedXML", "Cannot read Tag: no Key");
    if (Object.hasOwn(tags, key)) {
      throw new S3Error("InvalidTag", "Cannot accept the TagSet: it has duplicate tag keys");
    }
    tags[key] = value;
  }
  validateTags(tags, countMax);
  return tags;
}

export function renderTagging(tags: Record<string, string>): string {
  const tagElements = Object.entries(tags).map(([key, value]) =>
    el("Tag", el("Key", key), el("Value", value))
  );
  return xmlDocument("Tagging", el("TagSet", tagElements));
}

export async function putBucketTagging(context: RequestContext): Promise<Response> {
  const tags = parseTagging(await readBodyText(context), bucketTagsMax);
  await context.objects.updateBucketConfig(context.operation.bucket, {
    taggingXml: renderTagging(tags),
  });
  return emptyResponse(204);
}

export async function getBucketTagging(context: RequestContext): Promise<Response> {
  const config = await context.objects.getBucketConfig(context.operation.bucket);
  if (config.taggingXml === undefined) throw new S3Error("NoSuchTagSet");
  return xmlResponse(config.taggingXml);
}

export async function deleteBucketTagging(context: RequestContext): Promise<Response> {
  await context.objects.getBucketInfo(context.operation.bucket);
  await context.objects.updateBucketConfig(context.operation.bucket, { taggingXml: undefined });
  return emptyResponse(204);
}

export async function getObjectTagging(context: RequestContext): Promise<Response> {
  const { bucket, key, query } = context.operation;
  const info = await context.objects.getObjectInfo(bucket, key, {
    versionId: versionIdFromQuery(query),
  });
  return xmlResponse(renderTagging(info.tags), { headers: versionHeader(info.versionId) });
}

export async function putObjectTagging(context: RequestContext): Promise<Response> {
  const { bucket, key, query } = context.operation;
  const tags = parseTagging(await readBodyText(context), objectTagsMax);
  const info = await context.objects.updateObjectMetadata(bucket, key, {
    versionId: versionIdFromQuery(query),
    tags,
  });
  return emptyResponse(200, versionHeader(info.versionId));
}

export async function deleteObjectTagging(context: RequestContext): Promise<Response> {
  const { bucket, key, query } = context.operation;
  const info = await context.objects.updateObjectMetadata(bucket, key, {
    versionId: versionIdFromQuery(query),
    tags: {},
  });
  return emptyResponse(204, versionHeader(info.versionId));
}

function versionHeader(versionId: string): Record<string, string> {
  return versionId === "" ? {} : { "x-amz-version-id": versionId };
}
