/**
 * S3 error codes, their HTTP statuses and default messages (AWS "Error responses" list), and the
 * one mapping from every lower layer's error (ObjectError, AuthError, XML parse errors) to them.
 */
import { AuthError } from "../auth/auth_error.ts";
import { ObjectError, type ObjectErrorCode } from "../object/object_layer.ts";

/** Every S3 error code aistor answers with, its status and AWS's default message. */
export const s3ErrorTable = {
  AccessDenied: [403, "Access Denied."],
  AccessForbidden: [403, "CORSResponse: This CORS request is not allowed."],
  InvalidLocationConstraint: [400, "The specified location constraint is not valid."],
  AuthorizationHeaderMalformed: [400, "The authorization header is malformed."],
  AuthorizationQueryParametersError: [400, "Error parsing the X-Amz-Credential parameter."],
  BadDigest: [400, "The Content-MD5 or checksum you specified did not match what we received."],
  BucketAlreadyExists: [409, "The requested bucket name is not available."],
  BucketAlreadyOwnedByYou: [
    409,
    "Your previous request to create the named bucket succeeded and you already own it.",
  ],
  BucketNotEmpty: [409, "The bucket you tried to delete is not empty."],
  EntityTooLarge: [400, "Your proposed upload exceeds the maximum allowed object size."],
  EntityTooSmall: [400, "Your proposed upload is smaller than the minimum allowed object size."],
  ExpiredToken: [400, "The provided token has expired."],
  IncompleteBody: [400, "You did not provide the number of bytes specified by the Content-Length."],
  InternalError: [500, "We encountered an internal error, please try again."],
  InvalidAccessKeyId: [403, "The AWS Access Key Id you provided does not exist in our records."],
  InvalidArgument: [400, "Invalid Argument."],
  InvalidBucketName: [400, "The specified bucket is not valid."],
  InvalidDigest: [400, "The Content-MD5 you specified is not valid."],
  InvalidObjectName: [400, "Object name contains unsupported characters."],
  InvalidPart: [
    400,
    "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part's entity tag.",
  ],
  InvalidPartOrder: [
    400,
    "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
  ],
  InvalidPartNumber: [416, "The requested partnumber is not satisfiable."],
  InvalidRange: [416, "The requested range is not satisfiable."],
  InvalidRequest: [400, "Invalid Request."],
  InvalidStorageClass: [400, "The storage class you specified is not valid."],
  InvalidTag: [400, "The tag provided was not a valid tag."],
  InvalidURI: [400, "Couldn't parse the specified URI."],
  KeyTooLongError: [400, "Your key is too long."],
  MalformedPolicy: [400, "Policy has invalid resource."],
  MalformedPOSTRequest: [
    400,
    "The body of your POST request is not well-formed multipart/form-data.",
  ],
  MalformedTrailerError: [400, "The request contained trailing data that was not well-formed."],
  MalformedXML: [
    400,
    "The XML you provided was not well-formed or did not validate against our published schema.",
  ],
  MaxMessageLengthExceeded: [400, "Your request was too big."],
  MetadataTooLarge: [400, "Your metadata headers exceed the maximum allowed metadata size."],
  MethodNotAllowed: [405, "The specified method is not allowed against this resource."],
  MissingContentLength: [411, "You must provide the Content-Length HTTP header."],
  MissingSecurityHeader: [400, "Your request is missing a required header."],
  NoSuchBucket: [404, "The specified bucket does not exist."],
  NoSuchBucketPolicy: [404, "The bucket policy does not exist."],
  NoSuchCORSConfiguration: [404, "The CORS configuration does not exist."],
  NoSuchKey: [404, "The specified key does not exist."],
  NoSuchLifecycleConfiguration: [404, "The lifecycle configuration does not exist."],
  NoSuchTagSet: [404, "The TagSet does not exist."],
  NoSuchUpload: [
    404,
    "The specified multipart upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
  ],
  NoSuchVersion: [404, "The specified version does not exist."],
  NotImplemented: [501, "A header you provided implies functionality that is not implemented."],
  NotModified: [304, "Not Modified."],
  NoSuchObjectLockConfiguration: [
    404,
    "The specified object does not have a ObjectLock configuration",
  ],
  ObjectLockConfigurationNotFoundError: [
    404,
    "Object Lock configuration does not exist for this bucket.",
  ],
  PreconditionFailed: [412, "At least one of the pre-conditions you specified did not hold."],
  RequestTimeTooSkewed: [
    403,
    "The difference between the request time and the server's time is too large.",
  ],
  ServiceUnavailable: [503, "Please reduce your request rate."],
  SignatureDoesNotMatch: [
    403,
    "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
  ],
  SlowDown: [503, "Please reduce your request rate."],
  XAmzContentSHA256Mismatch: [
    400,
    "The provided 'x-amz-content-sha256' header does not match what was computed.",
  ],
  InvalidBucketState: [409, "The request is not valid with the current state of the bucket."],
  OperationAborted: [
    409,
    "A conflicting conditional operation is currently in progress against this resource.",
  ],
  XMinioParentIsObject: [
    400,
    "Object-prefix is already an object, please choose a different object-prefix name.",
  ],
  XMinioObjectExistsAsDirectory: [409, "Object name already exists as a directory."],
} as const satisfies Record<string, readonly [number, string]>;

export type S3ErrorCode = keyof typeof s3ErrorTable;

/** An error the API answers with as an S3 XML error body. */
export class S3Error extends Error {
  readonly status: number;
  constructor(
    readonly code: S3ErrorCode,
    message?: string,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(message ?? s3ErrorTable[code][1], options);
    this.name = "S3Error";
    this.status = s3ErrorTable[code][0];
    this.headers = options?.headers ?? {};
  }
  readonly headers: Record<string, string>;
}

/** ObjectError → S3 code: exhaustive over ObjectErrorCode (the compiler checks every code is here). */
const objectErrorToS3: Record<ObjectErrorCode, S3ErrorCode> = {
  NoSuchBucket: "NoSuchBucket",
  BucketExists: "BucketAlreadyOwnedByYou",
  BucketNotEmpty: "BucketNotEmpty",
  InvalidBucketName: "InvalidBucketName",
  NoSuchKey: "NoSuchKey",
  NoSuchVersion: "NoSuchVersion",
  MethodNotAllowed: "MethodNotAllowed",
  InvalidObjectName: "InvalidObjectName",
  InvalidRange: "InvalidRange",
  InvalidPartNumber: "InvalidPartNumber",
  PreconditionFailed: "PreconditionFailed",
  NoSuchUpload: "NoSuchUpload",
  InvalidPart: "InvalidPart",
  InvalidPartOrder: "InvalidPartOrder",
  EntityTooSmall: "EntityTooSmall",
  EntityTooLarge: "EntityTooLarge",
  IncompleteBody: "IncompleteBody",
  BadDigest: "BadDigest",
  ReadQuorum: "ServiceUnavailable",
  WriteQuorum: "ServiceUnavailable",
  DriveFull: "ServiceUnavailable",
  ObjectLocked: "AccessDenied",
  ObjectLockDisabled: "InvalidRequest",
  ParentIsObject: "XMinioParentIsObject",
  ObjectExistsAsDirectory: "XMinioObjectExistsAsDirectory",
};

/** AWS's own wording where the S3 code alone (AccessDenied, InvalidRequest) does not say why. */
const objectErrorMessages: Partial<Record<ObjectErrorCode, string>> = {
  ObjectLocked: "Access Denied because object protected by object lock.",
  ObjectLockDisabled: "Bucket is missing Object Lock Configuration",
};

function isS3ErrorCode(code: unknown): code is S3ErrorCode {
  return typeof code === "string" && Object.hasOwn(s3ErrorTable, code);
}

/**
 * Translate any thrown value into an S3Error; `undefined` when it is an unknown failure
 * (the caller logs it and answers InternalError).
 */
export function toS3Error(error: unknown): S3Error | undefined {
  if (error instanceof S3Error) return error;
  if (error instanceof ObjectError) {
    const code = objectErrorToS3[error.code];
    const headers: Record<string, string> = error.deleteMarker === undefined ? {} : {
      "x-amz-delete-marker": "true",
      "x-amz-version-id": error.deleteMarker.versionId,
    };
    return new S3Error(code, objectErrorMessages[error.code], { cause: error, headers });
  }
  // AuthError (src/auth/) and stream errors raised by auth transforms carry an S3 code as `code`.
  if (error instanceof AuthError) {
    const code: S3ErrorCode = isS3ErrorCode(error.code) ? error.code : "InvalidRequest";
    return new S3Error(code, error.message || undefined, { cause: error });
  }
  return undefined;
}
