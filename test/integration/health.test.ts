/**
 * /healthz and /readyz: what a load balancer and the container's HEALTHCHECK see — against the
 * real server for the HTTP answers (a database behind the release, a probe during shutdown), and
 * in-process for a dispatcher that hangs on its provider.
 */

import { once } from "node:events";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { checkReadiness, OUTBOX_WARN_AFTER_S } from "../../app/health.server";
import { nextBatchDueAt } from "../../app/models/deliveries.server";
import { Dispatcher } from "../../app/notify/dispatcher.server";
import type { BatchSendResult } from "../../app/notify/provider.server";
import { describeMailTransport } from "../../app/notify/transport.server";
import { TEST_ENGINE } from "../support/databases";
import { migrationsTable, rawSql } from "../support/raw-sql";
import { type RunningServer, startServer } from "../support/server";
import { addSubscribers, publishMaterial } from "./notify-support";

const JOURNAL = JSON.parse(
  readFileSync(`db/${TEST_ENGINE === "postgres" ? "pg/" : ""}migrations/meta/_journal.json`, "utf8"),
) as {
  entries: unknown[];
};

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("health endpoints of the running server", () => {
  it("says the process is up and ready, check by check, revealing nothing sensitive", async () => {
    server = await startServer();
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get("cache-control")).toBe("no-store");
    expect(await health.json()).toEqual({ status: "pass", uptimeSeconds: expect.any(Number) });

    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    const text = await ready.text();
    expect(JSON.parse(text)).toEqual({
      status: "pass",
      checks: {
        database: { status: "pass" },
        migrations: { status: "pass", expected: JOURNAL.entries.length, missing: 0 },
        dispatcher: { status: "pass", heartbeatAgeSeconds: expect.any(Number), failAfterSeconds: 62 },
        outbox: { status: "pass", oldestDueBatchAgeSeconds: null, warnAfterSeconds: OUTBOX_WARN_AFTER_S },
        shutdown: { status: "pass" },
      },
    });
    expect(text).not.toContain(server.directory);
    expect(text).not.toMatch(/127\.0\.0\.1|redline\.db|capture|version/i);
  });

  it("answers 503 when the database lacks a migration of this release (a restored older backup)", async () => {
    server = await startServer();
    const table = migrationsTable(server.databaseUrl);
    await rawSql(
      server.databaseUrl,
      `DELETE FROM ${table} WHERE created_at = (SELECT max(created_at) FROM ${table})`,
    );

    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    const body = await ready.json();
    expect(body.status).toBe("fail");
    expect(body.checks.migrations).toEqual({
      status: "fail",
      expected: JOURNAL.entries.length,
      missing: 1,
      output: expect.stringMatching(/redline migrate/),
    });
    expect(body.checks.database).toEqual({ status: "pass" });
    // Liveness is a different question: the process itself is fine and must not be restarted in a loop.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it("answers 503 to a probe that arrives after SIGTERM, then finishes it and exits 0", async () => {
    // At info level the server says when it begins shutting down.
    server = await startServer({ LOG_LEVEL: "info" });
    const socket = connect(Number(new URL(server.url).port), "127.0.0.1");
    await once(socket, "connect");
    let answer = "";
    socket.on("data", (chunk) => {
      answer += chunk;
    });
    const closed = once(socket, "close");
    // A probe still arriving when SIGTERM comes: its connection is not idle, so the server waits for it.
    socket.write("GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    // The server has read those bytes once it answers a request sent after them on another
    // connection: its event loop takes ready sockets in turn, and the probe's was ready first.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const exit = server.signal("SIGTERM");
    await until(() => server!.output().includes("SIGTERM: finishing"), "the server to begin shutting down");
    socket.write("\r\n");
    await closed;

    expect(answer).toMatch(/^HTTP\/1\.1 503 /);
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    const body = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4));
    expect(body.status).toBe("fail");
    expect(body.checks.shutdown).toEqual({ status: "fail", output: "shutting down" });
    expect(await exit).toEqual({ code: 0, signal: null });
  });
});

describe("readiness of the email dispatcher", () => {
  it("fails once a dispatcher loop hangs on its provider longer than a lease, and recovers", async () => {
    await addSubscribers("hang", 2);
    await publishMaterial("hang-policy", { channels: ["email"], audience: { group: "hang" } });
    const answers: ((result: BatchSendResult) => void)[] = [];
    const over: BatchSendResult = { ok: false, failure: { kind: "permanent", reason: "test over" } };
    let answering = false;
    const dispatcher = new Dispatcher({
      // A provider that never answers on its own (as if its request timeout were missing) until the
      // test lets it: a batch whose lease ran out meanwhile may be claimed and sent again.
      provider: {
        sendBatch: () =>
          answering ? Promise.resolve(over) : new Promise((resolve) => answers.push(resolve)),
      },
      from: "Redline <notices@example.test>",
      baseUrl: "http://localhost",
      transport: describeMailTransport("resend-compatible", "http://provider.invalid"),
      ratePerSecond: null,
      maxAttempts: 3,
      // Long enough that a loaded machine (two test projects on two cores) does not look stuck.
      leaseMs: 1000,
      pollMs: 20,
    });
    expect((await checkReadiness({ dispatcher, shuttingDown: false })).checks.dispatcher).toEqual({
      status: "fail",
      output: "the email dispatcher is not running",
    });
    dispatcher.start();
    expect((await checkReadiness({ dispatcher, shuttingDown: false })).checks.dispatcher.status).toBe("pass");

    await until(
      async () =>
        (await checkReadiness({ dispatcher, shuttingDown: false })).checks.dispatcher.status === "fail",
      "a stale heartbeat",
    );
    const stuck = await checkReadiness({ dispatcher, shuttingDown: false });
    expect(stuck.checks.dispatcher).toMatchObject({
      status: "fail",
      failAfterSeconds: 1,
      output: "the email dispatcher has stopped polling",
    });
    expect(stuck.checks.dispatcher.heartbeatAgeSeconds).toBeGreaterThanOrEqual(1);

    // The provider answers at last: the loops poll again and the check passes.
    answering = true;
    for (const answer of answers) answer(over);
    await until(
      async () =>
        (await checkReadiness({ dispatcher, shuttingDown: false })).checks.dispatcher.status === "pass",
      "a fresh heartbeat",
    );
    await dispatcher.stop();
  });

  it("warns, without failing, when the oldest due email batch has waited past the threshold", async () => {
    await addSubscribers("backlog", 1);
    await publishMaterial("backlog-policy", { channels: ["email"], audience: { group: "backlog" } });
    const due = (await nextBatchDueAt())!;
    const alive = { heartbeat: () => ({ ageMs: 0, staleAfterMs: 62_000 }) };
    const soon = await checkReadiness({ dispatcher: alive, shuttingDown: false, now: due + 60_000 });
    expect(soon.status).toBe("pass");
    expect(soon.checks.outbox.oldestDueBatchAgeSeconds).toBe(60);

    const late = await checkReadiness({
      dispatcher: alive,
      shuttingDown: false,
      now: due + (OUTBOX_WARN_AFTER_S + 60) * 1000,
    });
    expect(late.status).toBe("warn");
    expect(late.checks.outbox).toMatchObject({
      status: "warn",
      oldestDueBatchAgeSeconds: OUTBOX_WARN_AFTER_S + 60,
    });
  });
});
