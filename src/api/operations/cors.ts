/**
 * CORS: Get/Put/DeleteBucketCors (the XML is stored as sent, after validation), the preflight
 * answer to OPTIONS, and the Access-Control-* headers added to matching actual requests.
 */
import type { RequestContext } from "../context.ts";
import { emptyResponse, xmlResponse } from "../responses.ts";
import { S3Error } from "../s3_errors.ts";
import { childrenNamed, childText, parseXml, type XmlNode } from "../xml.ts";
import { readBodyText } from "../request_body.ts";

export interface CorsRule {
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

const corsMethods = new Set(["GET", "PUT", "HEAD", "POST", "DELETE"]);
const corsRulesMax = 100; // AWS: a CORS configuration has at most 100 rules

export function parseCorsConfiguration(text: string): CorsRule[] {
  const rules = childrenNamed(parseXml(text, "CORSConfiguration"), "CORSRule");
  if (rules.length === 0 || rules.length > corsRulesMax) {
    throw new S3Error("MalformedXML", `Cannot store CORS configuration with ${rules.length} rules`);
  }
  return rules.map(parseCorsRule);
}

function parseCorsRule(rule: XmlNode): CorsRule {
  const texts = (name: string) => childrenNamed(rule, name).map((n) => n.text.trim());
  const allowedMethods = texts("AllowedMethod");
  const allowedOrigins = texts("AllowedOrigin");
  if (allowedMethods.length === 0 || allowedOrigins.length === 0) {
    throw new S3Error(
      "MalformedXML",
      "Cannot read CORSRule: AllowedMethod and AllowedOrigin are required",
    );
  }
  for (const method of allowedMethods) {
    if (!corsMethods.has(method)) {
      throw new S3Error(
        "InvalidRequest",
        `Found unsupported HTTP method in CORS config. Unsupported method is ${method}`,
      );
    }
  }
  const maxAge = childText(rule, "MaxAgeSeconds");
  return {
    allowedOrigins,
    allowedMethods,
    allowedHeaders: texts("AllowedHeader").map((h) => h.toLowerCase()),
    exposeHeaders: texts("ExposeHeader"),
    maxAgeSeconds: maxAge === undefined ? undefined : Number.parseInt(maxAge, 10),
  };
}

/** `*` wildcards (at most one in AWS, any number here) in origins and headers. */
function wildcardMatch(pattern: string, value: string): boolean {
  if (!pattern.includes("*")) return pattern === value;
  const escaped = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${escaped.join(".*")}$`).test(value);
}

/** First rule allowing this origin, method and (for preflight) request headers. */
export function matchCorsRule(
  rules: CorsRule[],
  request: { origin: string; method: string; headers: string[] },
): CorsRule | undefined {
  return rules.find((rule) =>
    rule.allowedOrigins.some((o) => wildcardMatch(o, request.origin)) &&
    rule.allowedMethods.includes(request.method) &&
    request.headers.every((h) => rule.allowedHeaders.some((p) => wildcardMatch(p, h.toLowerCase())))
  );
}

function corsHeaders(rule: CorsRule, origin: string): Headers {
  const headers = new Headers();
  const anyOrigin = rule.allowedOrigins.includes("*");
  headers.set("Access-Control-Allow-Origin", anyOrigin ? "*" : origin);
  if (!anyOrigin) headers.set("Access-Control-Allow-Credentials", "true");
  headers.set("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
  headers.set("Access-Control-Allow-Methods", rule.allowedMethods.join(", "));
  if (rule.exposeHeaders.length > 0) {
    headers.set("Access-Control-Expose-Headers", rule.exposeHeaders.join(", "));
  }
  if (rule.maxAgeSeconds !== undefined) {
    headers.set("Access-Control-Max-Age", String(rule.maxAgeSeconds));
  }
  return headers;
}

async function bucketCorsRules(context: RequestContext): Promise<CorsRule[] | undefined> {
  const config = await context.objects.getBucketConfig(context.operation.bucket);
  return config.corsXml === undefined ? undefined : parseCorsConfiguration(config.corsXml);
}

/** OPTIONS: 200 with Access-Control-* when a rule allows the request, else 403 AccessForbidden. */
export async function preflightCors(context: RequestContext): Promise<Response> {
  const origin = context.request.headers.get("origin");
  const method = context.request.headers.get("access-control-request-method");
  if (origin === null || method === null) {
    throw new S3Error(
      "InvalidRequest",
      "Insufficient information. Origin request header needed.",
    );
  }
  const requestHeaders = (context.request.headers.get("access-control-request-headers") ?? "")
    .split(",").map((h) => h.trim()).filter((h) => h !== "");
  const rules = await bucketCorsRules(context);
  const rule = rules && matchCorsRule(rules, { origin, method, headers: requestHeaders });
  if (rule === undefined) throw new S3Error("AccessForbidden");
  const headers = corsHeaders(rule, origin);
  if (requestHeaders.length > 0) {
    headers.set("Access-Control-Allow-Headers", requestHeaders.join(", "));
  }
  return emptyResponse(200, headers);
}

/** Access-Control-* headers for an actual request with an Origin, when the bucket's rules allow it. */
export async function corsHeadersFor(context: RequestContext): Promise<Headers | undefined> {
  const origin = context.request.headers.get("origin");
  if (origin === null || context.operation.bucket === "") return undefined;
  try {
    const rules = await bucketCorsRules(context);
    const rule = rules &&
      matchCorsRule(rules, { origin, method: context.request.method, headers: [] });
    return rule && corsHeaders(rule, origin);
  } catch {
    return undefined; // no bucket, unreadable config: no CORS headers, the request's own answer stands
  }
}

export async function putBucketCors(context: RequestContext): Promise<Response> {
  const text = await readBodyText(context);
  parseCorsConfiguration(text);
  await context.objects.updateBucketConfig(context.operation.bucket, { corsXml: text });
  return emptyResponse(200);
}

export async function getBucketCors(context: RequestContext): Promise<Response> {
  const rules = await context.objects.getBucketConfig(context.operation.bucket);
  if (rules.corsXml === undefined) throw new S3Error("NoSuchCORSConfiguration");
  return xmlResponse(rules.corsXml);
}

export async function deleteBucketCors(context: RequestContext): Promise<Response> {
  await context.objects.getBucketInfo(context.operation.bucket);
  await context.objects.updateBucketConfig(context.operation.bucket, { corsXml: undefined });
  return emptyResponse(204);
}
