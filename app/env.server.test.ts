import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { auditKey } from "./core/audit";
import { auditKeys, ensureDataDirectory, parseEnv, sessionSecret } from "./env.server";

describe("configuration", () => {
  it("runs on embedded defaults", () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      DATABASE_URL: "file:./data/redline.db",
      PORT: 3000,
      PUBLIC_BASE_URL: "http://localhost:3000",
      NOTICE_PERIOD_DAYS: 30,
      SEND_RATE_PER_SECOND: 2,
    });
  });

  it.each([
    [{ PORT: "eighty" }, "PORT"],
    [{ DATABASE_URL: "postgres://x" }, "DATABASE_URL"],
    [{ DATABASE_URL: "mysql://db.internal/redline" }, "DATABASE_URL"],
    [{ NOTICE_PERIOD_DAYS: "-1" }, "NOTICE_PERIOD_DAYS"],
    [{ PUBLIC_BASE_URL: "javascript:alert(1)" }, "PUBLIC_BASE_URL"],
    [{ SEND_RATE_PER_SECOND: "0" }, "SEND_RATE_PER_SECOND"],
    [{ SESSION_SECRET: "short" }, "SESSION_SECRET"],
    [{ METRICS_TOKEN: "too-short" }, "METRICS_TOKEN"],
    [{ METRICS_TOKEN: "a token with spaces in it" }, "METRICS_TOKEN"],
    [{ METRICS_PORT: "0" }, "METRICS_PORT"],
    [{ METRICS_PORT: "metrics" }, "METRICS_PORT"],
    [{ METRICS_PORT: "3000" }, "METRICS_PORT: must differ from PORT"],
    [{ AUDIT_KEY: "short" }, "AUDIT_KEY"],
    [{ AUDIT_KEY: `${"k".repeat(32)},x` }, "AUDIT_KEY"],
    [{ AUDIT_RETIRED_KEYS: `${"k".repeat(32)},short` }, "AUDIT_RETIRED_KEYS"],
    [{ OIDC_ISSUER: "https://id.example.com", OIDC_DEFAULT_ROLE: "viewer" }, "OIDC_CLIENT_ID: required"],
    [{ OIDC_CLIENT_ID: "redline" }, "OIDC_ISSUER: required"],
    [{ OIDC_ISSUER: "https://id.example.com", OIDC_CLIENT_ID: "r" }, "OIDC_ROLE_MAP: required"],
    [{ OIDC_ROLE_MAP: "{legal: editor}" }, "OIDC_ROLE_MAP: not JSON"],
    [{ OIDC_ROLE_MAP: '{"legal":"owner"}' }, 'OIDC_ROLE_MAP: group "legal": must be viewer'],
    [{ OIDC_DEFAULT_ROLE: "owner" }, "OIDC_DEFAULT_ROLE: must be viewer"],
    [{ OIDC_REDIRECT_PATH: "/callback" }, "OIDC_REDIRECT_PATH: must be a path under /admin/sso/"],
    [{ OIDC_REDIRECT_PATH: "/admin/sso/start" }, "OIDC_REDIRECT_PATH: /admin/sso/start"],
    [{ AUTH_PASSWORDS: "no" }, "AUTH_PASSWORDS: must be on or off"],
    [{ AUTH_PASSWORDS: "off" }, "AUTH_PASSWORDS: off needs single sign-on"],
  ])("refuses %o naming %s", (source, variable) => {
    expect(() => parseEnv(source)).toThrow(new RegExp(`Invalid configuration — .*${variable}`));
  });

  it("takes a PostgreSQL address as DATABASE_URL", () => {
    expect(parseEnv({ DATABASE_URL: "postgresql://redline@db.internal:5432/redline" }).DATABASE_URL).toBe(
      "postgresql://redline@db.internal:5432/redline",
    );
  });

  it("reads single sign-on: scopes added to openid email profile, the role map, passwords off", () => {
    const env = parseEnv({
      OIDC_ISSUER: "https://login.example.com/realms/acme",
      OIDC_CLIENT_ID: "redline",
      OIDC_SCOPES: "groups, offline_access",
      OIDC_ROLE_MAP: '{"legal":"editor","legal-leads":"approver"}',
      AUTH_PASSWORDS: "off",
    });
    expect(env.OIDC_SCOPES).toEqual(["groups", "offline_access"]);
    expect(env.OIDC_ROLE_MAP).toEqual({ legal: "editor", "legal-leads": "approver" });
    expect(env.OIDC_REDIRECT_PATH).toBe("/admin/sso/callback");
    expect(env.OIDC_ROLE_CLAIM).toBe("groups");
    expect(env.AUTH_PASSWORDS).toBe("off");
  });

  it("allows a plain-HTTP provider in production only on this machine", () => {
    const base = {
      NODE_ENV: "production",
      SESSION_SECRET: "s".repeat(32),
      AUDIT_KEY: "k".repeat(32),
      PUBLIC_BASE_URL: "https://policies.example.com",
      OIDC_CLIENT_ID: "redline",
      OIDC_DEFAULT_ROLE: "viewer",
    };
    expect(() => parseEnv({ ...base, OIDC_ISSUER: "http://id.example.com" })).toThrow(
      /OIDC_ISSUER: must be https/,
    );
    expect(parseEnv({ ...base, OIDC_ISSUER: "http://127.0.0.1:9000" }).OIDC_ISSUER).toBe(
      "http://127.0.0.1:9000",
    );
  });

  it("keeps metrics off the public port unless asked, and the metrics listener on loopback", () => {
    const plain = parseEnv({});
    expect([plain.METRICS_TOKEN, plain.METRICS_PORT]).toEqual([undefined, undefined]);
    const listener = parseEnv({ METRICS_PORT: "9464", METRICS_TOKEN: "" });
    expect([listener.METRICS_PORT, listener.METRICS_HOST, listener.METRICS_TOKEN]).toEqual([
      9464,
      "127.0.0.1",
      undefined,
    ]);
  });

  it("requires SESSION_SECRET in production", () => {
    expect(() => parseEnv({ NODE_ENV: "production" })).toThrow(/SESSION_SECRET: required in production/);
  });

  it("requires AUDIT_KEY in production: the audit log's signatures need a key the database does not hold", () => {
    expect(() => parseEnv({ NODE_ENV: "production", SESSION_SECRET: "s".repeat(32) })).toThrow(
      /AUDIT_KEY: required in production/,
    );
    const env = parseEnv({
      NODE_ENV: "production",
      SESSION_SECRET: "s".repeat(32),
      PUBLIC_BASE_URL: "https://policies.example.com",
      AUDIT_KEY: "k".repeat(32),
      AUDIT_RETIRED_KEYS: `${"o".repeat(32)}, ${"p".repeat(32)}`,
    });
    const keys = auditKeys(env);
    expect(keys.signing).toEqual(auditKey("k".repeat(32)));
    expect([...keys.all.keys()].sort()).toEqual(["k", "o", "p"].map((c) => auditKey(c.repeat(32)).id).sort());
  });

  it("generates an audit key in development, kept beside the database and readable by its owner only", () => {
    const dir = mkdtempSync(join(tmpdir(), "redline-env-"));
    const env = parseEnv({ DATABASE_URL: `file:${join(dir, "redline.db")}` });
    const key = auditKeys(env).signing;
    const path = join(dir, "audit-key");
    expect(readFileSync(path, "utf8").trim()).toBe(key.secret);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(auditKeys(env).signing).toEqual(key);
    expect(readdirSync(dir).sort()).toEqual(["audit-key"]);
  });

  it("generates a session secret in development and keeps it beside the database", () => {
    const dir = mkdtempSync(join(tmpdir(), "redline-env-"));
    const env = parseEnv({ DATABASE_URL: `file:${join(dir, "redline.db")}` });
    const secret = sessionSecret(env);
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(join(dir, "session-secret"), "utf8").trim()).toBe(secret);
    expect(sessionSecret(env)).toBe(secret);
  });

  it("keeps generated secrets in DATA_DIR when it is set, creating the folder, whatever the engine", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "redline-env-")), "state");
    const env = parseEnv({ DATABASE_URL: "postgres://redline@db.internal/redline", DATA_DIR: dir });
    expect(env.DATA_DIR).toBe(dir);
    const secret = sessionSecret(env);
    expect(readFileSync(join(dir, "session-secret"), "utf8").trim()).toBe(secret);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it("defaults DATA_DIR to the SQLite file's folder, or ./data on PostgreSQL", () => {
    expect(parseEnv({ DATABASE_URL: "file:/srv/redline/redline.db" }).DATA_DIR).toBe("/srv/redline");
    expect(parseEnv({ DATABASE_URL: "postgres://redline@db.internal/redline" }).DATA_DIR).toBe(
      join(process.cwd(), "data"),
    );
  });

  it("names DATA_DIR when it is not a folder it can write to", () => {
    const file = join(mkdtempSync(join(tmpdir(), "redline-env-")), "a-file");
    writeFileSync(file, "");
    const env = parseEnv({ DATA_DIR: file });
    expect(() => sessionSecret(env)).toThrow(`Invalid configuration — DATA_DIR: ${file} is not a folder`);
    expect(() => ensureDataDirectory(parseEnv({ DATA_DIR: join(file, "below") }))).toThrow(
      /^Invalid configuration — DATA_DIR: .*below cannot be created \(ENOTDIR\)/,
    );
  });
});
