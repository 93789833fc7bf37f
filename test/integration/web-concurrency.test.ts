/**
 * WEB_CONCURRENCY (server/cluster.ts, ADR 0017): several web processes behind one port, one
 * database. Each request may land on any of them; what a person or an operator sees must not depend
 * on which.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MailServer, startMailServer } from "../../app/notify/mail-server.server";
import { type RunningServer, startServer } from "../support/server";

const TOKEN = "metrics-token-for-tests-0123456789";
let mail: MailServer;
let server: RunningServer;

/** One request on a connection of its own, so the primary hands it to the next process in turn. */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { ...headers, Connection: "close" } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

function counted(exposition: string, route: string): number {
  let total = 0;
  for (const line of exposition.split("\n")) {
    if (
      line.startsWith("redline_http_request_duration_seconds_count{") &&
      line.includes(`route="${route}"`)
    ) {
      total += Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return total;
}

beforeAll(async () => {
  mail = await startMailServer({ port: 0, ratePerSecond: null });
  server = await startServer({
    WEB_CONCURRENCY: "3",
    METRICS_TOKEN: TOKEN,
    MAIL_TRANSPORT: "",
    RESEND_BASE_URL: mail.url,
  });
  // The first process listens before the others start (it alone migrates and seeds).
  for (let i = 0; i < 300 && (server.output().match(/Redline listening on/g) ?? []).length < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(server.output().match(/Redline listening on/g)).toHaveLength(3);
});

afterAll(async () => {
  await server?.stop();
  await mail?.close();
});

describe("several web processes on one port", () => {
  it("serves from every process and sums every process's metrics in one scrape", async () => {
    const before = await get(`${server.url}/metrics`, { Authorization: `Bearer ${TOKEN}` });
    expect(before.status).toBe(200);
    const already = counted(before.body, "/healthz");
    for (let i = 0; i < 30; i++) expect((await get(`${server.url}/healthz`)).status).toBe(200);
    const after = await get(`${server.url}/metrics`, { Authorization: `Bearer ${TOKEN}` });
    // Whichever process answered the scrape, it reports the requests all three served.
    expect(counted(after.body, "/healthz") - already).toBe(30);
    expect(after.body).toMatch(/redline_outbox_batches\{status="pending"\} 0/);
  });

  it("says why it will not start several processes with the bundled capture mail server", async () => {
    await expect(startServer({ WEB_CONCURRENCY: "2" })).rejects.toThrow(/WEB_CONCURRENCY above 1 needs/);
    await expect(startServer({ WEB_CONCURRENCY: "many", RESEND_BASE_URL: mail.url })).rejects.toThrow(
      /WEB_CONCURRENCY must be a whole number/,
    );
  });

  it("stops every process on SIGTERM and exits cleanly", async () => {
    const ended = await server.signal("SIGTERM");
    expect(ended, server.output()).toEqual({ code: 0, signal: null });
  });
});
