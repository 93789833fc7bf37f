/**
 * The production profile as a company runs it (and as the Dockerfile's runtime stage is built):
 * the build copied to an empty folder with production dependencies only, started with node, serving
 * the public pages and running the command line — no TypeScript loader, no compiler, no dev tools.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresDatabase, TEST_ENGINE } from "../support/databases";
import { freePort, ROOT, run, stopChild } from "../support/server";

let folder: string;
/** On PostgreSQL (the integration-pg run): a database of its own, reached with the shipped driver. */
let postgres: Awaited<ReturnType<typeof createPostgresDatabase>> | null = null;
let url: string;
let stop: () => Promise<void>;
let output = "";

const env = (): Record<string, string> => ({
  NODE_ENV: "production",
  SESSION_SECRET: "p".repeat(40),
  AUDIT_KEY: "k".repeat(40),
  MAIL_TRANSPORT: "capture",
  PUBLIC_BASE_URL: url,
  DATABASE_URL: postgres?.url ?? `file:${join(folder, "data", "redline.db")}`,
  DATA_DIR: join(folder, "data"),
  LOG_LEVEL: "warn",
});

beforeAll(async () => {
  folder = join(mkdtempSync(join(tmpdir(), "redline-runtime-")), "app");
  const assembled = await run("sh", [join(ROOT, "scripts/assemble-runtime.sh"), folder]);
  if (assembled.code !== 0) throw new Error(`assemble-runtime.sh failed:\n${assembled.stderr}`);
  if (TEST_ENGINE === "postgres") postgres = await createPostgresDatabase();
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ["build/server.js"], {
    cwd: folder,
    env: {
      ...process.env,
      ...env(),
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_BASE_URL: url,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  stop = () => stopChild(child);
  for (let i = 0; i < 200 && !output.includes("Redline listening"); i++) {
    if (child.exitCode !== null) throw new Error(`the server exited:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}, 300_000);

afterAll(async () => {
  await stop?.();
  await postgres?.drop();
  if (folder) rmSync(join(folder, ".."), { recursive: true, force: true });
});

describe("the production profile", () => {
  it("holds production dependencies only", () => {
    for (const tool of ["tsx", "@remix-run/dev", "vitest", "@biomejs/biome", "esbuild", "playwright-core"]) {
      expect(existsSync(join(folder, "node_modules", tool)), tool).toBe(false);
    }
    expect(existsSync(join(folder, "app")), "no sources").toBe(false);
  });

  it("serves the policy in effect from the compiled build", async () => {
    expect(output).toContain("Redline listening");
    const page = await fetch(`${url}/policies/privacy`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/Last updated/);
    const api = await fetch(`${url}/api/v1/policies/privacy`);
    expect((await api.json()).version).toBe(1);
    const favicon = await fetch(`${url}/favicon.ico`);
    expect(favicon.status).toBe(200);
    expect(favicon.headers.get("content-type")).toMatch(/icon/);
  });

  it("draws a PDF in the bundled diff worker, with the fonts of its production dependencies", async () => {
    const pdf = await fetch(`${url}/policies/privacy/versions/1/pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");
    // The DejaVu faces are embedded (subset) in the file.
    expect(bytes.toString("latin1")).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSerif/);
  });

  it("is ready: the migrations it ships are applied and its dispatcher polls", async () => {
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect((await ready.json()).status).toBe("pass");
    // Metrics are never public by accident: without METRICS_TOKEN this port does not serve them.
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
  });

  it("runs the command line with node against the same database", async () => {
    const help = await run(process.execPath, [join(folder, "bin/redline.js"), "--help"], env());
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("publish");
    mkdirSync(join(folder, "data"), { recursive: true });
    const file = join(folder, "data", "privacy-2.md");
    writeFileSync(file, "# Privacy Policy\n\n## 1. Who we are\n\nWe are a small company in Lisbon.\n");
    const imported = await run(
      process.execPath,
      [join(folder, "bin/redline.js"), "import", "privacy", file],
      env(),
    );
    expect(imported.stderr).toBe("privacy (en): draft version 2 created\n");
    expect(imported.stdout.trim()).toBe("2");
    const published = await run(
      process.execPath,
      [join(folder, "bin/redline.js"), "publish", "privacy", "--format", "json"],
      env(),
    );
    expect(published.code).toBe(0);
    expect(JSON.parse(published.stdout)).toMatchObject({ slug: "privacy", version: 2 });
    const current = await (await fetch(`${url}/api/v1/policies/privacy`)).json();
    expect(current.version).toBe(2);
    expect(current.text).toContain("small company in Lisbon");
  });
});
