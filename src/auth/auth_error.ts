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

/** The HTTP status S3 answers each code with. */
export const authErrorHttpStatus: Readonly<Record<AuthErrorCode, number>> = {
  AccessDenied: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  ExpiredToken: 400,
  IncompleteBody: 400,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidDigest: 400,
  InvalidPolicyDocument: 400,
  InvalidRequest: 400,
  InvalidToken: 400,
  MalformedPOSTRequest: 400,
  MalformedPolicy: 400,
  MalformedTrailerError: 400,
  MissingContentLength: 411,
  MissingSecurityHeader: 400,
  RequestTimeTooSkewed: 403,
  SignatureDoesNotMatch: 403,
  XAmzContentSHA256Mismatch: 400,
};
