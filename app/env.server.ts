import { randomBytes } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { databaseFile } from "../db/client";
import { type AuditKey, auditKey } from "./core/audit";

const integer = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const emptyAsUndefined = (value: unknown) => (value === "" ? undefined : value);

/** Every setting Redline reads, validated once at start. */
export const envSchema = z.object({
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
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Env = Omit<z.infer<typeof envSchema>, "PUBLIC_BASE_URL"> & { PUBLIC_BASE_URL: string };

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
  if (env.NODE_ENV === "production" && !env.SESSION_SECRET) {
    throw new ConfigError("Invalid configuration — SESSION_SECRET: required in production (32+ characters)");
  }
  if (env.NODE_ENV === "production" && !env.AUDIT_KEY) {
    throw new ConfigError(
      "Invalid configuration — AUDIT_KEY: required in production (32+ characters; it signs the audit log)",
    );
  }
  return {
    ...env,
    PUBLIC_BASE_URL: (env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT || 3000}`).replace(/\/+$/, ""),
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

// Kept on globalThis: the server, the Remix build and the worker share one validated copy.
const processSettings = globalThis as typeof globalThis & {
  __redlineEnv?: Env;
  __redlineAuditKeys?: ReturnType<typeof auditKeys>;
};

/** The process's settings, validated once on first use. */
export function getEnv(): Env {
  processSettings.__redlineEnv ??= parseEnv(process.env);
  return processSettings.__redlineEnv;
}

/** The process's audit keys (see `auditKeys`), read once on first use. */
export function getAuditKeys(): ReturnType<typeof auditKeys> {
  processSettings.__redlineAuditKeys ??= auditKeys(getEnv());
  return processSettings.__redlineAuditKeys;
}
