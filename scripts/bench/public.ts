/**
 * Public site benchmark: `npm run bench -- public`. Starts the real server (production mode, a
 * temporary database seeded with the demo policy plus a second version), then loads the policy page
 * and a version URL with autocannon (50 connections, 10 s each) and does the same against the very
 * same HTML served as static files by nginx when it is installed, else by a minimal node:http server.
 *
 * Targets (issue 5): at least a quarter of the static server's requests/s, p99 under 20 ms.
 * A third run per URL sends a cookie, which the response cache never answers: the cost of rendering
 * every request through Remix, i.e. the figures without the cache. BENCH_SECONDS and
 * BENCH_CONNECTIONS override the defaults for a quick look.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((path) => existsSync(path));

type Figures = { requestsPerSecond: number; p99: number; errors: number; non2xx: number };

export async function run(): Promise<void> {
  if (!existsSync(join(ROOT, "build/server.js"))) throw new Error("No build: run `npm run build` first.");
  const directory = mkdtempSync(join(tmpdir(), "redline-bench-"));
  const children: ChildProcess[] = [];
  try {
    const databaseUrl = `file:${join(directory, "redline.db")}`;
    const app = await startChild(
      process.execPath,
      [join(ROOT, "build/server.js")],
      {
        NODE_ENV: "production",
        SESSION_SECRET: "b".repeat(40),
        AUDIT_KEY: "k".repeat(40),
        MAIL_TRANSPORT: "capture",
        PUBLIC_BASE_URL: "http://127.0.0.1",
        PORT: "0",
        HOST: "127.0.0.1",
        LOG_LEVEL: "warn",
        DATABASE_URL: databaseUrl,
      },
      /Redline listening on (http:\/\/\S+)/,
    );
    children.push(app.child);
    const appUrl = app.url.replace("localhost", "127.0.0.1");
    publishSecondVersion(directory, databaseUrl);

    const paths = ["/policies/privacy", "/policies/privacy/versions/1"];
    const staticRoot = join(directory, "static");
    for (const path of paths) {
      const response = await fetch(appUrl + path);
      if (!response.ok) throw new Error(`${path} answered ${response.status}`);
      const file = join(staticRoot, path, "index.html");
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, await response.text());
    }

    const staticServer = NGINX ? await startNginx(directory, staticRoot) : await startNodeStatic(staticRoot);
    children.push(staticServer.child);

    console.log(
      `autocannon: ${CONNECTIONS} connections, ${SECONDS} s per run; static server: ${staticServer.name}\n`,
    );
    const rows: string[][] = [];
    let pass = true;
    for (const path of paths) {
      // Warm both servers (JIT, caches) before measuring.
      await load(appUrl + path, 2);
      await load(staticServer.url + path, 2);
      const redline = await load(appUrl + path, SECONDS);
      // A cookie makes the response cache step aside: every request is rendered by Remix, as before it.
      const rendered = await load(appUrl + path, SECONDS, { cookie: "bench=uncached" });
      const baseline = await load(staticServer.url + path, SECONDS);
      const share = (figures: Figures) => figures.requestsPerSecond / baseline.requestsPerSecond;
      const ok = share(redline) >= 0.25 && redline.p99 < 20 && redline.errors + redline.non2xx === 0;
      pass &&= ok;
      const row = (server: string, figures: Figures, target: string) => [
        path,
        server,
        fmt(figures.requestsPerSecond),
        `${figures.p99} ms`,
        errors(figures),
        `${(share(figures) * 100).toFixed(0)}%`,
        target,
      ];
      rows.push(
        row("redline", redline, ok ? "ok" : "MISSED"),
        row("redline, cache bypassed", rendered, ""),
        row(staticServer.name, baseline, ""),
      );
    }
    printTable(["URL", "server", "requests/s", "p99", "errors", "of static", "target"], rows);
    console.log(
      `\nTarget: ≥ 25% of the static server's requests/s and p99 < 20 ms — ${pass ? "met" : "NOT met"}.`,
    );
  } finally {
    for (const child of children) child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 300));
    rmSync(directory, { recursive: true, force: true });
  }
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en");
}

function errors(figures: Figures): string {
  return String(figures.errors + figures.non2xx);
}

async function load(url: string, seconds: number, headers: Record<string, string> = {}): Promise<Figures> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers });
  return {
    requestsPerSecond: result.requests.average,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** Imports and publishes a second version with the command line, so the archive has history. */
function publishSecondVersion(directory: string, databaseUrl: string): void {
  const file = join(directory, "privacy-2.md");
  writeFileSync(
    file,
    readFileSync(join(ROOT, "content/privacy.md"), "utf8").replace(
      "We collect only the information we need",
      "We collect only the information we truly need",
    ),
  );
  const env = { ...process.env, DATABASE_URL: databaseUrl };
  const cli = join(ROOT, "bin/redline.js");
  execFileSync(process.execPath, [cli, "import", "privacy", file], { env, stdio: "ignore" });
  execFileSync(process.execPath, [cli, "publish", "privacy", "--summary", "Clearer wording."], {
    env,
    stdio: "ignore",
  });
}

function startChild(
  command: string,
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} did not start:\n${output}`)), 30_000);
    const check = (chunk: Buffer) => {
      output += chunk;
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    };
    child.stdout?.on("data", check);
    child.stderr?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}:\n${output}`));
    });
  });
}

/** The same files served by nginx (Debian package), one worker per core, no access log. */
async function startNginx(directory: string, staticRoot: string) {
  const port = await freePort();
  const conf = join(directory, "nginx.conf");
  writeFileSync(
    conf,
    `daemon off;
worker_processes auto;
pid ${join(directory, "nginx.pid")};
error_log ${join(directory, "nginx-error.log")} warn;
events { worker_connections 1024; }
http {
  access_log off;
  default_type text/html;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path ${directory};
  proxy_temp_path ${directory};
  fastcgi_temp_path ${directory};
  uwsgi_temp_path ${directory};
  scgi_temp_path ${directory};
  server {
    listen 127.0.0.1:${port};
    root ${staticRoot};
    location / { try_files $uri $uri/index.html =404; }
  }
}
`,
  );
  const child = spawn(NGINX!, ["-c", conf, "-p", directory], { stdio: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilServing(`${url}/policies/privacy`);
  return { child, url, name: "nginx" };
}

/** Fallback: a minimal node:http server answering from memory, in its own process. */
async function startNodeStatic(staticRoot: string) {
  const source = `
    const http = require("node:http"), fs = require("node:fs"), path = require("node:path");
    const root = ${JSON.stringify(staticRoot)}; const cache = new Map();
    const server = http.createServer((req, res) => {
      const file = path.join(root, decodeURIComponent(new URL(req.url, "http://x").pathname), "index.html");
      if (!file.startsWith(root)) { res.writeHead(400); return res.end(); }
      let body = cache.get(file);
      if (!body) { try { body = fs.readFileSync(file); cache.set(file, body); } catch { res.writeHead(404); return res.end(); } }
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Content-Length": body.length });
      res.end(body);
    });
    server.listen(0, "127.0.0.1", () => console.log("static listening on http://127.0.0.1:" + server.address().port));
  `;
  const { child, url } = await startChild(process.execPath, ["-e", source], {}, /static listening on (\S+)/);
  return { child, url, name: "node:http" };
}

async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilServing(url: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} did not answer`);
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const row of rows) console.log(line(row));
}
