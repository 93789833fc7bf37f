/**
 * Several `redline worker` processes sending one notice at once (ADR 0025): they claim disjoint
 * batches, and every subscriber gets exactly one email — when one of them is SIGKILLed, and on
 * PostgreSQL when every database connection they hold is cut again and again in the middle of the
 * send (what a server restart or a failover does to them), and while another writer holds the
 * writers' lock, which claims no longer queue behind.
 */
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type MailServer, type RequestRecord, startMailServer } from "../../app/notify/mail-server.server";
import { TEST_ENGINE } from "../support/databases";
import {
  addSubscribers,
  emailTo,
  publishFirst,
  publishMaterial,
  receivedBy,
  workerProcesses,
} from "./notify-support";

let mail: MailServer;
const processes = workerProcesses(() => mail.url, { MAX_SEND_ATTEMPTS: "20" });
const worker = processes.start;
beforeAll(async () => {
  mail = await startMailServer();
});
afterAll(() => mail.close());
beforeEach(() => mail.reset());
afterEach(() => processes.killAll());

const accepted = (log: RequestRecord[]) => log.filter((r) => r.outcome === "accepted");

async function whenServer(condition: (log: RequestRecord[]) => boolean, timeout = 20_000) {
  await vi.waitFor(
    () => {
      if (!condition(mail.requests()))
        throw new Error(`the mail server saw ${mail.requests().length} requests`);
    },
    { timeout, interval: 5 },
  );
}

/** A connection of the test's own to its PostgreSQL database, outside the application's pool. */
async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  client.on("error", () => {});
  await client.connect();
  return client;
}

/** Resolves once every email batch in the database is recorded as sent. */
async function allBatchesSent(client: pg.Client) {
  await vi.waitFor(
    async () => {
      const { rows } = await client.query<{ open: number }>(
        "SELECT count(*)::int AS open FROM delivery_batches WHERE status <> 'sent'",
      );
      if (rows[0].open > 0) throw new Error(`${rows[0].open} batches not recorded as sent yet`);
    },
    { timeout: 50_000, interval: 100 },
  );
}

describe("several workers at once", () => {
  it("claim disjoint batches; one killed with SIGKILL mid-send: every subscriber still gets one email", async () => {
    await publishFirst("many-kill");
    const addresses = await addSubscribers("many-kill", 1500);
    await publishMaterial("many-kill", emailTo("many-kill"));
    mail.injectFaults({ kind: "accept-then-delay", ms: 30, times: 1000 });
    const workers = [0, 1, 2].map(() => worker(["--concurrency", "2"], { SEND_RATE_PER_SECOND: "30" }));
    await whenServer((log) => accepted(log).length >= 3);
    workers[0].child.kill("SIGKILL");
    await workers[0].exited;
    await vi.waitFor(
      () => {
        if (receivedBy(mail, addresses).some((n) => n === 0)) throw new Error("not everyone has mail yet");
      },
      { timeout: 50_000, interval: 50 },
    );
    const finisher = worker(["--once"]);
    expect(await finisher.exited, finisher.output()).toBe(0);

    expect(receivedBy(mail, addresses)).toEqual(addresses.map(() => 1));
    const keys = accepted(mail.requests()).map((r) => r.idempotencyKey);
    expect(new Set(keys).size).toBe(15);
    expect(keys).toHaveLength(15);
    for (const running of workers.slice(1)) expect(running.child.exitCode, running.output()).toBeNull();
  }, 90_000);
});

describe.skipIf(TEST_ENGINE !== "postgres")("on PostgreSQL", () => {
  it("claims and sends batches while another writer holds the writers' lock", async () => {
    await publishFirst("many-locked");
    const addresses = await addSubscribers("many-locked", 400);
    await publishMaterial("many-locked", emailTo("many-locked"));
    const blocker = await connect();
    try {
      await blocker.query("BEGIN");
      await blocker.query("SELECT pg_advisory_xact_lock(hashtext('redline.write'))");
      const running = worker(["--concurrency", "3"]);
      // Three batches claimed and on the wire at once, none of them recorded yet: recording appends
      // to the audit log, which waits for the lock.
      await whenServer((log) => new Set(accepted(log).map((r) => r.idempotencyKey)).size >= 3);
      await blocker.query("COMMIT");
      await allBatchesSent(blocker);
      running.child.kill("SIGTERM");
      expect(await running.exited, running.output()).toBe(0);
    } finally {
      await blocker.end();
    }
    expect(receivedBy(mail, addresses)).toEqual(addresses.map(() => 1));
  }, 90_000);

  it("survives its database connections being cut again and again mid-send: no email lost or sent twice", async () => {
    await publishFirst("many-cut");
    const addresses = await addSubscribers("many-cut", 2000);
    await publishMaterial("many-cut", emailTo("many-cut"));
    // Answers come 20 ms after acceptance, so cuts land both in the provider call and in the records.
    mail.injectFaults({ kind: "accept-then-delay", ms: 20, times: 1000 });
    const workers = [0, 1].map(() => worker(["--concurrency", "2"], { SEND_RATE_PER_SECOND: "10" }));
    const admin = await connect();
    const database = new URL(process.env.DATABASE_URL!).pathname.slice(1);
    let cuts = 0;
    try {
      await whenServer((log) => accepted(log).length >= 2);
      // What a restart of the server does to this database's clients: every connection dropped.
      for (let round = 0; round < 8; round++) {
        const { rowCount } = await admin.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
          [database],
        );
        cuts += rowCount ?? 0;
        await new Promise((resolve) => setTimeout(resolve, 150 + round * 20));
      }
      await allBatchesSent(admin);
    } finally {
      await admin.end();
    }
    expect(cuts).toBeGreaterThan(0);
    expect(receivedBy(mail, addresses)).toEqual(addresses.map(() => 1));
    expect(new Set(accepted(mail.requests()).map((r) => r.idempotencyKey)).size).toBe(20);
    // The workers reconnected and carried on: still running, and they stop cleanly when asked.
    for (const running of workers) {
      expect(running.child.exitCode, running.output()).toBeNull();
      running.child.kill("SIGTERM");
      expect(await running.exited, running.output()).toBe(0);
    }
  }, 90_000);
});
