/**
 * Ellipsis expansion of drive arguments (spec/minio-format.md §2.1): `{A...B}` with A and B
 * decimal, or hexadecimal when not decimal; zero padding to B's width when A has a leading 0
 * (and more than one digit) or B starts with 0; the leftmost pattern varies fastest.
 */
import { poolDrivesMax } from "../limits.ts";
import { TopologyError } from "./topology_error.ts";

/** One `{A...B}` of an argument, with the literal text before it (leftmost only) and after it. */
export interface EllipsisPattern {
  prefix: string;
  suffix: string;
  values: string[];
}

/** The same regular expression MinIO uses; greedy `(.*)` finds the rightmost pattern first. */
const ellipsisRegex = /^(.*)(\{[0-9a-z]*\.\.\.[0-9a-z]*\})(.*)$/s;

/** MinIO's test: any `...` makes an argument an ellipsis pattern (which must then parse). */
export function hasEllipsis(arg: string): boolean {
  return arg.includes("...");
}

/**
 * The patterns of one argument, rightmost first (MinIO's order): `patterns[0].suffix` is the
 * text after the last pattern, the last element carries the text before the first pattern.
 */
export function findPatterns(arg: string): EllipsisPattern[] {
  const patterns: EllipsisPattern[] = [];
  let match = ellipsisRegex.exec(arg);
  if (!match) throw invalidFormat(arg, "it has no {A...B} range");
  while (match) {
    const [, before, range, after] = match;
    const values = parseRange(arg, range);
    const inner = ellipsisRegex.exec(before);
    patterns.push({ prefix: inner ? "" : before, suffix: after, values });
    match = inner;
  }
  for (const { prefix, suffix } of patterns) {
    if (/[{}]/.test(prefix) || /[{}]/.test(suffix)) {
      throw invalidFormat(arg, "it has a stray { or } outside a {A...B} range");
    }
  }
  return patterns;
}

/** Every drive an argument names, leftmost pattern varying fastest. */
export function expandPattern(arg: string): string[] {
  const patterns = findPatterns(arg);
  const total = patterns.reduce((product, p) => product * p.values.length, 1);
  if (total > poolDrivesMax) {
    throw new TopologyError(
      `Cannot use "${arg}": it names ${total} drives, more than the ${poolDrivesMax} one pool may have; split it into several pools`,
    );
  }
  const labels = patterns.map((p) => p.values.map((v) => p.prefix + v + p.suffix));
  const out: string[] = [];
  // labels[last] is the leftmost pattern: it varies fastest; labels[0] (rightmost) slowest.
  const indexes = new Array(labels.length).fill(0);
  for (let n = 0; n < total; n++) {
    let name = "";
    for (let i = labels.length - 1; i >= 0; i--) name += labels[i][indexes[i]];
    out.push(name);
    for (let i = labels.length - 1; i >= 0; i--) {
      indexes[i]++;
      if (indexes[i] < labels[i].length) break;
      indexes[i] = 0;
    }
  }
  return out;
}

function parseRange(arg: string, range: string): string[] {
  const parts = range.slice(1, -1).split("...");
  if (parts.length !== 2) throw invalidFormat(arg, `${range} is not of the form {A...B}`);
  const [startText, endText] = parts;
  const decimal = /^[0-9]+$/.test(startText) && /^[0-9]+$/.test(endText);
  const start = parseBound(arg, range, startText);
  const end = parseBound(arg, range, endText);
  if (start > end) {
    throw new TopologyError(
      `Cannot use "${arg}": range ${range} starts after it ends; write the smaller bound first`,
    );
  }
  if (end - start + 1 > poolDrivesMax) {
    throw new TopologyError(
      `Cannot use "${arg}": range ${range} names more than ${poolDrivesMax} drives; split it into several pools`,
    );
  }
  const padded = (startText.startsWith("0") && startText.length > 1) || endText.startsWith("0");
  const values: string[] = [];
  for (let i = start; i <= end; i++) {
    const text = i.toString(decimal ? 10 : 16);
    values.push(padded ? text.padStart(endText.length, "0") : text);
  }
  return values;
}

/** Decimal when it parses as decimal, else hexadecimal (per bound, as MinIO does). */
function parseBound(arg: string, range: string, text: string): number {
  if (/^[0-9]+$/.test(text)) return Number(text);
  if (/^[0-9a-f]+$/.test(text)) return parseInt(text, 16);
  throw invalidFormat(arg, `"${text}" in ${range} is neither a decimal nor a hexadecimal number`);
}

function invalidFormat(arg: string, why: string): TopologyError {
  return new TopologyError(
    `Cannot use "${arg}": ${why}; write ranges as {1...4}, {01...16} or {a...f}`,
  );
}
