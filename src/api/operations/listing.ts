/** ListObjects (v1), ListObjectsV2 and ListObjectVersions. */
import { listKeysMax } from "../../limits.ts";
import type { ObjectInfo } from "../../object/object_layer.ts";
import type { RequestContext } from "../context.ts";
import { isoDate, quoteEtag, xmlResponse } from "../responses.ts";
import { S3Error } from "../s3_errors.ts";
import { el, optionalEl, xmlDocument, type XmlFragment } from "../xml.ts";
import { ownerElement } from "./owner.ts";

/** `max-keys` / `max-uploads` / `max-parts`: 0..∞ accepted, capped at `listKeysMax`. */
export function maxFromQuery(query: URLSearchParams, name: string, fallback = listKeysMax): number {
  const text = query.get(name);
  if (text === null || text === "") return fallback;
  if (!/^\d+$/.test(text)) {
    throw new S3Error(
      "InvalidArgument",
      `Cannot read ${name} "${text}": not a non-negative integer`,
    );
  }
  return Math.min(Number(text), listKeysMax);
}

/** encoding-type=url: keys and prefixes percent-encoded (slashes kept), as AWS does. */
export function keyEncoder(query: URLSearchParams): (text: string) => string {
  const encodingType = query.get("encoding-type");
  if (encodingType === null || encodingType === "") return (text) => text;
  if (encodingType.toLowerCase() !== "url") {
    throw new S3Error(
      "InvalidArgument",
      `Cannot use encoding-type "${encodingType}": only "url" is valid`,
    );
  }
  return (text) => encodeURIComponent(text).replace(/%2F/g, "/");
}

function storageClassOf(info: ObjectInfo): string {
  return info.metadata["x-amz-storage-class"] ?? "STANDARD";
}

function contentsElement(
  info: ObjectInfo,
  encode: (s: string) => string,
  owner: boolean,
): XmlFragment {
  return el(
    "Contents",
    el("Key", encode(info.key)),
    el("LastModified", isoDate(info.modTime)),
    el("ETag", quoteEtag(info.etag)),
    el("Size", info.sizeBytes),
    owner ? ownerElement() : [],
    el("StorageClass", storageClassOf(info)),
  );
}

function prefixElements(prefixes: string[], encode: (s: string) => string): XmlFragment[] {
  return prefixes.map((p) => el("CommonPrefixes", el("Prefix", encode(p))));
}

export async function listObjects(context: RequestContext): Promise<Response> {
  const { bucket, query } = context.operation;
  const encode = keyEncoder(query);
  const prefix = query.get("prefix") ?? "";
  const delimiter = query.get("delimiter") ?? "";
  const marker = query.get("marker") ?? "";
  const maxKeys = maxFromQuery(query, "max-keys");
  const result = await context.objects.listObjects(bucket, {
    prefix,
    delimiter,
    after: marker,
    maxKeys,
  });
  const body = xmlDocument(
    "ListBucketResult",
    el("Name", bucket),
    el("Prefix", encode(prefix)),
    el("Marker", encode(marker)),
    el("MaxKeys", maxKeys),
    delimiter === "" ? [] : el("Delimiter", encode(delimiter)),
    el("IsTruncated", result.isTruncated),
    result.isTruncated ? el("NextMarker", encode(result.nextAfter)) : [],
    result.objects.map((o) => contentsElement(o, encode, true)),
    prefixElements(result.prefixes, encode),
    query.has("encoding-type") ? el("EncodingType", "url") : [],
  );
  return xmlResponse(body);
}

export function encodeContinuationToken(key: string): string {
  const bytes = new TextEncoder().encode(key);
  return btoa(String.fromCharCode(...bytes));
}

export function decodeContinuationToken(token: string): string {
  try {
    const binary = atob(token);
    return new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(binary, (c) => c.charCodeAt(0)),
    );
  } catch {
    throw new S3Error("InvalidArgument", "The continuation token provided is incorrect");
  }
}

export async function listObjectsV2(context: RequestContext): Promise<Response> {
  const { bucket, query } = context.operation;
  const encode = keyEncoder(query);
  const prefix = query.get("prefix") ?? "";
  const delimiter = query.get("delimiter") ?? "";
  const startAfter = query.get("start-after") ?? "";
  const token = query.get("continuation-token");
  const maxKeys = maxFromQuery(query, "max-keys");
  const fetchOwner = query.get("fetch-owner") === "true";
  const after = token !== null ? decodeContinuationToken(token) : startAfter;
  const result = await context.objects.listObjects(bucket, { prefix, delimiter, after, maxKeys });
  const body = xmlDocument(
    "ListBucketResult",
    el("Name", bucket),
    el("Prefix", encode(prefix)),
    el("MaxKeys", maxKeys),
    el("KeyCount", result.objects.length + result.prefixes.length),
    delimiter === "" ? [] : el("Delimiter", encode(delimiter)),
    el("IsTruncated", result.isTruncated),
    token === null ? [] : el("ContinuationToken", token),
    result.isTruncated
      ? el("NextContinuationToken", encodeContinuationToken(result.nextAfter))
      : [],
    startAfter === "" ? [] : el("StartAfter", encode(startAfter)),
    result.objects.map((o) => contentsElement(o, encode, fetchOwner)),
    prefixElements(result.prefixes, encode),
    query.has("encoding-type") ? el("EncodingType", "url") : [],
  );
  return xmlResponse(body);
}

function versionElement(info: ObjectInfo, encode: (s: string) => string): XmlFragment {
  const common = [
    el("Key", encode(info.key)),
    el("VersionId", info.versionId === "" ? "null" : info.versionId),
    el("IsLatest", info.isLatest),
    el("LastModified", isoDate(info.modTime)),
  ];
  if (info.deleteMarker) return el("DeleteMarker", ...common, ownerElement());
  return el(
    "Version",
    ...common,
    el("ETag", quoteEtag(info.etag)),
    el("Size", info.sizeBytes),
    ownerElement(),
    el("StorageClass", storageClassOf(info)),
  );
}

export async function listObjectVersions(context: RequestContext): Promise<Response> {
  const { bucket, query } = context.operation;
  const encode = keyEncoder(query);
  const prefix = query.get("prefix") ?? "";
  const delimiter = query.get("delimiter") ?? "";
  const keyMarker = query.get("key-marker") ?? "";
  const versionIdMarker = query.get("version-id-marker") ?? "";
  if (versionIdMarker !== "" && keyMarker === "") {
    throw new S3Error(
      "InvalidArgument",
      "A version-id marker cannot be specified without a key marker.",
    );
  }
  const maxKeys = maxFromQuery(query, "max-keys");
  const result = await context.objects.listObjectVersions(bucket, {
    prefix,
    delimiter,
    keyMarker,
    versionIdMarker,
    maxKeys,
  });
  const body = xmlDocument(
    "ListVersionsResult",
    el("Name", bucket),
    el("Prefix", encode(prefix)),
    el("KeyMarker", encode(keyMarker)),
    el("VersionIdMarker", versionIdMarker),
    el("MaxKeys", maxKeys),
    delimiter === "" ? [] : el("Delimiter", encode(delimiter)),
    el("IsTruncated", result.isTruncated),
    result.isTruncated ? el("NextKeyMarker", encode(result.nextKeyMarker)) : [],
    result.isTruncated
      ? optionalEl("NextVersionIdMarker", result.nextVersionIdMarker || undefined)
      : [],
    result.versions.map((v) => versionElement(v, encode)),
    prefixElements(result.prefixes, encode),
    query.has("encoding-type") ? el("EncodingType", "url") : [],
  );
  return xmlResponse(body);
}
