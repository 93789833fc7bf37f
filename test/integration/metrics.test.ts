/**
 * GET /metrics against the real server: never public by accident (404 without configuration, 401
 * with a wrong token), a separate loopback listener with METRICS_PORT, requests named by route
 * pattern rather than URL, and the notification counters moving when a notice is actually sent.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type MailServer, startMailServer } from "../../app/notify/mail-server.server";
import {
  freePort,
  ROOT,
  type RunningServer,
  redline,
  run,
  SERVER_ENTRY,
  startServer,
  stopChild,
  untilPublicStateKnown,
} from "../support/server";

const TOKEN = "scrape-token-0123456789abcdef";

let server: RunningServer | undefined;
let mail: MailServer | undefined;
afterEach(async () => {
  await server?.stop();
  await mail?.close();
  server = undefined;
  mail = undefined;
});

type Sample = { name: string; labels: Record<string, string>; value: number };

/** Parses Prometheus text format (the sample lines; comments skipped). */
function parseExposition(text: string): Sample[] {
  return text
    .split("\n")
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, name, value]) => [name, value]),
      );
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

/** The value of one series (0 when it does not exist yet). */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.find(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted),
  );
  return found?.value ?? 0;
}

async function scrape(running: RunningServer): Promise<Sample[]> {
  const response = await fetch(`${running.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  expect(response.status).toBe(200);
  return parseExposition(await response.text());
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const current = await read();
    if (done(current)) return current;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("GET /metrics", () => {
  it("is not served on the public port without configuration", async () => {
    server = await startServer();
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toMatch(/redline_|process_cpu/);
  });

  it("refuses a missing or wrong bearer token and answers the right one in Prometheus text", async () => {
    server = await startServer({ METRICS_TOKEN: TOKEN });
    const missing = await fetch(`${server.url}/metrics`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer/);
    for (const wrong of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, TOKEN]) {
      const refused = await fetch(`${server.url}/metrics`, { headers: { Authorization: wrong } });
      expect(refused.status, wrong).toBe(401);
      expect(await refused.text()).not.toContain("redline_");
    }
    const allowed = await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(allowed.headers.get("cache-control")).toBe("no-store");
    const samples = parseExposition(await allowed.text());
    // prom-client's process metrics, beside Redline's own.
    expect(samples.some((sample) => sample.name === "process_cpu_user_seconds_total")).toBe(true);
    expect(samples.some((sample) => sample.name === "nodejs_eventloop_lag_seconds")).toBe(true);
  });

  it("serves METRICS_PORT on loopback and keeps the public port closed", async () => {
    const metricsPort = await freePort();
    server = await startServer({ METRICS_PORT: String(metricsPort) });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain("redline_emails_sent_total 0");
    expect((await fetch(`http://127.0.0.1:${metricsPort}/policies/privacy`)).status).toBe(404);
  });

  it("stops start-up with one line when METRICS_PORT is taken", async () => {
    server = await startServer();
    const taken = new URL(server.url).port;
    const second = await run(process.execPath, [SERVER_ENTRY], {
      NODE_ENV: "production",
      SESSION_SECRET: "s".repeat(40),
      MAIL_TRANSPORT: "capture",
      HOST: "127.0.0.1",
      PORT: String(await freePort()),
      PUBLIC_BASE_URL: "https://policies.example.com",
      DATABASE_URL: server.databaseUrl,
      METRICS_PORT: taken,
    });
    expect(second.code).toBe(1);
    expect(second.stderr.trim()).toBe(
      `Redline could not start: METRICS_PORT ${taken} on 127.0.0.1 is already in use: choose another METRICS_PORT`,
    );
  });

  it("names requests by route pattern, never by URL, and counts response-cache hits", async () => {
    server = await startServer({ METRICS_TOKEN: TOKEN });
    const paths = [
      "/policies/privacy",
      "/policies/privacy?utm_source=newsletter",
      "/policies/privacy/versions/1",
      "/policies/privacy/versions/1?utm_campaign=autumn",
      "/api/v1/policies/privacy/versions/1",
      "/favicon.ico",
      "/no-such-page",
      "/build/no-such-file.js",
    ];
    // PostgreSQL: the cache stores nothing until the server has read the public state (ADR 0017);
    // what waiting for it asks is counted apart, below.
    await untilPublicStateKnown(server.url, "privacy");
    const cacheBefore = await scrape(server);
    const cached = (samples: Sample[], result: "hit" | "miss") =>
      value(samples, "redline_response_cache_requests_total", { result }) -
      value(cacheBefore, "redline_response_cache_requests_total", { result });
    for (const path of paths) await (await fetch(`${server.url}${path}`)).arrayBuffer();

    const samples = await scrape(server);
    const requests = (route: string, status: string) =>
      value(samples, "redline_http_request_duration_seconds_count", { method: "GET", route, status });
    expect(requests("/policies/:slug", "200")).toBe(2);
    expect(requests("/policies/:slug/versions/:n", "200")).toBe(2);
    expect(requests("/api/v1/policies/:slug/versions/:n", "200")).toBe(1);
    expect(requests("static", "200")).toBe(1);
    expect(requests("static", "404")).toBe(1);
    expect(requests("unmatched", "404")).toBe(1);
    const routes = new Set(
      samples.filter((s) => s.name.startsWith("redline_http_request")).map((s) => s.labels.route),
    );
    expect([...routes].filter((route) => /privacy|utm|no-such|favicon|\?/.test(route))).toEqual([]);
    // The second visit of each public page (utm_source is ignored by the cache) was a replay.
    expect(cached(samples, "miss")).toBe(3);
    expect(cached(samples, "hit")).toBe(2);
  });

  it("moves the email, provider, outbox, acknowledgement and diff series when a notice goes out", async () => {
    mail = await startMailServer({ port: 0, ratePerSecond: null });
    // The provider first asks to slow down, then takes a while to accept: both show in the metrics.
    mail.injectFaults({ kind: "status", status: 429, times: 1 }, { kind: "delay", ms: 1500, times: 1 });
    server = await startServer({ METRICS_TOKEN: TOKEN, MAIL_TRANSPORT: "", RESEND_BASE_URL: mail.url });
    const running = server;
    const before = await scrape(running);
    expect(value(before, "redline_emails_sent_total")).toBe(0);

    const env = { DATABASE_URL: running.databaseUrl, NODE_ENV: "test", LOG_LEVEL: "warn" };
    const csv = join(running.directory, "subscribers.csv");
    writeFileSync(
      csv,
      "externalId,email\nuser-1,one@example.test\nuser-2,two@example.test\nuser-3,three@example.test\n",
    );
    expect((await redline(["subscribers", "import", csv], env)).code).toBe(0);
    const policy = join(running.directory, "privacy.md");
    writeFileSync(
      policy,
      `${readFileSync("content/privacy.md", "utf8")}\n\n## Payments\n\nWe now use Parcelpay.\n`,
    );
    expect((await redline(["import", "privacy", policy], env)).code).toBe(0);
    const published = await redline(
      [
        "publish",
        "privacy",
        "--material",
        "--summary",
        "We now use Parcelpay.",
        "--notify",
        "email,dashboard",
      ],
      env,
    );
    expect(published.code, published.stderr).toBe(0);

    // After the 429, while the provider holds the second request, the batch shows as sending.
    const sending = await until(
      () => scrape(running),
      (samples) =>
        value(samples, "redline_provider_rate_limited_total") === 1 &&
        value(samples, "redline_outbox_batches", { status: "sending" }) === 1,
      "the batch to be on the wire after a 429",
    );
    expect(value(sending, "redline_emails_sent_total")).toBe(0);

    const sent = await until(
      () => scrape(running),
      (samples) => value(samples, "redline_emails_sent_total") === 3,
      "the emails to be recorded as sent",
    );
    expect(value(sent, "redline_outbox_batches", { status: "sending" })).toBe(0);
    expect(value(sent, "redline_outbox_batches", { status: "pending" })).toBe(0);
    expect(value(sent, "redline_outbox_oldest_due_seconds")).toBe(0);
    expect(value(sent, "redline_emails_failed_total")).toBe(0);
    expect(value(sent, "redline_provider_request_duration_seconds_count", { outcome: "rate_limited" })).toBe(
      1,
    );
    expect(value(sent, "redline_provider_request_duration_seconds_count", { outcome: "sent" })).toBe(1);
    expect(mail.messages()).toHaveLength(3);

    // A subscriber acknowledges through the product's backend; a repeat is not counted again.
    const key = await redline(["apikey", "create", "backend"], env);
    expect(key.code, key.stderr).toBe(0);
    const apiKey = key.stdout.trim();
    const headers = { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json" };
    const pending = await fetch(`${running.url}/api/v1/subscribers/user-1/notices`, { headers });
    expect(pending.status).toBe(200);
    const { notices } = (await pending.json()) as { notices: { id: number }[] };
    for (let i = 0; i < 2; i++) {
      const ack = await fetch(`${running.url}/api/v1/subscribers/user-1/notices/${notices[0].id}/ack`, {
        method: "POST",
        headers,
        body: "{}",
      });
      expect(ack.status).toBeLessThan(300);
    }
    // The redline between the two versions was stored when version 2 was published (ADR 0018):
    // readers are served from the store and compute nothing.
    for (let i = 0; i < 2; i++) {
      expect((await fetch(`${running.url}/policies/privacy/compare?from=1&to=2`)).status).toBe(200);
    }
    const after = await scrape(running);
    expect(value(after, "redline_acknowledgements_total", { channel: "api" })).toBe(1);
    expect(value(after, "redline_diff_duration_seconds_count", { view: "public" })).toBe(0);
    // Three commands and a provider that stalls: more than the default on a loaded two-core machine.
  }, 90_000);

  it("is served by `redline worker` on METRICS_PORT", async () => {
    mail = await startMailServer({ port: 0, ratePerSecond: null });
    const directory = mkdtempSync(join(tmpdir(), "redline-worker-"));
    const metricsPort = await freePort();
    const worker = spawn(process.execPath, [join(ROOT, "bin/redline.js"), "worker"], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: "test",
        LOG_LEVEL: "warn",
        DATABASE_URL: `file:${join(directory, "redline.db")}`,
        RESEND_BASE_URL: mail.url,
        METRICS_PORT: String(metricsPort),
        METRICS_TOKEN: TOKEN,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    worker.stderr.on("data", (chunk) => {
      output += chunk;
    });
    try {
      // Up to 30 s: a loaded two-core machine takes that long to start a process and migrate.
      for (let i = 0; i < 600 && !output.includes("metrics on"); i++) {
        if (worker.exitCode !== null) throw new Error(`the worker exited:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(output).toContain(`metrics on http://127.0.0.1:${metricsPort}/metrics`);
      expect((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).status).toBe(401);
      const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, {
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
      const samples = parseExposition(await scraped.text());
      expect(value(samples, "redline_outbox_batches", { status: "pending" })).toBe(0);
      expect(samples.some((sample) => sample.name === "process_resident_memory_bytes")).toBe(true);
    } finally {
      await stopChild(worker);
      rmSync(directory, { recursive: true, force: true });
    }
  }, 60_000);
});
