/**
 * PostObject: a browser form upload (multipart/form-data). The fields before the file are read,
 * the POST policy is verified by auth (signature, expiry, conditions), and the file streams into
 * the object layer; content-length-range is enforced before the write commits.
 */
import {
  checkPostContentLength,
  type ContentLengthRange,
  verifyPostPolicy,
} from "../../auth/mod.ts";
import {
  objectTagsMax,
  postFormFieldCountMax,
  postFormFieldMaxBytes,
  postFormPartHeaderMaxBytes,
} from "../../limits.ts";
import type { RequestContext } from "../context.ts";
import { credentialStore } from "../credentials.ts";
import { boundaryOf, readFormUpload } from "../form_data.ts";
import { clientBody } from "../request_body.ts";
import { metadataFromHeaders, storageClassFromHeaders } from "../object_headers.ts";
import { emptyResponse, quoteEtag, xmlResponse } from "../responses.ts";
import { S3Error } from "../s3_errors.ts";
import { el, xmlDocument } from "../xml.ts";
import { authorizeAnonymous } from "../authorize.ts";
import { parseTagging } from "./tagging.ts";

export async function postObject(context: RequestContext): Promise<Response> {
  const { bucket } = context.operation;
  if (context.request.body === null) throw new S3Error("MalformedPOSTRequest");
  const upload = await readFormUpload(
    clientBody(context.request),
    boundaryOf(context.request.headers.get("content-type")),
    {
      partHeaderMaxBytes: postFormPartHeaderMaxBytes,
      fieldMaxBytes: postFormFieldMaxBytes,
      fieldCountMax: postFormFieldCountMax,
    },
  );
  const verified = verifyPostPolicy(
    { bucket, fields: upload.fields, filename: upload.file.filename },
    { credentials: credentialStore(context.options.credentials), nowMs: context.now.getTime() },
  );
  if (verified.identity.kind === "anonymous") {
    await authorizeAnonymous(context, { bucket, action: "s3:PutObject", key: verified.key });
  }
  const headers = verified.headers;
  const info = await context.objects.putObject(
    bucket,
    verified.key,
    upload.file.stream.pipeThrough(lengthCheck(verified.contentLengthRange)),
    {
      sizeBytes: -1,
      contentType: headers.get("content-type") ?? upload.file.contentType,
      metadata: metadataFromHeaders(headers),
      tags: verified.taggingXml === undefined
        ? undefined
        : parseTagging(verified.taggingXml, objectTagsMax),
      storageClass: storageClassFromHeaders(headers),
    },
  );
  const etag = quoteEtag(info.etag);
  const location = `${context.url.protocol}//${context.url.host}/${bucket}/${
    encodeURIComponent(verified.key)
  }`;
  const responseHeaders = new Headers({ ETag: etag, Location: location });
  if (info.versionId !== "") responseHeaders.set("x-amz-version-id", info.versionId);
  if (verified.successActionRedirect !== undefined) {
    const redirect = new URL(verified.successActionRedirect);
    redirect.searchParams.set("bucket", bucket);
    redirect.searchParams.set("key", verified.key);
    redirect.searchParams.set("etag", etag);
    responseHeaders.set("Location", redirect.toString());
    return emptyResponse(303, responseHeaders);
  }
  if (verified.successActionStatus === 201) {
    return xmlResponse(
      xmlDocument(
        "PostResponse",
        el("Location", location),
        el("Bucket", bucket),
        el("Key", verified.key),
        el("ETag", etag),
      ),
      { status: 201, headers: responseHeaders },
    );
  }
  return emptyResponse(verified.successActionStatus, responseHeaders);
}

/** Counts the file's bytes; past the policy's maximum, or short of its minimum at the end, it fails. */
function lengthCheck(
  range: ContentLengthRange | undefined,
): TransformStream<Uint8Array, Uint8Array> {
  let sizeBytes = 0;
  return new TransformStream({
    transform(bytes, controller) {
      sizeBytes += bytes.length;
      if (range !== undefined && sizeBytes > range.maxBytes) {
        checkPostContentLength(range, sizeBytes);
      }
      controller.enqueue(bytes);
    },
    flush() {
      checkPostContentLength(range, sizeBytes);
    },
  });
}
