/** PostObject: browser form uploads (multipart/form-data with a signed POST policy). */
import type { RequestContext } from "../context.ts";
import { S3Error } from "../s3_errors.ts";

export function postObject(_context: RequestContext): Promise<Response> {
  return Promise.reject(new S3Error("NotImplemented", "Cannot accept browser POST uploads yet"));
}
