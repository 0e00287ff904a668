/**
 * The one error type of the auth layer. Its `code` is the S3 error code the API answers with;
 * the API maps codes to HTTP statuses in one place.
 */

export type AuthErrorCode =
  | "AccessDenied"
  | "AuthorizationHeaderMalformed"
  | "AuthorizationQueryParametersError"
  | "BadDigest"
  | "EntityTooLarge"
  | "EntityTooSmall"
  | "ExpiredToken"
  | "IncompleteBody"
  | "InvalidAccessKeyId"
  | "InvalidArgument"
  | "InvalidDigest"
  | "InvalidPolicyDocument"
  | "InvalidRequest"
  | "InvalidToken"
  | "MalformedPOSTRequest"
  | "MalformedPolicy"
  | "MalformedTrailerError"
  | "MissingContentLength"
  | "MissingSecurityHeader"
  | "RequestTimeTooSkewed"
  | "SignatureDoesNotMatch"
  | "XAmzContentSHA256Mismatch";

export class AuthError extends Error {
  override readonly name = "AuthError";

  constructor(readonly code: AuthErrorCode, message: string) {
    super(message);
  }
}

/** True when `error` is an AuthError, optionally with the given code. */
export function isAuthError(error: unknown, code?: AuthErrorCode): error is AuthError {
  return error instanceof AuthError && (code === undefined || error.code === code);
}
