/**
 * S3 bucket policies: the IAM JSON grammar subset S3 accepts, validated into a typed policy,
 * and evaluated for one request. An explicit Deny wins over any Allow; with neither, the answer
 * is an implicit deny (the caller decides what the owner and root may still do).
 */
import { bucketPolicyMaxBytes, policyStatementsMax } from "../limits.ts";
import { type ActionResource, knownActions } from "./actions.ts";
import { AuthError } from "./auth_error.ts";
import {
  type ConditionClause,
  type ConditionContext,
  conditionsHold,
  parseConditionBlock,
} from "./policy_conditions.ts";
import { wildcardMatch } from "./wildcard.ts";

/** `"*"`: everyone, anonymous included; otherwise a list of principal entries (access keys or IAM ARNs). */
export type PrincipalSet = "*" | string[];

export interface PolicyStatement {
  sid?: string;
  effect: "Allow" | "Deny";
  principal?: PrincipalSet;
  notPrincipal?: PrincipalSet;
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
  conditions: ConditionClause[];
}

export interface BucketPolicy {
  version: "2012-10-17" | "2008-10-17";
  id?: string;
  statements: PolicyStatement[];
}

export interface PolicyRequest {
  /** `"*"` for an anonymous request, else the signer's access key. */
  principal: string;
  /** e.g. `s3:GetObject`. */
  action: string;
  /** e.g. `arn:aws:s3:::bucket/key`. */
  resource: string;
  /** Condition keys of the request (`aws:SourceIp`, `s3:prefix`, ...), each with its values. */
  conditions: ConditionContext;
}

export type PolicyDecision = "allow" | "deny" | "implicit-deny";

function malformed(reason: string): AuthError {
  return new AuthError("MalformedPolicy", reason);
}

// ---- parsing ----

/** Parses and validates a bucket policy for `bucketName`; fails with MalformedPolicy and a reason. */
export function parseBucketPolicy(json: string, bucketName: string): BucketPolicy {
  if (new TextEncoder().encode(json).length > bucketPolicyMaxBytes) {
    throw malformed(`Policies must be at most ${bucketPolicyMaxBytes} bytes`);
  }
  let document: unknown;
  try {
    document = JSON.parse(json);
  } catch {
    throw malformed("This policy contains invalid Json");
  }
  if (!isPlainObject(document)) throw malformed("This policy contains invalid Json");
  checkFields(document, ["Version", "Id", "Statement"], "policy");
  const version = document.Version ?? "2008-10-17";
  if (version !== "2012-10-17" && version !== "2008-10-17") {
    throw malformed(
      `The policy must contain a valid version string, not ${JSON.stringify(version)}`,
    );
  }
  if (document.Id !== undefined && typeof document.Id !== "string") {
    throw malformed("Id must be a string");
  }
  const statements = statementList(document.Statement).map((s) => parseStatement(s, bucketName));
  checkUniqueSids(statements);
  return { version, id: document.Id, statements };
}

function statementList(raw: unknown): unknown[] {
  if (raw === undefined) throw malformed("Missing required field Statement");
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw malformed("Could not parse the policy: Statement is empty!");
  if (list.length > policyStatementsMax) {
    throw malformed(`Policies may have at most ${policyStatementsMax} statements`);
  }
  return list;
}

function checkUniqueSids(statements: PolicyStatement[]): void {
  const seen = new Set<string>();
  for (const { sid } of statements) {
    if (sid === undefined || sid === "") continue;
    if (seen.has(sid)) throw malformed(`Statement IDs (SID) must be unique: ${sid}`);
    seen.add(sid);
  }
}

const statementFields = [
  "Sid",
  "Effect",
  "Principal",
  "NotPrincipal",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Condition",
];

function parseStatement(raw: unknown, bucketName: string): PolicyStatement {
  if (!isPlainObject(raw)) throw malformed("Each Statement must be an object");
  checkFields(raw, statementFields, "statement");
  if (
    raw.Sid !== undefined && (typeof raw.Sid !== "string" || !/^[A-Za-z0-9 _-]*$/.test(raw.Sid))
  ) {
    throw malformed("Statement IDs (SID) must be alpha-numeric strings");
  }
  if (raw.Effect !== "Allow" && raw.Effect !== "Deny") {
    throw malformed(`Invalid effect: ${JSON.stringify(raw.Effect ?? null)}`);
  }
  const statement: PolicyStatement = {
    sid: raw.Sid as string | undefined,
    effect: raw.Effect,
    principal: raw.Principal === undefined ? undefined : parsePrincipal(raw.Principal),
    notPrincipal: raw.NotPrincipal === undefined ? undefined : parsePrincipal(raw.NotPrincipal),
    actions: raw.Action === undefined ? undefined : parseActions(raw.Action),
    notActions: raw.NotAction === undefined ? undefined : parseActions(raw.NotAction),
    resources: raw.Resource === undefined ? undefined : parseResources(raw.Resource, bucketName),
    notResources: raw.NotResource === undefined
      ? undefined
      : parseResources(raw.NotResource, bucketName),
    conditions: parseConditionBlock(raw.Condition),
  };
  exactlyOne(statement.principal, statement.notPrincipal, "Principal");
  exactlyOne(statement.actions, statement.notActions, "Action");
  exactlyOne(statement.resources, statement.notResources, "Resource");
  checkActionsApply(statement, bucketName);
  return statement;
}

function exactlyOne(a: unknown, b: unknown, name: string): void {
  if (a === undefined && b === undefined) throw malformed(`Missing required field ${name}`);
  if (a !== undefined && b !== undefined) {
    throw malformed(`A statement cannot have both ${name} and Not${name}`);
  }
}

function stringList(raw: unknown, field: string): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0 || !list.every((v) => typeof v === "string" && v !== "")) {
    throw malformed(`${field} must be a non-empty string or list of strings`);
  }
  return list as string[];
}

function parsePrincipal(raw: unknown): PrincipalSet {
  if (raw === "*") return "*";
  if (!isPlainObject(raw)) throw malformed("Invalid principal in policy");
  const keys = Object.keys(raw);
  if (keys.length !== 1 || keys[0] !== "AWS") {
    throw malformed(`Invalid principal in policy: only "*" and {"AWS": ...} are supported`);
  }
  const entries = stringList(raw.AWS, "Principal");
  return entries.includes("*") ? "*" : entries;
}

function parseActions(raw: unknown): string[] {
  const actions = stringList(raw, "Action");
  for (const action of actions) {
    if (action === "*") continue;
    if (!action.toLowerCase().startsWith("s3:") || expandAction(action).length === 0) {
      throw malformed(`Policy has invalid action: ${action}`);
    }
  }
  return actions;
}

/** The known actions a (possibly wildcard) action pattern names; matching ignores case. */
function expandAction(pattern: string): string[] {
  const lower = pattern.toLowerCase();
  return [...knownActions.keys()].filter((action) => wildcardMatch(lower, action.toLowerCase()));
}

const s3ArnPrefix = "arn:aws:s3:::";

function parseResources(raw: unknown, bucketName: string): string[] {
  const resources = stringList(raw, "Resource");
  for (const resource of resources) {
    const valid = resource === "*" ||
      (resource.startsWith(s3ArnPrefix) &&
        (resourceCovers(resource, bucketName, "bucket") ||
          resourceCovers(resource, bucketName, "object")));
    if (!valid) throw malformed(`Policy has invalid resource: ${resource}`);
  }
  return resources;
}

/** Whether a resource pattern can name a resource of the given kind in this bucket. */
function resourceCovers(resource: string, bucketName: string, kind: ActionResource): boolean {
  if (resource === "*") return true;
  if (kind === "account" || !resource.startsWith(s3ArnPrefix)) return false;
  if (kind === "bucket") return wildcardMatch(resource, s3ArnPrefix + bucketName);
  // An object ARN is `arn:aws:s3:::bucket/key`: the pattern must reach past the bucket name.
  const rest = resource.slice(s3ArnPrefix.length);
  const slash = rest.indexOf("/");
  if (slash >= 0) return wildcardMatch(rest.slice(0, slash), bucketName);
  const star = rest.indexOf("*");
  return star >= 0 && wildcardMatch(rest.slice(0, star + 1), bucketName + "/");
}

/** AWS: "Action does not apply to any resource(s) in statement". */
function checkActionsApply(statement: PolicyStatement, bucketName: string): void {
  if (statement.actions === undefined || statement.resources === undefined) return;
  for (const pattern of statement.actions) {
    const actions = pattern === "*" ? [...knownActions.keys()] : expandAction(pattern);
    const applies = actions.some((action) => {
      const kind = knownActions.get(action) ?? "object";
      return statement.resources!.some((r) => resourceCovers(r, bucketName, kind));
    });
    if (!applies) throw malformed("Action does not apply to any resource(s) in statement");
  }
}

function checkFields(object: Record<string, unknown>, allowed: string[], what: string): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) throw malformed(`Unknown field ${key} in ${what}`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// ---- evaluation ----

/** Evaluates a policy for one request: explicit deny wins, then allow, else implicit deny. */
export function evaluatePolicy(policy: BucketPolicy, request: PolicyRequest): PolicyDecision {
  let allowed = false;
  for (const statement of policy.statements) {
    if (!statementApplies(statement, request)) continue;
    if (statement.effect === "Deny") return "deny";
    allowed = true;
  }
  return allowed ? "allow" : "implicit-deny";
}

function statementApplies(statement: PolicyStatement, request: PolicyRequest): boolean {
  return matchesPrincipal(statement, request.principal) &&
    matchesEither(
      statement.actions,
      statement.notActions,
      (p) => actionMatches(p, request.action),
    ) &&
    matchesEither(
      statement.resources,
      statement.notResources,
      (p) => wildcardMatch(p, request.resource),
    ) &&
    conditionsHold(statement.conditions, request.conditions);
}

function matchesEither(
  positive: string[] | undefined,
  negative: string[] | undefined,
  matches: (pattern: string) => boolean,
): boolean {
  if (positive !== undefined) return positive.some(matches);
  return negative !== undefined && !negative.some(matches);
}

function actionMatches(pattern: string, action: string): boolean {
  return pattern === "*" || wildcardMatch(pattern.toLowerCase(), action.toLowerCase());
}

function matchesPrincipal(statement: PolicyStatement, principal: string): boolean {
  if (statement.principal !== undefined) return principalIn(statement.principal, principal);
  return statement.notPrincipal !== undefined && !principalIn(statement.notPrincipal, principal);
}

/** `"*"` covers everyone; an entry names an access key directly or as an IAM user ARN. */
function principalIn(set: PrincipalSet, principal: string): boolean {
  if (set === "*") return true;
  if (principal === "*") return false;
  return set.some((entry) => entry === principal || entry.endsWith(`:user/${principal}`));
}
