import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { ROOT, type RunningServer, run, SERVER_ENTRY, startServer } from "../support/server";

const production = { NODE_ENV: "production", SESSION_SECRET: "s".repeat(40), MAIL_TRANSPORT: "capture" };

/**
 * Waits for the last line the server prints when it starts (test servers capture mail): the
 * first admin's login, when there is one, comes before it.
 */
function startupPrinted(server: RunningServer): Promise<void> {
  return vi.waitFor(() => expect(server.output()).toMatch(/Email is captured, not delivered/));
}

describe("starting Redline", () => {
  it.each([
    [{ PORT: "eighty" }, "PORT"],
    [{ DATABASE_URL: "mysql://db" }, "DATABASE_URL"],
    [{ NOTICE_PERIOD_DAYS: "a month" }, "NOTICE_PERIOD_DAYS"],
    [{ TRUST_PROXY: "everyone" }, "TRUST_PROXY"],
    [{ PUBLIC_BASE_URL: "" }, "PUBLIC_BASE_URL: required in production"],
    [{ SESSION_SECRET: "" }, "SESSION_SECRET: required in production"],
    [{ DATA_DIR: join(ROOT, "package.json") }, "DATA_DIR: .*package\\.json is not a folder"],
  ])("stops on a bad setting and names it (%o)", async (env, variable) => {
    const result = await run(process.execPath, [SERVER_ENTRY], {
      ...production,
      PUBLIC_BASE_URL: "https://policies.example.com",
      ...env,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^Invalid configuration — .*${variable}`));
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("refuses to start in production without a mail transport, naming the settings", async () => {
    const result = await run(process.execPath, [SERVER_ENTRY], {
      ...production,
      MAIL_TRANSPORT: "",
      RESEND_API_KEY: "",
      RESEND_BASE_URL: "",
      PUBLIC_BASE_URL: "https://policies.example.com",
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /^Invalid configuration — no mail transport: set RESEND_API_KEY .* RESEND_BASE_URL .* MAIL_TRANSPORT=capture/,
    );
  });

  it("says in one line that the port is taken", async () => {
    const first = await startServer();
    const port = new URL(first.url).port;
    const second = await run(process.execPath, [SERVER_ENTRY], {
      ...production,
      PORT: port,
      HOST: "127.0.0.1",
      PUBLIC_BASE_URL: first.url,
      DATABASE_URL: first.databaseUrl,
    });
    await first.stop();
    expect(second.code).toBe(1);
    expect(second.stderr.trim()).toBe(
      `Redline could not start: port ${port} on 127.0.0.1 is already in use: stop the other process or set PORT`,
    );
  });

  it("prints the first admin's password in development, once", async () => {
    const first = await startServer({ NODE_ENV: "development", SESSION_SECRET: "", PUBLIC_BASE_URL: "" });
    await vi.waitFor(() =>
      expect(first.output()).toMatch(/Email: +admin@redline\.localhost\n +Password: +\S{20,}/),
    );
    // A second server on the same database finds the admin and prints no password.
    const second = await startServer({ DATABASE_URL: first.databaseUrl });
    await startupPrinted(second);
    expect(second.output()).toMatch(/Redline listening/);
    expect(second.output()).not.toMatch(/Password:/);
    await second.stop();
    await first.stop();
  });

  it("keeps the first admin's password out of the logs in production: a file only its owner can read", async () => {
    // Test servers name their own folder as DATA_DIR (test/support/server.ts), on either engine.
    const server = await startServer();
    await startupPrinted(server);
    const file = join(server.directory, "first-admin-login.txt");
    expect(server.output()).toContain(`Password: in ${file}`);
    const password = /Password: (\S{20,})/.exec(readFileSync(file, "utf8"))?.[1];
    expect(password).toBeDefined();
    expect(server.output()).not.toContain(password!);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await server.stop();
  });
});
