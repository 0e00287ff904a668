/**
 * The auth layer's public API: who signed a request, how its body must be checked, and whether
 * a policy allows it. Pure code; the clock and credential store are passed in.
 */
export { AuthError, type AuthErrorCode, authErrorHttpStatus, isAuthError } from "./auth_error.ts";
export {
  type CredentialStore,
  type Identity,
  type PayloadMode,
  type SignedRequestParts,
  type VerifiedRequest,
  type VerifyOptions,
  verifyRequest,
} from "./sigv4.ts";
export type { SigningContext } from "./sigv4_signing.ts";
export {
  type AwsChunkedDecoder,
  type AwsChunkedMode,
  createAwsChunkedDecoder,
} from "./aws_chunked.ts";
export { createPayloadHashVerifier } from "./payload_hash.ts";
export {
  type Checksum,
  type ChecksumAlgorithm,
  checksumAlgorithmOfHeader,
  checksumAlgorithms,
  checksumHeaderName,
  checksumOf,
  type ChecksumStream,
  type ChecksumType,
  compositeChecksum,
  createChecksum,
  createChecksumStream,
  decodeChecksum,
  fullObjectChecksum,
  parseChecksumAlgorithm,
  type PartChecksum,
  verifyChecksum,
} from "./checksum.ts";
export {
  checkPostContentLength,
  type ContentLengthRange,
  type PostPolicyOptions,
  type PostPolicyRequest,
  type VerifiedPostPolicy,
  verifyPostPolicy,
} from "./post_policy.ts";
export {
  actionFor,
  type ActionResource,
  copySourceAction,
  knownActions,
  type OperationAction,
  operationActions,
  resourceArn,
} from "./actions.ts";
export {
  type BucketPolicy,
  evaluatePolicy,
  parseBucketPolicy,
  type PolicyDecision,
  type PolicyRequest,
  type PolicyStatement,
  type PrincipalSet,
} from "./policy.ts";
export type { ConditionClause, ConditionContext } from "./policy_conditions.ts";
export { policyConditionContext, type PolicyContextInput } from "./policy_context.ts";
export { createContentMd5Verifier, parseContentMd5 } from "./content_md5.ts";
