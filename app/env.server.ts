import { randomBytes } from "node:crypto";
import {
  accessSync,
  constants,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { isIP } from "node:net";
import { join, resolve } from "node:path";
import { z } from "zod";
import { databaseFile, dataDirectory, engineKind } from "../db/client";
import { type AuditKey, auditKey } from "./core/audit";
import { OIDC_ROLES, parseRoleMap } from "./core/sso";

const integer = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const emptyAsUndefined = (value: unknown) => (value === "" ? undefined : value);

/** Every setting Redline reads, validated once at start. */
const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z
    .string()
    .default("file:./data/redline.db")
    .refine(
      (url) => {
        try {
          if (engineKind(url) === "postgres") return new URL(url).pathname.length > 1;
          databaseFile(url);
          return true;
        } catch {
          return false;
        }
      },
      { message: "must look like file:./data/redline.db or postgres://user@host:5432/database" },
    ),
  /**
   * Where Redline writes its files besides the database (generated development secrets, the first
   * admin's login). Unset: the SQLite file's folder, or ./data on PostgreSQL.
   */
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().optional()),
  PORT: integer(0, 65535, 3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  PUBLIC_BASE_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
  SESSION_SECRET: z.preprocess(
    emptyAsUndefined,
    z.string().min(32, "must be at least 32 characters").optional(),
  ),
  AUDIT_KEY: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .min(32, "must be at least 32 characters")
      .regex(/^[^\s,]+$/, "must not contain spaces or commas")
      .optional(),
  ),
  AUDIT_RETIRED_KEYS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .optional()
      .transform((value) => (value ?? "").split(/[\s,]+/).filter(Boolean))
      .refine((keys) => keys.every((key) => key.length >= 32), {
        message: "every key must be at least 32 characters, separated by commas",
      }),
  ),
  RESEND_API_KEY: z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
  RESEND_BASE_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
  RESEND_WEBHOOK_SECRET: z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
  MAIL_FROM: z.string().min(3).default("Redline <notices@redline.localhost>"),
  NOTICE_PERIOD_DAYS: integer(0, 365, 30),
  SEND_RATE_PER_SECOND: z.coerce.number().positive().max(10_000).default(2),
  MAX_SEND_ATTEMPTS: integer(1, 100, 8),
  DELIVERY_LOG_RETENTION_DAYS: integer(1, 3650, 90),
  /** Worker threads that compute redlines (ADR 0018); 0 computes them in the web process itself. */
  DIFF_THREADS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(16).optional()),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** `capture` keeps email on this machine (the bundled mail server) even in production, by choice. */
  MAIL_TRANSPORT: z.preprocess(emptyAsUndefined, z.enum(["resend", "capture"]).optional()),
  /**
   * A bearer token that opens GET /metrics on the public port. Unset: /metrics is not served there
   * (answered like any unknown address), only on METRICS_PORT if that is set.
   */
  METRICS_TOKEN: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .min(16, "must be at least 16 characters")
      .regex(/^[\x21-\x7e]+$/, "printable ASCII characters without spaces")
      .optional(),
  ),
  /** A separate listener for GET /metrics (Prometheus), on METRICS_HOST. Unset: none. */
  METRICS_PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(65535).optional()),
  /** Where the METRICS_PORT listener binds: loopback unless a scraper elsewhere must reach it. */
  METRICS_HOST: z.string().min(1).default("127.0.0.1"),
  /**
   * Which proxies in front of Redline are trusted to say who the client is: a hop count, or
   * addresses / CIDR ranges (and express's names loopback, linklocal, uniquelocal), comma-separated.
   * Unset: forwarded headers are ignored and the client is the socket's peer.
   */
  TRUST_PROXY: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .refine(isTrustProxySetting, {
        message: "use a hop count (e.g. 1) or comma-separated addresses/CIDR ranges (e.g. 10.0.0.0/8)",
      })
      .transform(trustProxyValue)
      .optional(),
  ),
  /** Single sign-on (ADR 18): the OpenID provider's issuer URL; discovery reads the rest from it. */
  OIDC_ISSUER: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
  OIDC_CLIENT_ID: z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
  /** Unset: a public client (PKCE only), for providers that register Redline that way. */
  OIDC_CLIENT_SECRET: z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
  OIDC_REDIRECT_PATH: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      // Any path under /admin/sso/ reaches the callback route (app/routes/admin.sso.$.tsx).
      .regex(/^\/admin\/sso\/[\w\-/]+$/, "must be a path under /admin/sso/, e.g. /admin/sso/callback")
      .refine((path) => !/^\/admin\/sso\/(start|logout)\/?$/.test(path), {
        message: "/admin/sso/start and /admin/sso/logout are taken; use e.g. /admin/sso/callback",
      })
      .default("/admin/sso/callback"),
  ),
  /** Scopes asked for besides `openid email profile`, separated by spaces or commas. */
  OIDC_SCOPES: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .optional()
      .transform((value) => (value ?? "").split(/[\s,]+/).filter(Boolean))
      .refine((scopes) => scopes.every((scope) => /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope)), {
        message: "scopes are words without quotes or backslashes, separated by spaces",
      }),
  ),
  /** What the sign-in button calls the provider ("Sign in with Okta"); default: the issuer's host. */
  OIDC_PROVIDER_NAME: z.preprocess(emptyAsUndefined, z.string().trim().min(1).max(60).optional()),
  /** The ID-token claim that lists the person's groups or roles; a dotted path reaches inside objects. */
  OIDC_ROLE_CLAIM: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[\w:/.-]+$/, "must be a claim name such as groups, roles or realm_access.roles")
      .default("groups"),
  ),
  /** JSON: group → viewer | editor | approver | admin. */
  OIDC_ROLE_MAP: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .optional()
      .transform((value, ctx) => {
        if (value === undefined) return {};
        const parsed = parseRoleMap(value);
        if (!parsed.ok) {
          ctx.addIssue({ code: "custom", message: parsed.error });
          return z.NEVER;
        }
        return parsed.map;
      }),
  ),
  /** The role of a person none of whose groups is mapped; unset: such a person is refused. */
  OIDC_DEFAULT_ROLE: z.preprocess(
    emptyAsUndefined,
    z.enum(OIDC_ROLES, { message: "must be viewer, editor, approver or admin" }).optional(),
  ),
  /** `off`: only break-glass admins sign in with a password; everyone else through the provider. */
  AUTH_PASSWORDS: z.preprocess(
    emptyAsUndefined,
    z.enum(["on", "off"], { message: "must be on or off" }).default("on"),
  ),
});

export type Env = Omit<z.infer<typeof envSchema>, "PUBLIC_BASE_URL" | "DATA_DIR"> & {
  PUBLIC_BASE_URL: string;
  /** DATA_DIR as an absolute path, or its default (see the schema). */
  DATA_DIR: string;
  /** Whether DATA_DIR was given (then it is checked at start), or is the default. */
  DATA_DIR_SET: boolean;
  /** Whether PUBLIC_BASE_URL was given, or is the local default (which follows the real port). */
  PUBLIC_BASE_URL_SET: boolean;
};

const PROXY_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

function isTrustProxySetting(value: string): boolean {
  if (/^\d{1,2}$/.test(value.trim())) return true;
  return value.split(",").every((part) => {
    const item = part.trim();
    if (PROXY_NAMES.has(item)) return true;
    const [address, bits, extra] = item.split("/");
    if (extra !== undefined || isIP(address) === 0) return false;
    if (bits === undefined) return true;
    return /^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(address) === 4 ? 32 : 128);
  });
}

/** The value express's `trust proxy` setting takes: a hop count or a list of addresses. */
function trustProxyValue(value: string): number | string[] {
  return /^\d{1,2}$/.test(value.trim()) ? Number(value) : value.split(",").map((part) => part.trim());
}

/** A configuration problem that must stop start-up; the message names every bad variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses settings from an environment; throws ConfigError naming each bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration — ${problems.join("; ")}`);
  }
  const env = result.data;
  if (env.METRICS_PORT !== undefined && env.METRICS_PORT === env.PORT) {
    throw new ConfigError("Invalid configuration — METRICS_PORT: must differ from PORT");
  }
  const sso = ssoProblems(env);
  if (sso.length > 0) throw new ConfigError(`Invalid configuration — ${sso.join("; ")}`);
  if (env.NODE_ENV === "production") {
    // A production default never hides a missing setting: name what is missing instead.
    const missing = [
      !env.SESSION_SECRET && "SESSION_SECRET: required in production (32+ characters)",
      !env.PUBLIC_BASE_URL &&
        "PUBLIC_BASE_URL: required in production (the address people reach Redline at, e.g. https://policies.example.com)",
      !env.AUDIT_KEY && "AUDIT_KEY: required in production (32+ characters; it signs the audit log)",
    ].filter(Boolean);
    if (missing.length > 0) throw new ConfigError(`Invalid configuration — ${missing.join("; ")}`);
  }
  return {
    ...env,
    PUBLIC_BASE_URL: (env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT || 3000}`).replace(/\/+$/, ""),
    PUBLIC_BASE_URL_SET: env.PUBLIC_BASE_URL !== undefined,
    DATA_DIR: env.DATA_DIR === undefined ? dataDirectory(env.DATABASE_URL) : resolve(env.DATA_DIR),
    DATA_DIR_SET: env.DATA_DIR !== undefined,
  };
}

/**
 * Makes sure DATA_DIR is a folder this user can write to, creating it (0700) when missing, and
 * returns it. Throws a ConfigError naming DATA_DIR otherwise: the server checks a DATA_DIR it was
 * given at start, and every writer checks before writing, so a bad folder never fails half-way.
 */
export function ensureDataDirectory(env: Env): string {
  const dir = env.DATA_DIR;
  const name = env.DATA_DIR_SET ? "DATA_DIR" : "DATA_DIR (default)";
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new ConfigError(`Invalid configuration — ${name}: ${dir} is not a folder`);
  }
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError(
      `Invalid configuration — ${name}: ${dir} cannot be created (${code}); set DATA_DIR to a folder this user can write to`,
    );
  }
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    throw new ConfigError(
      `Invalid configuration — ${name}: ${dir} is not writable by this user; set DATA_DIR to a folder it can write to`,
    );
  }
  return dir;
}

/** Settings of single sign-on that only make sense together. */
function ssoProblems(env: z.infer<typeof envSchema>): string[] {
  const problems: string[] = [];
  const configured = env.OIDC_ISSUER !== undefined;
  if (configured && !env.OIDC_CLIENT_ID) {
    problems.push("OIDC_CLIENT_ID: required with OIDC_ISSUER (the client id the provider gave Redline)");
  }
  if (!configured && env.OIDC_CLIENT_ID) {
    problems.push("OIDC_ISSUER: required with OIDC_CLIENT_ID (the provider's issuer URL)");
  }
  if (configured && Object.keys(env.OIDC_ROLE_MAP).length === 0 && !env.OIDC_DEFAULT_ROLE) {
    problems.push(
      'OIDC_ROLE_MAP: required with OIDC_ISSUER unless OIDC_DEFAULT_ROLE is set (e.g. {"legal-editors":"editor"}); without either nobody could sign in',
    );
  }
  if (env.AUTH_PASSWORDS === "off" && !configured) {
    problems.push(
      "AUTH_PASSWORDS: off needs single sign-on (OIDC_ISSUER …), or only break-glass admins could sign in",
    );
  }
  if (configured && env.NODE_ENV === "production" && env.OIDC_ISSUER?.startsWith("http:")) {
    if (!isLoopbackUrl(env.OIDC_ISSUER)) {
      problems.push(
        "OIDC_ISSUER: must be https:// in production (http:// only for a provider on this machine)",
      );
    }
  }
  return problems;
}

/** Whether a URL names this machine: the only place an identity provider may be reached over plain HTTP. */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The session secret: SESSION_SECRET when set; otherwise (development and tests only) one
 * generated on first start and kept in DATA_DIR, so sessions survive restarts.
 */
export function sessionSecret(env: Env): string {
  return env.SESSION_SECRET ?? generatedSecret(env, "session-secret");
}

/**
 * The keys of the audit log (ADR 0011): AUDIT_KEY signs new entries; it and AUDIT_RETIRED_KEYS
 * verify. Without AUDIT_KEY (development and tests only; production refuses to start) a key is
 * generated on first use and kept in DATA_DIR, like the session secret.
 */
export function auditKeys(env: Env): { signing: AuditKey; all: Map<string, AuditKey> } {
  const signing = auditKey(env.AUDIT_KEY ?? generatedSecret(env, "audit-key"));
  const all = new Map<string, AuditKey>();
  for (const secret of env.AUDIT_RETIRED_KEYS) {
    const key = auditKey(secret);
    all.set(key.id, key);
  }
  all.set(signing.id, signing);
  return { signing, all };
}

/**
 * A secret kept in a 0600 file in DATA_DIR, created on first use. Written to a private
 * temporary file and linked into place, so a second process starting at the same moment reads
 * either nothing or the whole secret, never half of it.
 */
function generatedSecret(env: Env, name: string): string {
  const existing = join(env.DATA_DIR, name);
  if (existsSync(existing)) return readFileSync(existing, "utf8").trim();
  const path = join(ensureDataDirectory(env), name);
  const secret = randomBytes(32).toString("base64url");
  const draft = `${path}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(draft, `${secret}\n`, { mode: 0o600, flag: "wx" });
  try {
    linkSync(draft, path);
  } catch (error) {
    // Another process (the worker, a second server) wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return readFileSync(path, "utf8").trim();
    throw error;
  } finally {
    unlinkSync(draft);
  }
  return secret;
}

let settings: Env | undefined;
let keys: ReturnType<typeof auditKeys> | undefined;

/** The process's settings, validated once on first use. */
export function getEnv(): Env {
  settings ??= parseEnv(process.env);
  return settings;
}

/**
 * Validates the settings from `source` and makes them the process's settings (the server shell
 * passes the environment as it was before it defaulted NODE_ENV for the libraries).
 */
export function configureEnv(source: Record<string, string | undefined>): Env {
  settings = parseEnv(source);
  keys = undefined;
  return settings;
}

/** Forgets the validated settings so the next getEnv() reads process.env again (tests, benchmarks). */
export function resetEnv(): void {
  settings = undefined;
  keys = undefined;
}

/** The process's audit keys (see `auditKeys`), read once on first use. */
export function getAuditKeys(): ReturnType<typeof auditKeys> {
  keys ??= auditKeys(getEnv());
  return keys;
}
