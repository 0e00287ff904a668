/** The credential store auth verifies against: the root user only (no IAM users yet). */
import type { CredentialStore } from "../auth/mod.ts";
import type { AppOptions } from "./context.ts";

export function credentialStore(credentials: AppOptions["credentials"]): CredentialStore {
  return {
    rootAccessKey: credentials.accessKey,
    lookupSecret: (accessKey) =>
      accessKey === credentials.accessKey ? credentials.secretKey : undefined,
  };
}
