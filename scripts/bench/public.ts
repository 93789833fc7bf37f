/**
 * Public site benchmark: `npm run bench -- public`. Starts the real server (production mode, a
 * temporary database seeded with the demo policy plus a second version) and nginx serving the very
 * same HTML as static files, precompressed the way the response cache compresses (gzip_static, and
 * brotli_static when Debian's libnginx-mod-http-brotli-static is installed). Then loads the policy
 * page and a version URL with wrk — a C load generator that needs a fraction of a core, unlike a
 * Node client on the same two cores — for each encoding: identity, gzip and br.
 *
 * Targets (issues 5 and 10): on a cache hit, compressed and not, at least a quarter of nginx's
 * requests/s for the same encoding (nginx with a worker per core), p99 under 20 ms. A second nginx
 * with one worker gives the comparison per core, since Redline's web process is one Node thread. The "cache bypassed" runs send a cookie, which
 * the response cache never answers: every request is rendered by Remix and compressed by the
 * compression middleware, i.e. the figures without the cache.
 *
 * Then the same pages from two web processes (WEB_CONCURRENCY=2 on one host, issue 13), each
 * with its own response cache on the one database.
 *
 * BENCH_SECONDS (default 10), BENCH_CONNECTIONS (50) and BENCH_THREADS (wrk threads, 1) override
 * the defaults. Needs wrk and nginx: `apt-get install -y wrk nginx`.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeVariants } from "../../server/compression";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const THREADS = Number(process.env.BENCH_THREADS ?? 1);
const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((path) => existsSync(path));
const WRK = ["/usr/bin/wrk", "/usr/local/bin/wrk"].find((path) => existsSync(path));
const BROTLI_MODULE = "/usr/lib/nginx/modules/ngx_http_brotli_static_module.so";

type Encoding = "identity" | "gzip" | "br";
const ENCODINGS: Encoding[] = ["identity", "gzip", "br"];
type Figures = { requestsPerSecond: number; p99: number; errors: number; load: number };

export async function run(): Promise<void> {
  if (!WRK || !NGINX) {
    console.log("The public benchmark needs wrk and nginx: apt-get install -y wrk nginx");
    process.exitCode = 1;
    return;
  }
  if (!existsSync(join(ROOT, "build/server.js"))) throw new Error("No build: run `npm run build` first.");
  const directory = mkdtempSync(join(tmpdir(), "redline-bench-"));
  const children: ChildProcess[] = [];
  try {
    const databaseUrl = `file:${join(directory, "redline.db")}`;
    const appEnv: Record<string, string> = {
      NODE_ENV: "production",
      SESSION_SECRET: "b".repeat(40),
      AUDIT_KEY: "k".repeat(40),
      MAIL_TRANSPORT: "capture",
      PUBLIC_BASE_URL: "http://127.0.0.1",
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      DATABASE_URL: databaseUrl,
    };
    const app = await startChild(
      process.execPath,
      [join(ROOT, "build/server.js")],
      appEnv,
      /Redline listening on (http:\/\/\S+)/,
    );
    children.push(app.child);
    const appUrl = app.url.replace("localhost", "127.0.0.1");
    publishSecondVersion(directory, databaseUrl);

    const paths = ["/policies/privacy", "/policies/privacy/versions/1"];
    const staticRoot = join(directory, "static");
    for (const path of paths) {
      const page = await get(appUrl + path);
      if (page.status !== 200) throw new Error(`${path} answered ${page.status}`);
      // nginx gets the bytes the response cache stores, compressed the same way.
      const variants = await encodeVariants(page.body);
      const file = join(staticRoot, path, "index.html");
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, page.body);
      if (variants.gzip) writeFileSync(`${file}.gz`, variants.gzip);
      if (variants.br) writeFileSync(`${file}.br`, variants.br);
    }
    const nginx = await startNginx(directory, staticRoot, "auto");
    children.push(nginx.child);
    // Redline's web process is one Node thread: one nginx worker shows the cost per core.
    const nginxOne = await startNginx(directory, staticRoot, 1);
    children.push(nginxOne.child);

    console.log(
      `wrk: ${THREADS} thread(s), ${CONNECTIONS} connections, ${SECONDS} s per run; nginx ${nginx.brotli ? "with" : "without"} brotli_static` +
        `${nginx.brotli ? "" : " (apt-get install -y libnginx-mod-http-brotli-static; br is compared with nginx's gzip)"}; ` +
        `load average before: ${loadavg()[0].toFixed(1)}\n`,
    );
    const rows: string[][] = [];
    let pass = true;
    for (const path of paths) {
      for (const encoding of ENCODINGS) {
        const headers: Record<string, string> =
          encoding === "identity" ? {} : { "Accept-Encoding": encoding };
        // nginx without the brotli module answers br requests as it can: the closest figure is its gzip.
        const nginxHeaders: Record<string, string> =
          encoding === "br" && !nginx.brotli ? { "Accept-Encoding": "gzip" } : headers;
        const hit = await expectAnswer(appUrl + path, headers, encoding, "hit");
        const file = await expectAnswer(
          nginx.url + path,
          nginxHeaders,
          nginxHeaders["Accept-Encoding"] ?? "identity",
        );
        await wrk(appUrl + path, 2, headers); // warm-up (JIT, connections)
        await wrk(nginx.url + path, 2, nginxHeaders);
        await wrk(nginxOne.url + path, 2, nginxHeaders);
        const redline = await wrk(appUrl + path, SECONDS, headers);
        const baseline = await wrk(nginx.url + path, SECONDS, nginxHeaders);
        const oneWorker = await wrk(nginxOne.url + path, SECONDS, nginxHeaders);
        const share = redline.requestsPerSecond / baseline.requestsPerSecond;
        const perCore = redline.requestsPerSecond / oneWorker.requestsPerSecond;
        const ok = share >= 0.25 && redline.p99 < 20 && redline.errors === 0;
        pass &&= ok;
        const coding = nginxHeaders["Accept-Encoding"] ?? "identity";
        rows.push(
          row(path, "redline, cache hit", encoding, hit, redline, [
            percent(share),
            percent(perCore),
            ok ? "ok" : "MISSED",
          ]),
          row(path, "nginx", coding, file, baseline, ["", "", ""]),
          row(path, "nginx, 1 worker", coding, file, oneWorker, ["", "", ""]),
        );
      }
    }
    // Two web processes on one host (WEB_CONCURRENCY=2, node:cluster, ADR 0017) on the same
    // database: each has its own response cache, validated by the database's public state.
    const pair = await startChild(
      process.execPath,
      [join(ROOT, "build/server.js")],
      { ...appEnv, WEB_CONCURRENCY: "2", MAIL_TRANSPORT: "", RESEND_BASE_URL: "http://127.0.0.1:9" },
      /Redline listening on (http:\/\/\S+)/,
    );
    children.push(pair.child);
    const pairUrl = pair.url.replace("localhost", "127.0.0.1");
    for (const path of paths) {
      for (const encoding of ["identity", "br"] as const) {
        const headers: Record<string, string> = encoding === "identity" ? {} : { "Accept-Encoding": "br" };
        // Each process fills its own cache: ask until both have answered from it.
        await wrk(pairUrl + path, 2, headers);
        const hit = await expectAnswer(pairUrl + path, headers, encoding, "hit");
        const both = await wrk(pairUrl + path, SECONDS, headers);
        rows.push(row(path, "redline, 2 web processes, cache hit", encoding, hit, both, ["", "", ""]));
      }
    }
    pair.child.kill("SIGTERM");

    // Last: rendering leaves a larger heap behind (about 600 MB after 50 concurrent renders), and
    // hits measured after it cost a fifth more CPU (garbage collection).
    for (const path of paths) {
      for (const encoding of ["identity", "br"] as const) {
        // A cookie makes the response cache step aside: rendered by Remix, compressed per request.
        const headers = {
          Cookie: "bench=uncached",
          ...(encoding === "br" ? { "Accept-Encoding": "br" } : {}),
        };
        const answer = await expectAnswer(appUrl + path, headers, encoding, null);
        const rendered = await wrk(appUrl + path, SECONDS, headers);
        rows.push(row(path, "redline, cache bypassed", encoding, answer, rendered, ["", "", ""]));
      }
    }
    printTable(
      [
        "URL",
        "server",
        "encoding",
        "bytes",
        "requests/s",
        "p99",
        "errors",
        "load",
        "of nginx",
        "of 1 worker",
        "target",
      ],
      rows,
    );
    console.log(
      `\nTarget: on a cache hit, ≥ 25% of nginx's requests/s (all workers) for the same encoding and p99 < 20 ms — ${pass ? "met" : "NOT met"}.`,
    );
  } finally {
    for (const child of children) child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 300));
    rmSync(directory, { recursive: true, force: true });
  }
}

function row(
  path: string,
  server: string,
  encoding: string,
  answer: { body: Buffer },
  figures: Figures,
  verdict: [share: string, perCore: string, target: string],
): string[] {
  return [
    path,
    server,
    encoding,
    answer.body.length.toLocaleString("en"),
    Math.round(figures.requestsPerSecond).toLocaleString("en"),
    `${figures.p99.toFixed(1)} ms`,
    String(figures.errors),
    figures.load.toFixed(1),
    ...verdict,
  ];
}

function percent(share: number): string {
  return `${(share * 100).toFixed(0)}%`;
}

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer };

/** One raw request (no decoding), as wrk sends it. */
function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

/**
 * Checks that a configuration answers what its row claims (encoding, cache verdict) before it is
 * measured; a cache entry's compressed variants are made in the background, so it asks a few times.
 */
async function expectAnswer(
  url: string,
  headers: Record<string, string>,
  encoding: string,
  cache?: "hit" | null,
): Promise<Answer> {
  let answer: Answer | undefined;
  for (let attempt = 0; attempt < 50; attempt++) {
    answer = await get(url, headers);
    const coding = answer.headers["content-encoding"] ?? "identity";
    const verdict = answer.headers["x-cache"] ?? null;
    if (answer.status === 200 && coding === encoding && (cache === undefined || verdict === cache))
      return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `${url} with ${JSON.stringify(headers)} answered ${answer?.status} ${answer?.headers["content-encoding"] ?? "identity"} x-cache=${answer?.headers["x-cache"]}, not ${encoding}${cache ? ` ${cache}` : ""}`,
  );
}

/** Runs wrk and reads requests/s, the 99th percentile latency and errors from its report. */
async function wrk(url: string, seconds: number, headers: Record<string, string> = {}): Promise<Figures> {
  const args = [`-t${THREADS}`, `-c${CONNECTIONS}`, `-d${seconds}s`, "--latency", "--timeout", "5s"];
  for (const [name, value] of Object.entries(headers)) args.push("-H", `${name}: ${value}`);
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(WRK!, [...args, url], { stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout.on("data", (chunk) => {
      text += chunk;
    });
    child.stderr.on("data", (chunk) => {
      text += chunk;
    });
    child.once("exit", (code) =>
      code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}:\n${text}`)),
    );
  });
  const number = (pattern: RegExp) => Number(pattern.exec(output)?.[1] ?? Number.NaN);
  const p99 = /99%\s+([\d.]+)(us|ms|s)\b/.exec(output);
  if (!p99) throw new Error(`cannot read wrk's report:\n${output}`);
  const scale = { us: 0.001, ms: 1, s: 1000 }[p99[2] as "us" | "ms" | "s"];
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requestsPerSecond: number(/Requests\/sec:\s+([\d.]+)/),
    p99: Number(p99[1]) * scale,
    errors:
      (number(/Non-2xx or 3xx responses: (\d+)/) || 0) +
      (socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0),
    load: loadavg()[0],
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

/**
 * The same files served by nginx (Debian package), `workers` worker processes ("auto": one per
 * core), no access log, the precompressed .gz/.br files next to each page served as a CDN or a
 * tuned nginx would.
 */
async function startNginx(directory: string, staticRoot: string, workers: "auto" | number) {
  const port = await freePort();
  const brotli = existsSync(BROTLI_MODULE);
  const conf = join(directory, `nginx-${workers}.conf`);
  writeFileSync(
    conf,
    `daemon off;
${brotli ? `load_module ${BROTLI_MODULE};` : ""}
worker_processes ${workers};
pid ${join(directory, `nginx-${workers}.pid`)};
error_log ${join(directory, `nginx-${workers}-error.log`)} warn;
events { worker_connections 1024; }
http {
  access_log off;
  default_type text/html;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  gzip_static on;
  gzip_vary on;
  ${brotli ? "brotli_static on;" : ""}
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
  return { child, url, brotli };
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
