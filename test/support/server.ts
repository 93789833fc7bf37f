import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createPostgresDatabase, TEST_ENGINE } from "./databases";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export type RunningServer = {
  url: string;
  databaseUrl: string;
  directory: string;
  /** The server process, e.g. to read its memory from /proc/<pid>/status. */
  pid: number;
  output: () => string;
  /** Sends a signal and resolves with how the process ended. */
  signal: (signal: NodeJS.Signals) => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop: () => Promise<void>;
};

/** The compiled server, as `npm start` runs it. */
export const SERVER_ENTRY = join(ROOT, "build/server.js");

/**
 * Starts the real server (build/server.js, as `npm start` runs it) on a free port with its own
 * directory (DATA_DIR, and the SQLite file), and resolves once it listens. Needs a build (`npm run build`).
 */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const directory = mkdtempSync(join(tmpdir(), "redline-server-"));
  // Its own database unless the test names one: a file in its folder, or a PostgreSQL database.
  const postgres = !env.DATABASE_URL && TEST_ENGINE === "postgres" ? await createPostgresDatabase() : null;
  const databaseUrl = env.DATABASE_URL ?? postgres?.url ?? `file:${join(directory, "redline.db")}`;
  // Production requires PUBLIC_BASE_URL: name the port up front so links in pages and emails are real.
  const port = env.PORT && env.PORT !== "0" ? Number(env.PORT) : await freePort();
  // BENCH_PROFILE=dir: the server writes a CPU profile there when it stops (benchmarks).
  const profile = process.env.BENCH_PROFILE
    ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_PROFILE]
    : [];
  const child = spawn(process.execPath, [...profile, SERVER_ENTRY], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      SESSION_SECRET: "s".repeat(40),
      AUDIT_KEY: "a".repeat(40),
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      MAIL_TRANSPORT: "capture",
      DATABASE_URL: databaseUrl,
      // Its own folder for generated secrets and the first admin's login, on either engine.
      DATA_DIR: directory,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const check = () => {
      const match = /Redline listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1].replace("localhost", "127.0.0.1"));
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    databaseUrl,
    directory,
    pid: child.pid!,
    output: () => output,
    signal: (signal) =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null)
          return resolve({ code: child.exitCode, signal: child.signalCode });
        child.once("exit", (code, received) => resolve({ code, signal: received }));
        child.kill(signal);
      }),
    stop: async () => {
      await stopChild(child);
      rmSync(directory, { recursive: true, force: true });
      await postgres?.drop();
    },
  };
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

/** Runs a command to completion and collects its output. */
export function run(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The redline command line as a user runs it (`npx redline …`). */
export function redline(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, [join(ROOT, "bin/redline.js"), ...args], env);
}

/**
 * On PostgreSQL a server learns the public state from a notification listener and reads it in the
 * background (ADR 0017): until then its response cache answers without storing (no x-cache). A test
 * that expects its first page to be a "miss" first waits, on another public answer of the policy, until the state
 * is known. Nothing to wait for on SQLite.
 */
export async function untilPublicStateKnown(url: string, slug: string): Promise<void> {
  if (TEST_ENGINE !== "postgres") return;
  for (let i = 0; i < 100; i++) {
    const answer = await fetch(`${url}/api/v1/policies/${slug}/versions`);
    await answer.arrayBuffer();
    if (answer.headers.get("x-cache")) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the server's response cache never learned the public state");
}
