/** GetBucketVersioning / PutBucketVersioning. */
import type { RequestContext } from "../context.ts";
import { emptyResponse, xmlResponse } from "../responses.ts";
import { S3Error } from "../s3_errors.ts";
import { childText, el, parseXml, xmlDocument } from "../xml.ts";
import { readBodyText } from "../request_body.ts";

export async function getBucketVersioning(context: RequestContext): Promise<Response> {
  const config = await context.objects.getBucketConfig(context.operation.bucket);
  const status = config.versioning === "Unversioned" ? [] : [el("Status", config.versioning)];
  return xmlResponse(xmlDocument("VersioningConfiguration", ...status));
}

export async function putBucketVersioning(context: RequestContext): Promise<Response> {
  const { bucket } = context.operation;
  const config = parseXml(await readBodyText(context), "VersioningConfiguration");
  const status = childText(config, "Status");
  if (status !== "Enabled" && status !== "Suspended") {
    throw new S3Error("MalformedXML", `Cannot set versioning Status "${status ?? ""}"`);
  }
  const current = await context.objects.getBucketConfig(bucket);
  if (current.objectLockEnabled && status === "Suspended") {
    throw new S3Error(
      "InvalidBucketState",
      "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.",
    );
  }
  await context.objects.updateBucketConfig(bucket, { versioning: status });
  return emptyResponse(200);
}
