/**
 * IAM condition operators as S3 bucket policies use them: parsing a `Condition` block and
 * evaluating it against the request's condition keys.
 *
 * Semantics (AWS IAM reference, "Condition operators" and "Multivalued context keys"):
 * values listed for one key are ORed, keys and operators are ANDed; a key missing from the
 * request makes a condition false, except for negated operators (true) and `...IfExists` (true);
 * `ForAnyValue:` / `ForAllValues:` quantify over multi-valued request keys.
 */
import { AuthError } from "./auth_error.ts";
import { wildcardMatch } from "./wildcard.ts";

type BaseOperator =
  | "StringEquals"
  | "StringNotEquals"
  | "StringEqualsIgnoreCase"
  | "StringNotEqualsIgnoreCase"
  | "StringLike"
  | "StringNotLike"
  | "NumericEquals"
  | "NumericNotEquals"
  | "NumericLessThan"
  | "NumericLessThanEquals"
  | "NumericGreaterThan"
  | "NumericGreaterThanEquals"
  | "DateEquals"
  | "DateNotEquals"
  | "DateLessThan"
  | "DateLessThanEquals"
  | "DateGreaterThan"
  | "DateGreaterThanEquals"
  | "Bool"
  | "IpAddress"
  | "NotIpAddress"
  | "ArnEquals"
  | "ArnLike"
  | "ArnNotEquals"
  | "ArnNotLike"
  | "Null";

/** Each operator: is it negated, and does one request value match one policy value. */
const operators: Record<BaseOperator, { negated: boolean; kind: ValueKind }> = {
  StringEquals: { negated: false, kind: "string" },
  StringNotEquals: { negated: true, kind: "string" },
  StringEqualsIgnoreCase: { negated: false, kind: "string-ignore-case" },
  StringNotEqualsIgnoreCase: { negated: true, kind: "string-ignore-case" },
  StringLike: { negated: false, kind: "like" },
  StringNotLike: { negated: true, kind: "like" },
  NumericEquals: { negated: false, kind: "numeric-eq" },
  NumericNotEquals: { negated: true, kind: "numeric-eq" },
  NumericLessThan: { negated: false, kind: "numeric-lt" },
  NumericLessThanEquals: { negated: false, kind: "numeric-le" },
  NumericGreaterThan: { negated: false, kind: "numeric-gt" },
  NumericGreaterThanEquals: { negated: false, kind: "numeric-ge" },
  DateEquals: { negated: false, kind: "date-eq" },
  DateNotEquals: { negated: true, kind: "date-eq" },
  DateLessThan: { negated: false, kind: "date-lt" },
  DateLessThanEquals: { negated: false, kind: "date-le" },
  DateGreaterThan: { negated: false, kind: "date-gt" },
  DateGreaterThanEquals: { negated: false, kind: "date-ge" },
  Bool: { negated: false, kind: "bool" },
  IpAddress: { negated: false, kind: "ip" },
  NotIpAddress: { negated: true, kind: "ip" },
  ArnEquals: { negated: false, kind: "like" },
  ArnLike: { negated: false, kind: "like" },
  ArnNotEquals: { negated: true, kind: "like" },
  ArnNotLike: { negated: true, kind: "like" },
  Null: { negated: false, kind: "null" },
};

type ValueKind =
  | "string"
  | "string-ignore-case"
  | "like"
  | "numeric-eq"
  | "numeric-lt"
  | "numeric-le"
  | "numeric-gt"
  | "numeric-ge"
  | "date-eq"
  | "date-lt"
  | "date-le"
  | "date-gt"
  | "date-ge"
  | "bool"
  | "ip"
  | "null";

/** Condition keys S3 bucket policies may use (lowercase), and prefixes of tag keys. */
export const knownConditionKeys: ReadonlySet<string> = new Set([
  "aws:sourceip",
  "aws:securetransport",
  "aws:referer",
  "aws:useragent",
  "aws:currenttime",
  "aws:epochtime",
  "aws:principaltype",
  "aws:userid",
  "aws:username",
  "aws:sourcevpc",
  "aws:sourcevpce",
  "aws:principalarn",
  "aws:principalaccount",
  "aws:multifactorauthpresent",
  "aws:multifactorauthage",
  "aws:tokenissuetime",
  "s3:prefix",
  "s3:delimiter",
  "s3:max-keys",
  "s3:x-amz-acl",
  "s3:x-amz-content-sha256",
  "s3:x-amz-copy-source",
  "s3:x-amz-grant-read",
  "s3:x-amz-grant-write",
  "s3:x-amz-grant-read-acp",
  "s3:x-amz-grant-write-acp",
  "s3:x-amz-grant-full-control",
  "s3:x-amz-metadata-directive",
  "s3:x-amz-server-side-encryption",
  "s3:x-amz-server-side-encryption-aws-kms-key-id",
  "s3:x-amz-server-side-encryption-customer-algorithm",
  "s3:x-amz-storage-class",
  "s3:x-amz-website-redirect-location",
  "s3:versionid",
  "s3:locationconstraint",
  "s3:authtype",
  "s3:signatureversion",
  "s3:signatureage",
  "s3:tlsversion",
  "s3:requestobjecttagkeys",
  "s3:object-lock-mode",
  "s3:object-lock-retain-until-date",
  "s3:object-lock-remaining-retention-days",
  "s3:object-lock-legal-hold",
  "s3:resourceaccount",
  "s3:accesspointnetworkorigin",
  "s3:dataaccesspointarn",
  "s3:dataaccesspointaccount",
]);
const knownKeyPrefixes = [
  "s3:existingobjecttag/",
  "s3:requestobjecttag/",
  "aws:requesttag/",
  "aws:resourcetag/",
];

type Quantifier = "single" | "for-any-value" | "for-all-values";

export interface ConditionClause {
  /** The operator as written, for messages. */
  operatorText: string;
  operator: BaseOperator;
  quantifier: Quantifier;
  ifExists: boolean;
  /** Lowercase key. */
  key: string;
  values: string[];
}

function malformed(reason: string): AuthError {
  return new AuthError("MalformedPolicy", reason);
}

/** Parses a statement's `Condition` object. */
export function parseConditionBlock(raw: unknown): ConditionClause[] {
  if (raw === undefined) return [];
  if (!isPlainObject(raw)) throw malformed("Condition must be an object");
  const clauses: ConditionClause[] = [];
  for (const [operatorText, keys] of Object.entries(raw)) {
    const { operator, quantifier, ifExists } = parseOperator(operatorText);
    if (!isPlainObject(keys)) {
      throw malformed(`Condition operator ${operatorText} must map keys to values`);
    }
    for (const [keyText, rawValues] of Object.entries(keys)) {
      const key = keyText.toLowerCase();
      if (
        !knownConditionKeys.has(key) &&
        !knownKeyPrefixes.some((p) => key.startsWith(p) && key.length > p.length)
      ) {
        throw malformed(`Policy has an invalid condition key: ${keyText}`);
      }
      const values = conditionValues(rawValues, operatorText, keyText);
      values.forEach((value) => checkValue(operator, value, keyText));
      clauses.push({ operatorText, operator, quantifier, ifExists, key, values });
    }
  }
  return clauses;
}

function parseOperator(
  text: string,
): { operator: BaseOperator; quantifier: Quantifier; ifExists: boolean } {
  let rest = text;
  let quantifier: Quantifier = "single";
  if (rest.startsWith("ForAnyValue:")) {
    quantifier = "for-any-value";
    rest = rest.slice("ForAnyValue:".length);
  } else if (rest.startsWith("ForAllValues:")) {
    quantifier = "for-all-values";
    rest = rest.slice("ForAllValues:".length);
  }
  const ifExists = rest.endsWith("IfExists") && rest !== "IfExists";
  if (ifExists) rest = rest.slice(0, -"IfExists".length);
  if (!(rest in operators) || (ifExists && rest === "Null")) {
    throw malformed(`Invalid Condition type : ${text}`);
  }
  return { operator: rest as BaseOperator, quantifier, ifExists };
}

function conditionValues(raw: unknown, operatorText: string, keyText: string): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw malformed(`Condition ${operatorText} ${keyText} has no values`);
  return list.map((value) => {
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    throw malformed(
      `Condition ${operatorText} ${keyText} values must be strings, numbers or booleans`,
    );
  });
}

function checkValue(operator: BaseOperator, value: string, keyText: string): void {
  const kind = operators[operator].kind;
  const bad = (what: string) =>
    malformed(`Invalid ${what} "${value}" for condition key ${keyText}`);
  if (kind.startsWith("numeric") && parseNumber(value) === undefined) throw bad("number");
  if (kind.startsWith("date") && parseDateMs(value) === undefined) throw bad("date");
  if ((kind === "bool" || kind === "null") && !/^(true|false)$/i.test(value)) throw bad("boolean");
  if (kind === "ip" && parseCidr(value) === undefined) throw bad("IP address range");
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// ---- evaluation ----

/** Request condition values by key; keys are matched case-insensitively. */
export type ConditionContext = Record<string, string[]>;

export function conditionsHold(clauses: ConditionClause[], context: ConditionContext): boolean {
  if (clauses.length === 0) return true;
  const lowered = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
  return clauses.every((clause) => clauseHolds(clause, lowered.get(clause.key)));
}

function clauseHolds(clause: ConditionClause, requestValues: string[] | undefined): boolean {
  const { negated, kind } = operators[clause.operator];
  if (kind === "null") {
    const absent = requestValues === undefined || requestValues.length === 0;
    return clause.values.some((v) => (v.toLowerCase() === "true") === absent);
  }
  if (requestValues === undefined || requestValues.length === 0) {
    if (clause.quantifier === "for-all-values") return true;
    return clause.ifExists || negated;
  }
  const matchesAny = (requestValue: string) =>
    clause.values.some((policyValue) => valueMatches(kind, requestValue, policyValue));
  const satisfied = (requestValue: string) =>
    negated ? !matchesAny(requestValue) : matchesAny(requestValue);
  switch (clause.quantifier) {
    case "for-any-value":
      return requestValues.some(satisfied);
    case "for-all-values":
      return requestValues.every(satisfied);
    case "single":
      return negated ? !requestValues.some(matchesAny) : requestValues.some(matchesAny);
  }
}

function valueMatches(kind: ValueKind, requestValue: string, policyValue: string): boolean {
  switch (kind) {
    case "string":
      return requestValue === policyValue;
    case "string-ignore-case":
      return requestValue.toLowerCase() === policyValue.toLowerCase();
    case "like":
      return wildcardMatch(policyValue, requestValue);
    case "bool":
      return requestValue.toLowerCase() === policyValue.toLowerCase();
    case "ip":
      return ipInCidr(requestValue, policyValue);
    case "null":
      return false;
  }
  if (kind.startsWith("numeric")) {
    return compareWith(kind, parseNumber(requestValue), parseNumber(policyValue));
  }
  return compareWith(kind, parseDateMs(requestValue), parseDateMs(policyValue));
}

function compareWith(kind: ValueKind, a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (kind.endsWith("-eq")) return a === b;
  if (kind.endsWith("-lt")) return a < b;
  if (kind.endsWith("-le")) return a <= b;
  if (kind.endsWith("-gt")) return a > b;
  return a >= b;
}

function parseNumber(text: string): number | undefined {
  if (!/^-?\d+(\.\d+)?$/.test(text.trim())) return undefined;
  return Number(text);
}

/** ISO 8601 dates/times or epoch seconds. */
function parseDateMs(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

// ---- IP ranges ----

interface Cidr {
  bytes: Uint8Array;
  prefixBits: number;
}

function parseCidr(text: string): Cidr | undefined {
  const [address, prefix, ...rest] = text.split("/");
  if (rest.length > 0) return undefined;
  const bytes = parseIp(address);
  if (bytes === undefined) return undefined;
  const maxBits = bytes.length * 8;
  if (prefix !== undefined && !/^\d{1,3}$/.test(prefix)) return undefined;
  const prefixBits = prefix === undefined ? maxBits : Number(prefix);
  return prefixBits <= maxBits ? { bytes, prefixBits } : undefined;
}

function ipInCidr(ipText: string, cidrText: string): boolean {
  const cidr = parseCidr(cidrText);
  let ip = parseIp(ipText);
  if (cidr === undefined || ip === undefined) return false;
  if (ip.length === 16 && cidr.bytes.length === 4 && isV4Mapped(ip)) ip = ip.subarray(12);
  if (ip.length !== cidr.bytes.length) return false;
  for (let bit = 0; bit < cidr.prefixBits; bit++) {
    const mask = 0x80 >> (bit % 8);
    if ((ip[bit >> 3] & mask) !== (cidr.bytes[bit >> 3] & mask)) return false;
  }
  return true;
}

function isV4Mapped(ip: Uint8Array): boolean {
  return ip.subarray(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff;
}

function parseIp(text: string): Uint8Array | undefined {
  return text.includes(":") ? parseIpv6(text) : parseIpv4(text);
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
    return undefined;
  }
  return Uint8Array.from(parts.map(Number));
}

function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === "") return [];
    const out: number[] = [];
    const pieces = half.split(":");
    for (const [i, piece] of pieces.entries()) {
      if (i === pieces.length - 1 && piece.includes(".")) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
        out.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) {
    return undefined;
  }
  const all = [...head, ...new Array(missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return bytes;
}
