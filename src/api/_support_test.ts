/**
 * Helpers for the API's SDK tests (named *_test.ts so the import rules treat it as test code;
 * it has no tests of its own).
 */

/** The S3 error code (SDK `name`) and HTTP status of a failed command. */
export async function failure(
  promise: Promise<unknown>,
): Promise<{ code: string; status: number }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; $metadata?: { httpStatusCode?: number } };
    return { code: e.name, status: e.$metadata?.httpStatusCode ?? 0 };
  }
  throw new Error("expected the request to fail, it succeeded");
}
