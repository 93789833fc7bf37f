/**
 * The request log as an operator reads it (LOG_LEVEL=info, JSON lines from pino): one line per
 * request with route pattern, status, duration, bytes and request id, and nothing that a log store
 * must not keep; errors as one line with the request id; refusals (404s) without a stack trace.
 */

import { afterEach, describe, expect, it } from "vitest";
import { rawSql } from "../support/raw-sql";
import { type RunningServer, startServer, untilPublicStateKnown } from "../support/server";

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

type LogLine = Record<string, unknown> & { level: number; msg: string };

/** The pino lines of the server's output (the banner and other plain lines skipped). */
function logLines(running: RunningServer): LogLine[] {
  return running
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as LogLine);
}

/** Waits for the request's line: it is written when the answer is complete, after the client has it. */
async function lineOf(running: RunningServer, requestId: string): Promise<LogLine> {
  for (let i = 0; i < 100; i++) {
    const line = logLines(running).find((entry) => entry.msg === "request" && entry.requestId === requestId);
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no request line for ${requestId}:\n${running.output()}`);
}

describe("the request log", () => {
  it("writes one line per request with route pattern, status, duration, bytes and request id", async () => {
    server = await startServer({ LOG_LEVEL: "info" });
    const secretCookie = "redline_session=cookie-value-that-must-not-be-logged";
    const page = await fetch(
      `${server.url}/policies/privacy?email=person%40example.test&token=query-secret`,
      {
        // Uncompressed, so that the body read here is the bytes the log counts as sent.
        headers: { Cookie: secretCookie, "User-Agent": "log-test", "Accept-Encoding": "identity" },
      },
    );
    const body = Buffer.from(await page.arrayBuffer());
    const requestId = page.headers.get("x-request-id")!;

    const line = await lineOf(server, requestId);
    expect(line).toEqual({
      level: 30,
      time: expect.any(Number),
      pid: expect.any(Number),
      hostname: expect.any(String),
      requestId,
      method: "GET",
      route: "/policies/:slug",
      status: 200,
      durationMs: expect.any(Number),
      bytes: body.length,
      client: expect.stringMatching(/^[\w-]{16}$/),
      msg: "request",
    });
    const text = JSON.stringify(line);
    for (const secret of [
      "cookie-value",
      "query-secret",
      "person",
      "example.test",
      "127.0.0.1",
      "log-test",
    ]) {
      expect(text).not.toContain(secret);
    }

    // A file, a made-up address and a redirect each get their line; one line per request.
    const others = await Promise.all(
      ["/favicon.ico", "/no-such-page", "/admin"].map((path) =>
        fetch(`${server!.url}${path}`, { redirect: "manual" }),
      ),
    );
    const lines = await Promise.all(
      others.map((answer) => lineOf(server!, answer.headers.get("x-request-id")!)),
    );
    expect(lines.map(({ route, status }) => ({ route, status }))).toEqual([
      { route: "static", status: 200 },
      { route: "unmatched", status: 404 },
      { route: "/admin", status: 302 },
    ]);
    // Answers replayed by the response cache (before Express runs) get their line too.
    const replays = [];
    await untilPublicStateKnown(server.url, "privacy");
    for (let i = 0; i < 2; i++) replays.push(await fetch(`${server.url}/policies/privacy/versions/1`));
    expect(replays.map((answer) => answer.headers.get("x-cache"))).toEqual(["miss", "hit"]);
    const hit = await lineOf(server, replays[1].headers.get("x-request-id")!);
    expect(hit).toMatchObject({
      route: "/policies/:slug/versions/:n",
      status: 200,
      bytes: Number(replays[1].headers.get("content-length")),
      client: expect.stringMatching(/^[\w-]{16}$/),
    });

    const ids = logLines(server)
      .filter((entry) => entry.msg === "request")
      .map((entry) => entry.requestId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("logs health checks at debug level only", async () => {
    server = await startServer({ LOG_LEVEL: "info" });
    const probe = await fetch(`${server.url}/readyz`);
    const page = await fetch(`${server.url}/healthz`);
    const after = await fetch(`${server.url}/policies/privacy`);
    await lineOf(server, after.headers.get("x-request-id")!);
    const ids = logLines(server).map((entry) => entry.requestId);
    expect(ids).not.toContain(probe.headers.get("x-request-id"));
    expect(ids).not.toContain(page.headers.get("x-request-id"));
  });

  it("logs a failing loader as one error line with the request id, and 404s without a stack", async () => {
    server = await startServer({ LOG_LEVEL: "info" });
    // Refusals: an unknown policy, an unknown asset, an unknown built file, a made-up page.
    for (const path of [
      "/policies/no-such-policy",
      "/logo-that-does-not-exist.png",
      "/build/missing.js",
      "/x/y",
    ]) {
      const answer = await fetch(`${server.url}${path}`);
      expect(answer.status, path).toBe(404);
      await lineOf(server, answer.headers.get("x-request-id")!);
    }
    expect(server.output()).not.toMatch(/\n\s+at |Error:|"level":50/);

    // The database breaks under the running server (a table gone): the page's loader fails.
    await rawSql(server.databaseUrl, "ALTER TABLE documents RENAME TO documents_gone");
    const failed = await fetch(`${server.url}/policies/privacy`);
    expect(failed.status).toBe(500);
    const requestId = failed.headers.get("x-request-id")!;
    expect(await failed.text()).not.toMatch(/documents|sqlite|\bat /i);

    const line = await lineOf(server, requestId);
    expect(line).toMatchObject({ route: "/policies/:slug", status: 500 });
    const errors = logLines(server).filter((entry) => entry.level >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ requestId, msg: "request failed", path: "/policies/privacy" });
    expect(JSON.stringify(errors[0].err)).toMatch(
      /no such table: documents|relation \\"documents\\" does not exist/,
    );
    // Everything the server wrote is JSON lines or its start-up banner: no stray stack on the console.
    expect(server.output()).not.toMatch(/^\s+at /m);
  });
});
