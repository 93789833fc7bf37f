import { describe, expect, it } from "vitest";
import { run, startServer } from "../support/server";

describe("starting Redline", () => {
  it.each([
    [{ PORT: "eighty" }, "PORT"],
    [{ DATABASE_URL: "mysql://db" }, "DATABASE_URL"],
    [{ NOTICE_PERIOD_DAYS: "a month" }, "NOTICE_PERIOD_DAYS"],
  ])("stops on a bad setting and names it (%o)", async (env, variable) => {
    const result = await run(process.execPath, ["--import", "tsx", "server.ts"], {
      ...env,
      NODE_ENV: "production",
      SESSION_SECRET: "s".repeat(40),
      AUDIT_KEY: "a".repeat(40),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^Invalid configuration — .*${variable}:`));
  });

  it("prints an admin login on the first start only", async () => {
    const first = await startServer();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(first.output()).toMatch(/Email: +admin@redline\.localhost\n +Password: +\S{20,}/);
    // A second server on the same database finds the admin and prints no password.
    const second = await startServer({ DATABASE_URL: first.databaseUrl });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(second.output()).toMatch(/Redline listening/);
    expect(second.output()).not.toMatch(/Password:/);
    await second.stop();
    await first.stop();
  });
});
