import { randomBytes } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { dirname, join } from "node:path";
import { z } from "zod";
import { databaseFile } from "../db/client";
import { type AuditKey, auditKey } from "./core/audit";

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
          databaseFile(url);
          return true;
        } catch {
          return false;
        }
      },
      { message: "must look like file:./data/redline.db" },
    ),
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
});

export type Env = Omit<z.infer<typeof envSchema>, "PUBLIC_BASE_URL"> & {
  PUBLIC_BASE_URL: string;
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
  };
}

/**
 * The session secret: SESSION_SECRET when set; otherwise (development and tests only) one
 * generated on first start and kept beside the database, so sessions survive restarts.
 */
export function sessionSecret(env: Env): string {
  return env.SESSION_SECRET ?? generatedSecret(env, "session-secret");
}

/**
 * The keys of the audit log (ADR 0011): AUDIT_KEY signs new entries; it and AUDIT_RETIRED_KEYS
 * verify. Without AUDIT_KEY (development and tests only; production refuses to start) a key is
 * generated on first use and kept beside the database, like the session secret.
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
 * A secret kept in a 0600 file beside the database, created on first use. Written to a private
 * temporary file and linked into place, so a second process starting at the same moment reads
 * either nothing or the whole secret, never half of it.
 */
function generatedSecret(env: Env, name: string): string {
  const file = databaseFile(env.DATABASE_URL);
  const path = join(file === ":memory:" ? "data" : dirname(file), name);
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  mkdirSync(dirname(path), { recursive: true });
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
