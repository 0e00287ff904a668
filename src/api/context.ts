/**
 * What every operation handler receives: the app's options, the routed operation, the verified
 * identity and payload mode, and the request itself (for headers and the body stream).
 */
import type { VerifiedRequest } from "../auth/sigv4.ts";
import type { ObjectLayer } from "../object/object_layer.ts";
import type { S3Operation } from "./router.ts";

export interface AppOptions {
  objects: ObjectLayer;
  credentials: { accessKey: string; secretKey: string };
  /** The region this server answers as (GetBucketLocation, x-amz-bucket-region). */
  region: string;
  /** Domains for virtual-host-style requests. */
  domains: string[];
  clock: { nowNs(): bigint };
  randomUuid?: () => string;
  /** One structured line per request and per unknown failure. */
  log?: (line: object) => void;
  /** Keepalive interval of long operations (default limits.keepaliveIntervalMs); tests shorten it. */
  keepaliveIntervalMs?: number;
}

export interface RequestContext {
  options: AppOptions;
  objects: ObjectLayer;
  request: Request;
  url: URL;
  operation: S3Operation;
  verified: VerifiedRequest;
  requestId: string;
  /** Request time from the injected clock. */
  now: Date;
  /** The client's IP address, when the server knows it (aws:SourceIp). */
  remoteAddress?: string;
}

export type OperationHandler = (context: RequestContext) => Promise<Response>;
