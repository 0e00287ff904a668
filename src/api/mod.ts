/**
 * The S3 API's public entry: the Hono app and its options, the router (request → S3 operation,
 * before auth; also used to label request logs), and the S3 error type and table.
 */
export { type AppOptions, createApp, handleS3Request } from "./app.ts";
export {
  type BucketOperationName,
  type ObjectOperationName,
  routeRequest,
  type RouterOptions,
  type S3Operation,
  type S3OperationName,
} from "./router.ts";
export { S3Error, type S3ErrorCode, s3ErrorTable, toS3Error } from "./s3_errors.ts";
