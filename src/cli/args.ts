/**
 * The `aistor` command line, parsed into a typed command. Pure: no I/O, no environment access
 * (the environment is passed in), so every rule is testable.
 */

export const version = "0.1.0";

export const defaultAddress = "127.0.0.1:9000";
export const defaultDataDir = "aistor-data";
export const defaultDriveCount = 4;

export interface ServeCommand {
  kind: "serve";
  hostname: string;
  port: number;
  /** Command-line drive arguments; each argument with ellipses is one pool. */
  driveArgs: string[];
  /** True when no drives were given and the default data folder is used. */
  usesDefaultDrives: boolean;
  certsDir?: string;
  domains: string[];
  region: string;
  credentials: { accessKey: string; secretKey: string; source: string };
  /** One JSON line per request on stdout. */
  logRequests: boolean;
  quiet: boolean;
  /** Bound on waiting for in-flight requests at shutdown. */
  shutdownTimeoutMs: number;
  prometheusPublic: boolean;
  setDriveCount?: string;
  standardParity?: string;
  rrsParity?: string;
}

export interface AdminCommand {
  kind: "admin";
  action: "info" | "heal";
  endpoint: string;
  /** heal: BUCKET or BUCKET/PREFIX; "" heals everything. */
  target: string;
  credentials: { accessKey: string; secretKey: string; source: string };
  insecure: boolean;
}

export type Command =
  | ServeCommand
  | AdminCommand
  | { kind: "help"; text: string }
  | { kind: "version"; text: string };

/** A command line that cannot run: one line saying what is wrong and how to fix it. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export const helpText =
  `aistor ${version}: S3-compatible object storage, erasure-coded over your drives.

Usage:
  aistor serve [options] [DRIVES...]     serve S3 over the drives
  aistor admin info --endpoint URL       topology, drives, usage of a running server
  aistor admin heal --endpoint URL [BUCKET[/PREFIX]]
                                         verify every object and repair what can be repaired
  aistor version                         print the version
  aistor --help                          this text

DRIVES are directories. Ellipses expand: /mnt/disk{1...4} is 4 drives; each argument with
ellipses is one server pool. Without DRIVES, serve uses ./${defaultDataDir}/drive{1...${defaultDriveCount}}
(or $AISTOR_DATA_DIR/drive{1...${defaultDriveCount}}).

Serve options:
  --address HOST:PORT    listen address (default ${defaultAddress}; ":9000" listens on all interfaces)
  --certs-dir DIR        serve HTTPS with DIR/public.crt and DIR/private.key
  --domain NAME          enable virtual-host-style requests under NAME (repeatable)
  --region NAME          region reported to clients (default us-east-1)
  --log-requests         one JSON line per request on stdout
  --quiet                no start-up banner
  --shutdown-timeout-ms N  wait at most N ms for in-flight requests on SIGINT/SIGTERM (default 10000)

Admin options:
  --endpoint URL         the server, e.g. http://127.0.0.1:9000
  --insecure             accept a self-signed TLS certificate

Environment:
  AISTOR_ROOT_USER, AISTOR_ROOT_PASSWORD   root credentials (also MINIO_ROOT_USER, MINIO_ROOT_PASSWORD);
                                           default minioadmin / minioadmin, with a warning
  AISTOR_DATA_DIR                          default data folder when no DRIVES are given
  MINIO_ERASURE_SET_DRIVE_COUNT            force the erasure set size
  MINIO_STORAGE_CLASS_STANDARD             parity of the STANDARD class, e.g. EC:4
  MINIO_STORAGE_CLASS_RRS                  parity of REDUCED_REDUNDANCY, e.g. EC:1
  MINIO_DOMAIN                             comma-separated domains for virtual-host-style requests
  MINIO_REGION                             same as --region
  MINIO_PROMETHEUS_AUTH_TYPE               "public" serves /minio/v2/metrics/* without authentication
`;

type Env = Record<string, string | undefined>;

export function parseArgs(argv: string[], env: Env): Command {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    return { kind: "help", text: helpText };
  }
  if (command === "version" || command === "--version") {
    return { kind: "version", text: `aistor ${version}` };
  }
  if (command === "serve") return parseServe(rest, env);
  if (command === "admin") return parseAdmin(rest, env);
  throw new UsageError(`Unknown command "${command}"; run "aistor --help" for the commands`);
}

function parseServe(argv: string[], env: Env): ServeCommand | { kind: "help"; text: string } {
  const flags = parseFlags(argv, {
    values: ["--address", "--certs-dir", "--domain", "--region", "--shutdown-timeout-ms"],
    switches: ["--log-requests", "--quiet", "--help"],
  });
  if (flags.switches.has("--help")) return { kind: "help", text: helpText };
  const { hostname, port } = parseAddress(flags.last("--address") ?? defaultAddress);
  const dataDir = env.AISTOR_DATA_DIR || defaultDataDir;
  const usesDefaultDrives = flags.positional.length === 0;
  const domains = [
    ...flags.all("--domain"),
    ...(env.MINIO_DOMAIN ?? "").split(",").map((d) => d.trim()).filter((d) => d !== ""),
  ];
  return {
    kind: "serve",
    hostname,
    port,
    driveArgs: usesDefaultDrives
      ? [`${dataDir.replace(/\/+$/, "")}/drive{1...${defaultDriveCount}}`]
      : flags.positional,
    usesDefaultDrives,
    certsDir: flags.last("--certs-dir"),
    domains,
    region: flags.last("--region") ?? env.MINIO_REGION ?? "us-east-1",
    credentials: rootCredentials(env),
    logRequests: flags.switches.has("--log-requests"),
    quiet: flags.switches.has("--quiet"),
    shutdownTimeoutMs: parseCount(
      "--shutdown-timeout-ms",
      flags.last("--shutdown-timeout-ms"),
      10_000,
    ),
    prometheusPublic: env.MINIO_PROMETHEUS_AUTH_TYPE === "public",
    setDriveCount: env.MINIO_ERASURE_SET_DRIVE_COUNT || undefined,
    standardParity: env.MINIO_STORAGE_CLASS_STANDARD || undefined,
    rrsParity: env.MINIO_STORAGE_CLASS_RRS || undefined,
  };
}

function parseAdmin(argv: string[], env: Env): AdminCommand {
  const [action, ...rest] = argv;
  if (action !== "info" && action !== "heal") {
    throw new UsageError(
      `Unknown admin action "${action ?? ""}"; use "aistor admin info" or "aistor admin heal"`,
    );
  }
  const flags = parseFlags(rest, { values: ["--endpoint"], switches: ["--insecure"] });
  const endpoint = flags.last("--endpoint") ?? env.AISTOR_ENDPOINT;
  if (endpoint === undefined) {
    throw new UsageError(
      `"aistor admin ${action}" needs --endpoint URL, e.g. --endpoint http://127.0.0.1:9000`,
    );
  }
  if (!/^https?:\/\/[^/]+\/?$/.test(endpoint)) {
    throw new UsageError(
      `Cannot use endpoint "${endpoint}": give scheme, host and port only, e.g. http://127.0.0.1:9000`,
    );
  }
  if (action === "info" && flags.positional.length > 0) {
    throw new UsageError(`"aistor admin info" takes no arguments besides --endpoint`);
  }
  if (flags.positional.length > 1) {
    throw new UsageError(`"aistor admin heal" takes at most one BUCKET[/PREFIX] argument`);
  }
  return {
    kind: "admin",
    action,
    endpoint: endpoint.replace(/\/$/, ""),
    target: flags.positional[0] ?? "",
    credentials: rootCredentials(env),
    insecure: flags.switches.has("--insecure"),
  };
}

/** Root credentials: AISTOR_* first, then MINIO_*, else the well-known default (with a warning). */
export function rootCredentials(
  env: Env,
): { accessKey: string; secretKey: string; source: string } {
  for (const prefix of ["AISTOR", "MINIO"]) {
    const accessKey = env[`${prefix}_ROOT_USER`];
    const secretKey = env[`${prefix}_ROOT_PASSWORD`];
    if (accessKey === undefined && secretKey === undefined) continue;
    if (!accessKey || !secretKey) {
      throw new UsageError(
        `Cannot use ${prefix}_ROOT_USER / ${prefix}_ROOT_PASSWORD: set both, or neither`,
      );
    }
    if (accessKey.length < 3 || secretKey.length < 8) {
      throw new UsageError(
        `Cannot use ${prefix}_ROOT_USER / ${prefix}_ROOT_PASSWORD: the user needs at least 3 characters and the password at least 8`,
      );
    }
    return { accessKey, secretKey, source: `${prefix}_ROOT_USER / ${prefix}_ROOT_PASSWORD` };
  }
  return { accessKey: "minioadmin", secretKey: "minioadmin", source: "default" };
}

export function parseAddress(address: string): { hostname: string; port: number } {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:\s]*):(\d{1,5})$/.exec(address);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) {
    throw new UsageError(
      `Cannot listen on "${address}": give HOST:PORT, e.g. 127.0.0.1:9000 or :9000 for all interfaces`,
    );
  }
  const host = match[1].replace(/^\[|\]$/g, "");
  return { hostname: host === "" ? "0.0.0.0" : host, port };
}

function parseCount(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} needs a whole number, not "${value}"`);
  return Number(value);
}

interface Flags {
  positional: string[];
  switches: Set<string>;
  last(name: string): string | undefined;
  all(name: string): string[];
}

function parseFlags(argv: string[], spec: { values: string[]; switches: string[] }): Flags {
  const values = new Map<string, string[]>();
  const switches = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    if (spec.switches.includes(name)) {
      switches.add(name);
    } else if (spec.values.includes(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`${name} needs a value`);
      values.set(name, [...(values.get(name) ?? []), value]);
    } else if (arg.startsWith("-")) {
      throw new UsageError(`Unknown option "${arg}"; run "aistor --help" for the options`);
    } else {
      positional.push(arg);
    }
  }
  return {
    positional,
    switches,
    last: (name) => values.get(name)?.at(-1),
    all: (name) => values.get(name) ?? [],
  };
}

/** "1 set", "2 sets": counts in messages read as English. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
