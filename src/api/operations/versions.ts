/** The `versionId` query parameter as the object layer takes it. */
import { S3Error } from "../s3_errors.ts";

/** undefined = latest; "null" names the null version; anything else must be a UUID. */
export function versionIdFromQuery(query: URLSearchParams): string | undefined {
  const versionId = query.get("versionId");
  if (versionId === null || versionId === "") return undefined;
  if (versionId !== "null" && !/^[0-9a-fA-F-]{36}$/.test(versionId)) {
    throw new S3Error(
      "InvalidArgument",
      `Cannot read versionId "${versionId}": invalid version id`,
    );
  }
  return versionId;
}
