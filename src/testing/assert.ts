/**
 * Test assertions in the shape of Deno std's (JSR is unreachable here), over node:assert.
 * For tests only: src/testing/ is exempt from the runtime-import rule.
 */
import assert from "node:assert/strict";

export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  assert.deepStrictEqual(actual, expected, message);
}

export function assertNotEquals<T>(actual: T, expected: T, message?: string): void {
  assert.notDeepStrictEqual(actual, expected, message);
}

export function assert_(condition: unknown, message?: string): asserts condition {
  assert.ok(condition, message);
}
export { assert_ as assert };

// deno-lint-ignore no-explicit-any
type ErrorClass = new (...args: any[]) => Error;

export function assertThrows(fn: () => unknown, errorClass?: ErrorClass, includes?: string): Error {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  return checkError(caught, errorClass, includes);
}

export async function assertRejects(
  fn: () => Promise<unknown>,
  errorClass?: ErrorClass,
  includes?: string,
): Promise<Error> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  return checkError(caught, errorClass, includes);
}

function checkError(caught: unknown, errorClass?: ErrorClass, includes?: string): Error {
  if (caught === undefined) throw new assert.AssertionError({ message: "Expected an error" });
  if (!(caught instanceof Error)) {
    throw new assert.AssertionError({ message: `Expected an Error, got ${String(caught)}` });
  }
  const error: Error = caught;
  if (errorClass && !(caught instanceof errorClass)) {
    throw new assert.AssertionError({
      message: `Expected ${errorClass.name}, got ${error.name}: ${error.message}`,
    });
  }
  if (includes !== undefined && !error.message.includes(includes)) {
    throw new assert.AssertionError({
      message: `Expected the message to include "${includes}", got "${error.message}"`,
    });
  }
  return error;
}
