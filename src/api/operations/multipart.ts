/**
 * Multipart uploads: CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
 * AbortMultipartUpload, ListParts, ListMultipartUploads. (UploadPartCopy is in copy.ts.)
 */
import { lockMetadataFromHeaders } from "./object_lock.ts";
import { listKeysMax, partNumberMax, putObjectMaxBytes } from "../../limits.ts";
import {
  type ChecksumAlgorithm,
  checksumHeaderName,
  compositeChecksum,
  fullObjectChecksum,
  parseChecksumAlgorithm,
} from "../../auth/mod.ts";
import type { CompletePart, ObjectChecksumOf, ObjectInfo } from "../../object/object_layer.ts";
import { requestedChecksum } from "../checksums.ts";
import { keepaliveOptions, withKeepalive } from "../keepalive.ts";
import { unquoteEtag } from "../conditions.ts";
import type { RequestContext } from "../context.ts";
import {
  md5HexFromHeader,
  metadataFromHeaders,
  setChecksumHeaders,
  storageClassFromHeaders,
  tagsFromHeader,
} from "../object_headers.ts";
import { objectBody, readBodyText } from "../request_body.ts";
import { emptyResponse, isoDate, quoteEtag, xmlResponse } from "../responses.ts";
import { S3Error } from "../s3_errors.ts";
import { childrenNamed, childText, el, parseXml, xmlDocument } from "../xml.ts";
import { keyEncoder, maxFromQuery } from "./listing.ts";
import { writeConditions } from "./objects.ts";
import { ownerElement } from "./owner.ts";

export async function createMultipartUpload(context: RequestContext): Promise<Response> {
  const { bucket, key } = context.operation;
  const headers = context.request.headers;
  const checksum = uploadChecksumFromHeaders(headers);
  const uploadId = await context.objects.newMultipartUpload(bucket, key, {
    ...(checksum === undefined
      ? {}
      : { checksumAlgorithm: checksum.algorithm, checksumType: checksum.type }),
    contentType: headers.get("content-type") ?? undefined,
    metadata: {
      ...metadataFromHeaders(headers),
      ...await lockMetadataFromHeaders(context, bucket),
    },
    tags: tagsFromHeader(headers.get("x-amz-tagging")),
    storageClass: storageClassFromHeaders(headers),
  });
  const responseHeaders = new Headers();
  if (checksum !== undefined) {
    responseHeaders.set("x-amz-checksum-algorithm", checksum.algorithm);
    responseHeaders.set("x-amz-checksum-type", checksum.type);
  }
  return xmlResponse(
    xmlDocument(
      "InitiateMultipartUploadResult",
      el("Bucket", bucket),
      el("Key", key),
      el("UploadId", uploadId),
    ),
    { headers: responseHeaders },
  );
}

/**
 * CreateMultipartUpload's `x-amz-checksum-algorithm` and `x-amz-checksum-type`: COMPOSITE by
 * default, FULL_OBJECT by default for CRC64NVME; FULL_OBJECT only for CRCs, COMPOSITE not for
 * CRC64NVME (InvalidRequest, as S3). Undefined when no algorithm is given.
 */
export function uploadChecksumFromHeaders(
  headers: Headers,
): { algorithm: ChecksumAlgorithm; type: "COMPOSITE" | "FULL_OBJECT" } | undefined {
  const algorithmText = headers.get("x-amz-checksum-algorithm");
  const typeText = headers.get("x-amz-checksum-type")?.trim().toUpperCase();
  if (algorithmText === null) {
    if (typeText !== undefined) {
      throw new S3Error(
        "InvalidRequest",
        "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.",
      );
    }
    return undefined;
  }
  const algorithm = parseChecksumAlgorithm(algorithmText.trim());
  if (algorithm === undefined) {
    throw new S3Error("InvalidRequest", `Checksum algorithm "${algorithmText}" is not supported`);
  }
  const type = typeText ?? (algorithm === "CRC64NVME" ? "FULL_OBJECT" : "COMPOSITE");
  if (type !== "COMPOSITE" && type !== "FULL_OBJECT") {
    throw new S3Error("InvalidRequest", `Value for x-amz-checksum-type "${typeText}" is invalid.`);
  }
  if (type === "FULL_OBJECT" && (algorithm === "SHA1" || algorithm === "SHA256")) {
    throw new S3Error(
      "InvalidRequest",
      `The FULL_OBJECT checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`,
    );
  }
  if (type === "COMPOSITE" && algorithm === "CRC64NVME") {
    throw new S3Error(
      "InvalidRequest",
      "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.",
    );
  }
  return { algorithm, type };
}

/** The object checksum of a completed upload, as S3 computes COMPOSITE and FULL_OBJECT. */
export const objectChecksumOf: ObjectChecksumOf = (algorithm, checksumType, parts) => {
  const known = parseChecksumAlgorithm(algorithm);
  if (known === undefined) throw new Error(`bug: stored checksum algorithm "${algorithm}"`);
  return checksumType === "FULL_OBJECT"
    ? fullObjectChecksum(known, parts)
    : compositeChecksum(known, parts.map((part) => part.checksum));
};

/**
 * The object checksum, refused with BadDigest (before anything is committed) when the client
 * declared the whole object's checksum in Complete's `x-amz-checksum-<algorithm>` header and it
 * differs. The part-count suffix of a COMPOSITE value is not part of the comparison.
 */
function checkedObjectChecksumOf(
  algorithm: string,
  declared: string | undefined,
): ObjectChecksumOf {
  return (uploadAlgorithm, checksumType, parts) => {
    const actual = objectChecksumOf(uploadAlgorithm, checksumType, parts);
    const sameAlgorithm = uploadAlgorithm.toUpperCase() === algorithm.toUpperCase();
    if (
      declared !== undefined && sameAlgorithm && actual.split("-")[0] !== declared.split("-")[0]
    ) {
      throw new S3Error(
        "BadDigest",
        `The ${algorithm} you specified for the object (${declared}) does not match its parts' (${actual})`,
      );
    }
    return actual;
  };
}

/**
 * UploadPart to an upload created with a checksum algorithm must carry that algorithm's
 * checksum (header, trailer, or x-amz-sdk-checksum-algorithm for the server to compute).
 */
async function requireUploadChecksum(context: RequestContext, uploadId: string): Promise<void> {
  const { bucket, key } = context.operation;
  const upload = await context.objects.listObjectParts(bucket, key, uploadId, {
    partNumberMarker: partNumberMax,
    maxParts: 1,
  });
  if (upload.checksumAlgorithm === undefined) return;
  const expected = parseChecksumAlgorithm(upload.checksumAlgorithm);
  const given = requestedChecksum(context.request.headers);
  if (expected === undefined || given?.algorithm === expected) return;
  throw new S3Error(
    "InvalidRequest",
    given === undefined
      ? `${checksumHeaderName(expected)} required`
      : `Checksum Type mismatch occurred, expected checksum Type: ${expected.toLowerCase()}, actual checksum Type: ${given.algorithm.toLowerCase()}`,
  );
}

/** `partNumber` of UploadPart / UploadPartCopy: 1..10000. */
export function uploadPartNumber(query: URLSearchParams): number {
  const text = query.get("partNumber") ?? "";
  const partNumber = Number(text);
  if (!/^\d+$/.test(text) || partNumber < 1 || partNumber > partNumberMax) {
    throw new S3Error(
      "InvalidArgument",
      `Part number must be an integer between 1 and ${partNumberMax}, inclusive`,
    );
  }
  return partNumber;
}

export async function uploadPart(context: RequestContext): Promise<Response> {
  const { bucket, key, query } = context.operation;
  const uploadId = query.get("uploadId") ?? "";
  const partNumber = uploadPartNumber(query);
  const md5Hex = md5HexFromHeader(context.request.headers.get("content-md5"));
  await requireUploadChecksum(context, uploadId);
  const body = objectBody(context, { sizeMaxBytes: putObjectMaxBytes });
  const part = await context.objects.putObjectPart(bucket, key, uploadId, partNumber, body.stream, {
    sizeBytes: body.sizeBytes,
    md5Hex,
    checksums: body.checksums,
  });
  const headers = new Headers({ ETag: quoteEtag(part.etag) });
  setChecksumHeaders(headers, part.checksums);
  return emptyResponse(200, headers);
}

const checksumElements = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"];

export function parseCompleteParts(text: string): CompletePart[] {
  const root = parseXml(text, "CompleteMultipartUpload");
  const parts = childrenNamed(root, "Part");
  if (parts.length === 0 || parts.length > partNumberMax) {
    throw new S3Error("MalformedXML", `Cannot complete an upload with ${parts.length} parts`);
  }
  return parts.map((part) => {
    const numberText = childText(part, "PartNumber") ?? "";
    const etag = childText(part, "ETag");
    if (!/^\d+$/.test(numberText.trim()) || etag === undefined) {
      throw new S3Error("MalformedXML", "Cannot read Part: PartNumber and ETag are required");
    }
    const checksums: Record<string, string> = {};
    for (const algorithm of checksumElements) {
      const value = childText(part, `Checksum${algorithm}`);
      if (value !== undefined) checksums[algorithm] = value;
    }
    return { partNumber: Number(numberText.trim()), etag: unquoteEtag(etag), checksums };
  });
}

export async function completeMultipartUpload(context: RequestContext): Promise<Response> {
  const { bucket, key, query } = context.operation;
  const uploadId = query.get("uploadId") ?? "";
  const parts = parseCompleteParts(
    await readBodyText(context, undefined, { checksumHeadersDescribeBody: false }),
  );
  for (let i = 1; i < parts.length; i++) {
    if (parts[i].partNumber <= parts[i - 1].partNumber) throw new S3Error("InvalidPartOrder");
  }
  const expected = requestedChecksum(context.request.headers);
  const work = context.objects.completeMultipartUpload(
    bucket,
    key,
    uploadId,
    parts,
    {
      ...writeConditions(context.request.headers),
      objectChecksumOf: expected === undefined
        ? objectChecksumOf
        : checkedObjectChecksumOf(expected.algorithm, expected.expected),
    },
  ).then((info) => completeResult(context, info));
  return await withKeepalive(work, keepaliveOptions(context));
}

function completeResult(context: RequestContext, info: ObjectInfo): Response {
  const { bucket, key } = context.operation;
  const headers = new Headers();
  if (info.versionId !== "") headers.set("x-amz-version-id", info.versionId);
  setChecksumHeaders(headers, info.checksums, info.checksumType);
  const location = `${context.url.protocol}//${context.url.host}/${bucket}/${
    encodeURIComponent(key)
  }`;
  return xmlResponse(
    xmlDocument(
      "CompleteMultipartUploadResult",
      el("Location", location),
      el("Bucket", bucket),
      el("Key", key),
      el("ETag", quoteEtag(info.etag)),
      Object.entries(info.checksums).map(([alg, value]) =>
        el(`Checksum${alg.toUpperCase()}`, value)
      ),
      info.checksumType === undefined || Object.keys(info.checksums).length === 0
        ? []
        : el("ChecksumType", info.checksumType),
    ),
    { headers },
  );
}

export async function abortMultipartUpload(context: RequestContext): Promise<Response> {
  const { bucket, key, query } = context.operation;
  await context.objects.abortMultipartUpload(bucket, key, query.get("uploadId") ?? "");
  return emptyResponse(204);
}

export async function listParts(context: RequestContext): Promise<Response> {
  const { bucket, key, query } = context.operation;
  const uploadId = query.get("uploadId") ?? "";
  const markerText = query.get("part-number-marker") ?? "0";
  if (!/^\d+$/.test(markerText)) {
    throw new S3Error("InvalidArgument", `Cannot read part-number-marker "${markerText}"`);
  }
  const partNumberMarker = Number(markerText);
  const maxParts = maxFromQuery(query, "max-parts", listKeysMax);
  const result = await context.objects.listObjectParts(bucket, key, uploadId, {
    partNumberMarker,
    maxParts,
  });
  const body = xmlDocument(
    "ListPartsResult",
    el("Bucket", bucket),
    el("Key", key),
    el("UploadId", uploadId),
    ownerElement("Initiator"),
    ownerElement(),
    el("StorageClass", "STANDARD"),
    el("PartNumberMarker", partNumberMarker),
    el("NextPartNumberMarker", result.nextPartNumberMarker),
    el("MaxParts", maxParts),
    el("IsTruncated", result.isTruncated),
    result.checksumAlgorithm === undefined ? [] : el("ChecksumAlgorithm", result.checksumAlgorithm),
    result.checksumType === undefined ? [] : el("ChecksumType", result.checksumType),
    result.parts.map((part) =>
      el(
        "Part",
        el("PartNumber", part.partNumber),
        el("LastModified", isoDate(part.lastModified)),
        el("ETag", quoteEtag(part.etag)),
        el("Size", part.sizeBytes),
        Object.entries(part.checksums).map(([alg, value]) =>
          el(`Checksum${alg.toUpperCase()}`, value)
        ),
      )
    ),
  );
  return xmlResponse(body);
}

export async function listMultipartUploads(context: RequestContext): Promise<Response> {
  const { bucket, query } = context.operation;
  const encode = keyEncoder(query);
  const prefix = query.get("prefix") ?? "";
  const delimiter = query.get("delimiter") ?? "";
  const keyMarker = query.get("key-marker") ?? "";
  const uploadIdMarker = query.get("upload-id-marker") ?? "";
  const maxUploads = maxFromQuery(query, "max-uploads");
  const result = await context.objects.listMultipartUploads(bucket, {
    prefix,
    delimiter,
    keyMarker,
    uploadIdMarker,
    maxUploads,
  });
  const body = xmlDocument(
    "ListMultipartUploadsResult",
    el("Bucket", bucket),
    el("KeyMarker", encode(keyMarker)),
    el("UploadIdMarker", uploadIdMarker),
    el("NextKeyMarker", encode(result.nextKeyMarker)),
    el("NextUploadIdMarker", result.nextUploadIdMarker),
    delimiter === "" ? [] : el("Delimiter", encode(delimiter)),
    el("Prefix", encode(prefix)),
    el("MaxUploads", maxUploads),
    el("IsTruncated", result.isTruncated),
    result.uploads.map((upload) =>
      el(
        "Upload",
        el("Key", encode(upload.key)),
        el("UploadId", upload.uploadId),
        ownerElement("Initiator"),
        ownerElement(),
        el("StorageClass", upload.metadata["x-amz-storage-class"] ?? "STANDARD"),
        el("Initiated", isoDate(upload.initiated)),
      )
    ),
    result.prefixes.map((p) => el("CommonPrefixes", el("Prefix", encode(p)))),
    query.has("encoding-type") ? el("EncodingType", "url") : [],
  );
  return xmlResponse(body);
}
