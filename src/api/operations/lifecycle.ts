/**
 * `x-amz-expiration` on GET and HEAD: when a lifecycle rule will expire the object's current
 * version, S3 says when and by which rule (`expiry-date="<HTTP date>", rule-id="<ID>"`).
 */
import { currentExpiry, parseLifecycleXml } from "../../object/lifecycle.ts";
import type { ObjectInfo } from "../../object/object_layer.ts";
import type { RequestContext } from "../context.ts";
import { httpDate } from "../responses.ts";

/** The header value for this version, or undefined (no rule applies, or not the current one). */
export async function expirationHeader(
  context: RequestContext,
  info: ObjectInfo,
): Promise<string | undefined> {
  if (info.deleteMarker || !info.isLatest) return undefined;
  const { lifecycleXml } = await context.objects.getBucketConfig(info.bucket);
  if (lifecycleXml === undefined) return undefined;
  let expiry;
  try {
    expiry = currentExpiry(parseLifecycleXml(lifecycleXml), info.key, info);
  } catch {
    return undefined; // a stored document this server cannot read is not the reader's problem
  }
  if (expiry === undefined) return undefined;
  return `expiry-date="${httpDate(expiry.at)}", rule-id="${expiry.ruleId.replaceAll('"', "")}"`;
}
