/**
 * Cold starts as people meet them: `npm run bench -- startup`.
 *
 * - the command line: `redline --help` and `redline diff-files` on the demo policy and an edited
 *   copy, each a fresh `node bin/redline.js` process (targets: --help well under 0.5 s, diff-files
 *   under 1 s);
 * - the server: a fresh process on an empty database (migrations, demo content, admin login) and on
 *   an existing one, until it listens, then the first request of the policy page (rendered, not
 *   cached) and of the sign-in page.
 *
 * Needs a build (`npm run build`). BENCH_RUNS overrides the number of runs (default 10 / 5).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLI = join(ROOT, "bin/redline.js");
const SERVER = join(ROOT, "build/server.js");
const RUNS = Number(process.env.BENCH_RUNS ?? 10);

export async function run(): Promise<void> {
  if (!existsSync(SERVER)) throw new Error("No build: run `npm run build` first.");
  const directory = mkdtempSync(join(tmpdir(), "redline-bench-startup-"));
  try {
    const edited = join(directory, "privacy-edited.md");
    writeFileSync(
      edited,
      readFileSync(join(ROOT, "content/privacy.md"), "utf8").replace(
        "We collect only the information we need",
        "We collect only the information we truly need, and we keep it for 30 days",
      ),
    );
    const rows: string[][] = [];
    const cli = (label: string, args: string[], target: number) => {
      const times = Array.from({ length: RUNS }, () => timeCommand(process.execPath, [CLI, ...args]));
      rows.push(row(label, times, target));
    };
    cli("redline --help", ["--help"], 500);
    cli("redline diff-files (demo policy)", ["diff-files", join(ROOT, "content/privacy.md"), edited], 1000);

    const serverRuns = Math.max(3, Math.ceil(RUNS / 2));
    const fresh: ServerStart[] = [];
    const existing: ServerStart[] = [];
    for (let i = 0; i < serverRuns; i++) {
      const databaseUrl = `file:${join(directory, `run-${i}`, "redline.db")}`;
      fresh.push(await startServer(databaseUrl));
      existing.push(await startServer(databaseUrl));
    }
    rows.push(
      row(
        "server, empty database: listening",
        fresh.map((s) => s.listening),
      ),
    );
    rows.push(
      row(
        "server, existing database: listening",
        existing.map((s) => s.listening),
      ),
    );
    rows.push(
      row(
        "  first GET /policies/privacy",
        existing.map((s) => s.firstPolicy),
      ),
    );
    rows.push(
      row(
        "  first GET /admin/login",
        existing.map((s) => s.firstSignIn),
      ),
    );
    printTable(["what", "median", "p90", "slowest", "target"], rows);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

type ServerStart = { listening: number; firstPolicy: number; firstSignIn: number };

/** Starts build/server.js, measures until it listens and its first answers, then stops it. */
async function startServer(databaseUrl: string): Promise<ServerStart> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [SERVER], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      SESSION_SECRET: "b".repeat(40),
      AUDIT_KEY: "k".repeat(40),
      MAIL_TRANSPORT: "capture",
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      DATABASE_URL: databaseUrl,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      let output = "";
      child.stdout?.on("data", (chunk) => {
        output += chunk;
        if (output.includes("Redline listening")) resolve();
      });
      child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
    });
    const listening = performance.now() - started;
    const firstPolicy = await timeRequest(`http://127.0.0.1:${port}/policies/privacy`);
    const firstSignIn = await timeRequest(`http://127.0.0.1:${port}/admin/login`);
    return { listening, firstPolicy, firstSignIn };
  } finally {
    await stop(child);
  }
}

function timeCommand(command: string, args: string[]): number {
  const started = performance.now();
  const result = spawnSync(command, args, { stdio: "ignore" });
  if (result.status !== 0) throw new Error(`${args.join(" ")} exited with ${result.status}`);
  return performance.now() - started;
}

async function timeRequest(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url);
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return performance.now() - started;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function row(label: string, times: number[], targetMs?: number): string[] {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const median = at(0.5);
  const target = targetMs === undefined ? "" : `< ${targetMs} ms: ${median < targetMs ? "ok" : "MISSED"}`;
  return [label, ms(median), ms(at(0.9)), ms(sorted[sorted.length - 1]), target];
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
}
