/**
 * S3 Object Lock rules, pure: the lock state of a version as MinIO stores it in MetaUsr, the
 * bucket's default retention, and the decisions "may this version be deleted" and "may its
 * retention change". The object layer (pools.ts) enforces them; the API only parses headers.
 *
 * MinIO writes the keys lowercase (`x-amz-object-lock-mode`, `...-retain-until-date`,
 * `...-legal-hold`) and reads either spelling (`internal/bucket/object/lock`); the date is
 * ISO 8601 UTC (`2006-01-02T15:04:05.000Z`, older releases without the milliseconds).
 */
import { objectLockRetentionDaysMax, objectLockRetentionYearsMax } from "../limits.ts";

export type RetentionMode = "GOVERNANCE" | "COMPLIANCE";

export interface Retention {
  mode: RetentionMode;
  retainUntil: Date;
}

/** The lock of one object version: retention (absent = none) and legal hold. */
export interface ObjectLockState {
  retention?: Retention;
  legalHold: boolean;
}

/** The `DefaultRetention` of a bucket's object-lock configuration: exactly one of days, years. */
export interface DefaultRetention {
  mode: RetentionMode;
  days?: number;
  years?: number;
}

/** MetaUsr keys, spelled as MinIO writes them. */
export const lockModeKey = "x-amz-object-lock-mode";
export const lockRetainUntilKey = "x-amz-object-lock-retain-until-date";
export const lockLegalHoldKey = "x-amz-object-lock-legal-hold";

const lockKeys = [lockModeKey, lockRetainUntilKey, lockLegalHoldKey];

export function isRetentionMode(value: string): value is RetentionMode {
  return value === "GOVERNANCE" || value === "COMPLIANCE";
}

/** ISO 8601 / RFC 3339 date-time with a zone → Date; undefined when it does not parse. */
export function parseRetainUntil(text: string): Date | undefined {
  const pattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
  if (!pattern.test(text.trim())) return undefined;
  const ms = Date.parse(text.trim());
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** The stored (and S3 header) form of a retain-until date: `2030-01-02T03:04:05.000Z`. */
export function formatRetainUntil(date: Date): string {
  return date.toISOString();
}

function lookup(
  metadata: Record<string, string> | ReadonlyMap<string, string>,
  key: string,
): string | undefined {
  const entries = metadata instanceof Map ? metadata.entries() : Object.entries(metadata);
  for (const [name, value] of entries) if (name.toLowerCase() === key) return value;
  return undefined;
}

/** The lock state stored in a version's metadata (either key spelling); unreadable = none. */
export function lockStateFromMetadata(
  metadata: Record<string, string> | ReadonlyMap<string, string>,
): ObjectLockState {
  const mode = lookup(metadata, lockModeKey)?.toUpperCase();
  const until = lookup(metadata, lockRetainUntilKey);
  const legalHold = lookup(metadata, lockLegalHoldKey)?.toUpperCase() === "ON";
  const retainUntil = until === undefined ? undefined : parseRetainUntil(until);
  if (mode === undefined || !isRetentionMode(mode) || retainUntil === undefined) {
    return { legalHold };
  }
  return { retention: { mode, retainUntil }, legalHold };
}

/** Metadata without any object-lock key (a copy does not inherit its source's lock). */
export function withoutLockMetadata(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(metadata).filter(([name]) => !lockKeys.includes(name.toLowerCase())),
  );
}

/** The metadata entries that store a retention. */
export function retentionMetadata(retention: Retention): Record<string, string> {
  return {
    [lockModeKey]: retention.mode,
    [lockRetainUntilKey]: formatRetainUntil(retention.retainUntil),
  };
}

/** A MetaUsr map with the retention replaced (undefined removes it), other keys kept. */
export function withRetention(
  metaUser: ReadonlyMap<string, string>,
  retention: Retention | undefined,
): Map<string, string> {
  const next = withoutKeys(metaUser, [lockModeKey, lockRetainUntilKey]);
  if (retention !== undefined) {
    for (const [key, value] of Object.entries(retentionMetadata(retention))) next.set(key, value);
  }
  return next;
}

/** A MetaUsr map with the legal hold set ON or OFF, other keys kept. */
export function withLegalHold(
  metaUser: ReadonlyMap<string, string>,
  legalHold: boolean,
): Map<string, string> {
  const next = withoutKeys(metaUser, [lockLegalHoldKey]);
  next.set(lockLegalHoldKey, legalHold ? "ON" : "OFF");
  return next;
}

function withoutKeys(metaUser: ReadonlyMap<string, string>, keys: string[]): Map<string, string> {
  const next = new Map<string, string>();
  for (const [name, value] of metaUser) {
    if (!keys.includes(name.toLowerCase())) next.set(name, value);
  }
  return next;
}

/** True while the retention protects the version (its date is still ahead). */
export function retentionActive(retention: Retention | undefined, now: Date): boolean {
  return retention !== undefined && retention.retainUntil.getTime() > now.getTime();
}

/**
 * Why deleting this exact version (or overwriting the null version) is refused, or undefined
 * when it is allowed: a legal hold always refuses; an active COMPLIANCE retention always
 * refuses; an active GOVERNANCE retention refuses unless the request bypasses governance.
 */
export function deleteVersionProblem(
  state: ObjectLockState,
  options: { now: Date; bypassGovernance: boolean },
): string | undefined {
  if (state.legalHold) return "a legal hold is on";
  const { retention } = state;
  if (retention === undefined || !retentionActive(retention, options.now)) return undefined;
  const until = formatRetainUntil(retention.retainUntil);
  if (retention.mode === "COMPLIANCE") return `it is under COMPLIANCE retention until ${until}`;
  if (options.bypassGovernance) return undefined;
  return `it is under GOVERNANCE retention until ${until} (and governance is not bypassed)`;
}

/**
 * Why replacing a version's retention `current` by `next` (undefined = remove) is refused, or
 * undefined when allowed. Once the current retention has passed anything goes. While it is
 * active: extending (same or later date, COMPLIANCE stays COMPLIANCE) is always allowed;
 * shortening, removing or weakening COMPLIANCE never is; doing so to GOVERNANCE needs bypass.
 */
export function retentionChangeProblem(
  current: Retention | undefined,
  next: Retention | undefined,
  options: { now: Date; bypassGovernance: boolean },
): string | undefined {
  if (current === undefined || !retentionActive(current, options.now)) return undefined;
  const extends_ = next !== undefined &&
    next.retainUntil.getTime() >= current.retainUntil.getTime() &&
    (current.mode === "GOVERNANCE" || next.mode === "COMPLIANCE");
  if (extends_) return undefined;
  const until = formatRetainUntil(current.retainUntil);
  if (current.mode === "COMPLIANCE") {
    return `its COMPLIANCE retention until ${until} can only be extended`;
  }
  if (options.bypassGovernance) return undefined;
  return `its GOVERNANCE retention until ${until} can only be shortened or removed with x-amz-bypass-governance-retention`;
}

/**
 * The `DefaultRetention` of a stored ObjectLockConfiguration document, undefined when it has
 * none. Stored documents were validated when put (or written by MinIO), so this reads them
 * leniently: an unreadable rule counts as no rule.
 */
export function defaultRetentionFromXml(xml: string | undefined): DefaultRetention | undefined {
  if (xml === undefined) return undefined;
  const rule = /<(?:\w+:)?DefaultRetention\b[^>]*>([\s\S]*?)<\/(?:\w+:)?DefaultRetention>/
    .exec(xml)?.[1];
  if (rule === undefined) return undefined;
  const text = (name: string) =>
    new RegExp(`<(?:\\w+:)?${name}\\b[^>]*>\\s*([^<]*?)\\s*</(?:\\w+:)?${name}>`).exec(rule)?.[1];
  const mode = text("Mode");
  if (mode === undefined || !isRetentionMode(mode)) return undefined;
  const days = positiveInteger(text("Days"));
  const years = positiveInteger(text("Years"));
  if ((days === undefined) === (years === undefined)) return undefined;
  return days !== undefined ? { mode, days } : { mode, years };
}

function positiveInteger(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value > 0 ? value : undefined;
}

/**
 * Why a DefaultRetention is refused (AWS and MinIO bounds: 1..36500 days or 1..100 years,
 * exactly one of the two), or undefined.
 */
export function defaultRetentionProblem(rule: {
  mode: string;
  days?: number;
  years?: number;
}): string | undefined {
  if (!isRetentionMode(rule.mode)) return `unknown retention mode "${rule.mode}"`;
  if ((rule.days === undefined) === (rule.years === undefined)) {
    return "either Days or Years must be specified, not both";
  }
  if (rule.days !== undefined) {
    if (!Number.isInteger(rule.days) || rule.days <= 0) {
      return "Default retention period must be a positive integer value for 'Days'";
    }
    if (rule.days > objectLockRetentionDaysMax) {
      return `'Days' is over ${objectLockRetentionDaysMax}`;
    }
  }
  if (rule.years !== undefined) {
    if (!Number.isInteger(rule.years) || rule.years <= 0) {
      return "Default retention period must be a positive integer value for 'Years'";
    }
    if (rule.years > objectLockRetentionYearsMax) {
      return `'Years' is over ${objectLockRetentionYearsMax}`;
    }
  }
  return undefined;
}

/** The retention a new version receives from the bucket default, created at `now`. */
export function defaultRetentionFor(rule: DefaultRetention, now: Date): Retention {
  const until = new Date(now.getTime());
  if (rule.days !== undefined) until.setUTCDate(until.getUTCDate() + rule.days);
  else until.setUTCFullYear(until.getUTCFullYear() + (rule.years ?? 0));
  return { mode: rule.mode, retainUntil: until };
}

/**
 * The metadata a new version is stored with in a lock-enabled bucket: the request's own
 * retention when it has one, else the bucket's default retention (if any).
 */
export function applyDefaultRetention(
  metadata: Record<string, string>,
  options: { objectLockXml: string | undefined; now: Date },
): Record<string, string> {
  if (lookup(metadata, lockModeKey) !== undefined) return metadata;
  const rule = defaultRetentionFromXml(options.objectLockXml);
  if (rule === undefined) return metadata;
  return { ...metadata, ...retentionMetadata(defaultRetentionFor(rule, options.now)) };
}
