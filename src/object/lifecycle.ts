/**
 * S3 bucket Lifecycle, pure: the configuration document parsed and validated the way AWS
 * answers it (MalformedXML for the wrong shape, InvalidArgument for bad values, NotImplemented
 * for transitions: aistor has no tiers), and the rules evaluated against one key's versions
 * at a given time. The scanner (lifecycle_scanner.ts) applies what this decides.
 *
 * Times follow S3: an object expires at the first midnight UTC after `modTime + Days`; a
 * noncurrent version counts its days from when its successor was written.
 */
import { XMLParser } from "fast-xml-parser";
import {
  lifecycleNewerNoncurrentVersionsMax,
  lifecycleRuleIdMaxChars,
  lifecycleRulesMax,
} from "../limits.ts";

export interface LifecycleFilter {
  prefix: string;
  /** Every tag must be on the object (delete markers, having none, never match tag filters). */
  tags: Record<string, string>;
  sizeGreaterThanBytes?: number;
  sizeLessThanBytes?: number;
}

export interface LifecycleRule {
  /** "" when the document gave none. */
  id: string;
  enabled: boolean;
  filter: LifecycleFilter;
  expiration?: { days?: number; date?: Date; expiredObjectDeleteMarker: boolean };
  noncurrentExpiration?: { noncurrentDays?: number; newerNoncurrentVersions?: number };
  abortIncompleteUploadDays?: number;
}

export interface LifecycleConfig {
  rules: LifecycleRule[];
}

export type LifecycleErrorCode = "MalformedXML" | "InvalidArgument" | "NotImplemented";

/** A configuration AWS would refuse, with the S3 error code it would answer. */
export class LifecycleError extends Error {
  constructor(readonly code: LifecycleErrorCode, message: string) {
    super(message);
    this.name = "LifecycleError";
  }
}

/** A parsed element: local name, child elements, own text. */
interface XmlTree {
  name: string;
  children: XmlTree[];
  text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  ignoreDeclaration: true,
});

type ParsedItem = Record<string, unknown>;

function toTree(items: ParsedItem[]): XmlTree[] {
  const nodes: XmlTree[] = [];
  for (const item of items) {
    const name = Object.keys(item).find((k) => k !== ":@" && k !== "#text");
    if (name === undefined) continue;
    const inner = (item[name] as ParsedItem[] | undefined) ?? [];
    const text = inner.filter((i) => "#text" in i).map((i) => String(i["#text"])).join("");
    nodes.push({ name, children: toTree(inner), text });
  }
  return nodes;
}

function malformed(message: string): LifecycleError {
  return new LifecycleError("MalformedXML", message);
}

function invalid(message: string): LifecycleError {
  return new LifecycleError("InvalidArgument", message);
}

/** Parse and validate a LifecycleConfiguration document; LifecycleError when AWS would refuse it. */
export function parseLifecycleXml(text: string): LifecycleConfig {
  let root: XmlTree | undefined;
  try {
    root = toTree(parser.parse(text) as ParsedItem[])[0];
  } catch (cause) {
    throw malformed(`Cannot parse lifecycle configuration: ${(cause as Error).message}`);
  }
  if (root?.name !== "LifecycleConfiguration") {
    throw malformed("Cannot read lifecycle configuration: the root is not LifecycleConfiguration");
  }
  const ruleNodes = root.children.filter((node) => node.name === "Rule");
  if (ruleNodes.length === 0) {
    throw malformed("Cannot read lifecycle configuration: it has no Rule");
  }
  if (ruleNodes.length > lifecycleRulesMax) {
    throw invalid(`Cannot accept ${ruleNodes.length} rules: at most ${lifecycleRulesMax}`);
  }
  const rules = ruleNodes.map(parseRule);
  const ids = rules.map((rule) => rule.id).filter((id) => id !== "");
  if (new Set(ids).size !== ids.length) {
    throw invalid("Rule ID must be unique. Found same ID for more than one rule");
  }
  return { rules };
}

function only(node: XmlTree, name: string): XmlTree | undefined {
  const found = node.children.filter((c) => c.name === name);
  if (found.length > 1) throw malformed(`Cannot read ${node.name}: more than one ${name}`);
  return found[0];
}

const notImplementedActions = ["Transition", "NoncurrentVersionTransition"];

function parseRule(node: XmlTree): LifecycleRule {
  for (const name of notImplementedActions) {
    if (only(node, name) !== undefined) {
      throw new LifecycleError(
        "NotImplemented",
        `Cannot apply ${name}: aistor has no storage tiers to transition to`,
      );
    }
  }
  const id = only(node, "ID")?.text ?? "";
  if ([...id].length > lifecycleRuleIdMaxChars) {
    throw invalid(`ID length should not exceed allowed limit of ${lifecycleRuleIdMaxChars}`);
  }
  const status = only(node, "Status")?.text;
  if (status !== "Enabled" && status !== "Disabled") {
    throw malformed(`Cannot read rule Status "${status ?? ""}": Enabled or Disabled`);
  }
  const rule: LifecycleRule = { id, enabled: status === "Enabled", filter: ruleFilter(node) };
  const expiration = only(node, "Expiration");
  if (expiration !== undefined) rule.expiration = parseExpiration(expiration);
  const noncurrent = only(node, "NoncurrentVersionExpiration");
  if (noncurrent !== undefined) rule.noncurrentExpiration = parseNoncurrent(noncurrent);
  const abort = only(node, "AbortIncompleteMultipartUpload");
  if (abort !== undefined) {
    rule.abortIncompleteUploadDays = positiveDays(abort, "DaysAfterInitiation", true)!;
  }
  checkRuleActions(rule);
  return rule;
}

function checkRuleActions(rule: LifecycleRule): void {
  const hasTags = Object.keys(rule.filter.tags).length > 0;
  const markerCleanup = rule.expiration?.expiredObjectDeleteMarker === true;
  const anyAction = (rule.expiration !== undefined &&
    (rule.expiration.days !== undefined || rule.expiration.date !== undefined || markerCleanup)) ||
    rule.noncurrentExpiration !== undefined || rule.abortIncompleteUploadDays !== undefined;
  if (!anyAction) throw invalid("At least one action needs to be specified in a rule");
  if (hasTags && markerCleanup) {
    throw invalid("ExpiredObjectDeleteMarker cannot be specified with tags");
  }
  if (hasTags && rule.abortIncompleteUploadDays !== undefined) {
    throw invalid("Tag-based filter cannot be used with AbortIncompleteMultipartUpload action");
  }
}

/** Filter (one of Prefix, Tag, ObjectSize*, And), or the legacy rule-level Prefix. */
function ruleFilter(node: XmlTree): LifecycleFilter {
  const filter = only(node, "Filter");
  const legacyPrefix = only(node, "Prefix");
  if (filter !== undefined && legacyPrefix !== undefined) {
    throw malformed("Cannot read rule: both Filter and Prefix are given");
  }
  if (filter === undefined) return { prefix: legacyPrefix?.text ?? "", tags: {} };
  if (filter.children.length > 1) {
    throw malformed("Cannot read Filter: more than one condition outside And");
  }
  const and = only(filter, "And");
  return parseConditions(and ?? filter);
}

function parseConditions(node: XmlTree): LifecycleFilter {
  const filter: LifecycleFilter = { prefix: only(node, "Prefix")?.text ?? "", tags: {} };
  for (const tag of node.children.filter((c) => c.name === "Tag")) {
    const key = only(tag, "Key")?.text;
    const value = only(tag, "Value")?.text ?? "";
    if (key === undefined || key === "") throw invalid("The tag key must not be empty");
    if (Object.hasOwn(filter.tags, key)) throw invalid("Duplicate Tag Keys are not allowed");
    filter.tags[key] = value;
  }
  const greater = byteCount(only(node, "ObjectSizeGreaterThan"));
  const less = byteCount(only(node, "ObjectSizeLessThan"));
  if (greater !== undefined) filter.sizeGreaterThanBytes = greater;
  if (less !== undefined) filter.sizeLessThanBytes = less;
  if (greater !== undefined && less !== undefined && less <= greater) {
    throw invalid("ObjectSizeLessThan must be greater than ObjectSizeGreaterThan");
  }
  return filter;
}

function byteCount(node: XmlTree | undefined): number | undefined {
  if (node === undefined) return undefined;
  if (!/^\d+$/.test(node.text)) {
    throw invalid(`Cannot read ${node.name} "${node.text}": a non-negative integer`);
  }
  return Number(node.text);
}

function positiveDays(node: XmlTree, name: string, required: boolean): number | undefined {
  const child = only(node, name);
  if (child === undefined) {
    if (required) throw malformed(`Cannot read ${node.name}: ${name} is missing`);
    return undefined;
  }
  const value = Number(child.text);
  if (!/^\d+$/.test(child.text) || value <= 0 || !Number.isSafeInteger(value)) {
    throw invalid(`'${name}' for ${node.name} action must be a positive integer`);
  }
  return value;
}

function parseExpiration(node: XmlTree): NonNullable<LifecycleRule["expiration"]> {
  const days = positiveDays(node, "Days", false);
  const dateText = only(node, "Date")?.text;
  const markerText = only(node, "ExpiredObjectDeleteMarker")?.text;
  if (markerText !== undefined && markerText !== "true" && markerText !== "false") {
    throw malformed(`Cannot read ExpiredObjectDeleteMarker "${markerText}"`);
  }
  const given = [days !== undefined, dateText !== undefined, markerText !== undefined];
  if (given.filter(Boolean).length !== 1) {
    throw malformed("Expiration needs exactly one of Days, Date and ExpiredObjectDeleteMarker");
  }
  const expiration: NonNullable<LifecycleRule["expiration"]> = {
    expiredObjectDeleteMarker: markerText === "true",
  };
  if (days !== undefined) expiration.days = days;
  if (dateText !== undefined) expiration.date = midnightDate(dateText);
  return expiration;
}

/** Expiration Date: ISO 8601, at midnight UTC (AWS refuses any other time). */
function midnightDate(text: string): Date {
  const ms = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(text)
    ? Date.parse(/T/.test(text) && !/(Z|[+-]\d{2}:\d{2})$/.test(text) ? `${text}Z` : text)
    : NaN;
  if (Number.isNaN(ms)) throw invalid(`Cannot read Expiration Date "${text}": not ISO 8601`);
  if (ms % 86_400_000 !== 0) throw invalid("'Date' must be at midnight GMT");
  return new Date(ms);
}

function parseNoncurrent(
  node: XmlTree,
): NonNullable<LifecycleRule["noncurrentExpiration"]> {
  const noncurrentDays = positiveDays(node, "NoncurrentDays", false);
  const newerNode = only(node, "NewerNoncurrentVersions");
  const result: NonNullable<LifecycleRule["noncurrentExpiration"]> = {};
  if (noncurrentDays !== undefined) result.noncurrentDays = noncurrentDays;
  if (newerNode !== undefined) {
    const newer = Number(newerNode.text);
    if (
      !/^\d+$/.test(newerNode.text) || newer < 1 || newer > lifecycleNewerNoncurrentVersionsMax
    ) {
      throw invalid(
        `'NewerNoncurrentVersions' must be between 1 and ${lifecycleNewerNoncurrentVersionsMax}`,
      );
    }
    result.newerNoncurrentVersions = newer;
  }
  if (noncurrentDays === undefined && result.newerNoncurrentVersions === undefined) {
    throw malformed("NoncurrentVersionExpiration needs NoncurrentDays or NewerNoncurrentVersions");
  }
  return result;
}

// ---- Evaluation ----

/** What the scanner needs of one version (a subset of ObjectInfo). */
export interface VersionFacts {
  versionId: string;
  deleteMarker: boolean;
  modTime: Date;
  sizeBytes: number;
  tags: Record<string, string>;
}

export type LifecycleAction =
  /** Expire the current version: a delete marker (versioned bucket) or the delete (unversioned). */
  | { kind: "expireCurrent"; ruleId: string }
  /** Remove exactly this version (noncurrent version, or an expired object delete marker). */
  | { kind: "deleteVersion"; versionId: string; ruleId: string };

const dayMs = 86_400_000;

/** S3's expiry moment: the first midnight UTC at or after `from + days`. */
export function expiryTime(from: Date, days: number): Date {
  const ms = from.getTime() + days * dayMs;
  return new Date(Math.ceil(ms / dayMs) * dayMs);
}

function matches(filter: LifecycleFilter, key: string, version: VersionFacts): boolean {
  if (!key.startsWith(filter.prefix)) return false;
  const tagKeys = Object.keys(filter.tags);
  const sized = filter.sizeGreaterThanBytes !== undefined ||
    filter.sizeLessThanBytes !== undefined;
  if (version.deleteMarker) return tagKeys.length === 0 && !sized;
  if (tagKeys.some((tag) => version.tags[tag] !== filter.tags[tag])) return false;
  if (
    filter.sizeGreaterThanBytes !== undefined && !(version.sizeBytes > filter.sizeGreaterThanBytes)
  ) return false;
  if (filter.sizeLessThanBytes !== undefined && !(version.sizeBytes < filter.sizeLessThanBytes)) {
    return false;
  }
  return true;
}

function enabledRules(config: LifecycleConfig): LifecycleRule[] {
  return config.rules.filter((rule) => rule.enabled);
}

/**
 * When the current version expires under the configuration (the earliest matching rule), or
 * undefined: for `x-amz-expiration` and for the scanner.
 */
export function currentExpiry(
  config: LifecycleConfig,
  key: string,
  version: VersionFacts,
): { at: Date; ruleId: string } | undefined {
  if (version.deleteMarker) return undefined;
  let best: { at: Date; ruleId: string } | undefined;
  for (const rule of enabledRules(config)) {
    const expiration = rule.expiration;
    if (expiration === undefined || !matches(rule.filter, key, version)) continue;
    const at = expiration.days !== undefined
      ? expiryTime(version.modTime, expiration.days)
      : expiration.date;
    if (at !== undefined && (best === undefined || at < best.at)) best = { at, ruleId: rule.id };
  }
  return best;
}

/**
 * The actions due at `now` for one key, given all its versions newest first (the first is the
 * current one). Noncurrent versions expire by age (from their successor's write) beyond the
 * newest `NewerNoncurrentVersions`; a delete marker left with no older version is removed
 * (ExpiredObjectDeleteMarker, or Expiration Days past the marker's write).
 */
export function evaluateKey(
  config: LifecycleConfig,
  key: string,
  versions: readonly VersionFacts[],
  now: Date,
): LifecycleAction[] {
  if (versions.length === 0) return [];
  const actions: LifecycleAction[] = [];
  const current = versions[0];
  const expiry = currentExpiry(config, key, current);
  if (expiry !== undefined && expiry.at <= now) {
    actions.push({ kind: "expireCurrent", ruleId: expiry.ruleId });
  }
  const removed = noncurrentDue(config, key, versions, now);
  actions.push(...removed);
  if (current.deleteMarker && removed.length === versions.length - 1) {
    const ruleId = markerCleanupRule(config, key, current, now);
    if (ruleId !== undefined) {
      actions.push({ kind: "deleteVersion", versionId: current.versionId, ruleId });
    }
  }
  return actions;
}

function noncurrentDue(
  config: LifecycleConfig,
  key: string,
  versions: readonly VersionFacts[],
  now: Date,
): LifecycleAction[] {
  const actions: LifecycleAction[] = [];
  for (let i = 1; i < versions.length; i++) {
    const version = versions[i];
    const noncurrentSince = versions[i - 1].modTime;
    const rule = enabledRules(config).find((rule) => {
      const expiration = rule.noncurrentExpiration;
      if (expiration === undefined || !matches(rule.filter, key, version)) return false;
      if (i - 1 < (expiration.newerNoncurrentVersions ?? 0)) return false;
      return expiration.noncurrentDays === undefined ||
        expiryTime(noncurrentSince, expiration.noncurrentDays) <= now;
    });
    if (rule !== undefined) {
      actions.push({ kind: "deleteVersion", versionId: version.versionId, ruleId: rule.id });
    }
  }
  return actions;
}

function markerCleanupRule(
  config: LifecycleConfig,
  key: string,
  marker: VersionFacts,
  now: Date,
): string | undefined {
  const rule = enabledRules(config).find((rule) => {
    const expiration = rule.expiration;
    if (expiration === undefined || !matches(rule.filter, key, marker)) return false;
    if (expiration.expiredObjectDeleteMarker) return true;
    return expiration.days !== undefined && expiryTime(marker.modTime, expiration.days) <= now;
  });
  return rule?.id;
}

/** The rule that aborts an upload of `key` started at `initiated`, when due at `now`. */
export function uploadAbortRule(
  config: LifecycleConfig,
  key: string,
  initiated: Date,
  now: Date,
): string | undefined {
  const rule = enabledRules(config).find((rule) =>
    rule.abortIncompleteUploadDays !== undefined && key.startsWith(rule.filter.prefix) &&
    expiryTime(initiated, rule.abortIncompleteUploadDays) <= now
  );
  return rule?.id;
}
