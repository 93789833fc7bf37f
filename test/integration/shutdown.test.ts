/**
 * SIGTERM as a container orchestrator sends it: the server stops accepting, finishes what is in
 * flight, gives back email batches it has not sent, closes the database and exits 0 — no batch stays
 * leased to a process that is gone.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type MailServer, startMailServer } from "../../app/notify/mail-server.server";
import { rawSql } from "../support/raw-sql";
import { type RunningServer, redline, startServer } from "../support/server";

let mail: MailServer | undefined;
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  await mail?.close();
  server = undefined;
  mail = undefined;
});

/** Registers `count` subscribers and publishes a material change that emails all of them. */
async function publishToSubscribers(running: RunningServer, count: number): Promise<void> {
  const env = { DATABASE_URL: running.databaseUrl, NODE_ENV: "test", LOG_LEVEL: "warn" };
  const csv = join(running.directory, "subscribers.csv");
  writeFileSync(
    csv,
    ["externalId,email", ...Array.from({ length: count }, (_, i) => `user-${i},user-${i}@example.test`)].join(
      "\n",
    ),
  );
  expect((await redline(["subscribers", "import", csv], env)).code).toBe(0);
  const policy = join(running.directory, "privacy.md");
  writeFileSync(
    policy,
    `${readFileSync("content/privacy.md", "utf8")}\n\n## Payments\n\nWe now use Parcelpay.\n`,
  );
  expect((await redline(["import", "privacy", policy], env)).code).toBe(0);
  const published = await redline(
    ["publish", "privacy", "--material", "--summary", "We now use Parcelpay.", "--notify", "email"],
    env,
  );
  expect(published.code, published.stderr).toBe(0);
}

function batches(databaseUrl: string) {
  return rawSql<{ number: number; status: string; attempts: number; leaseOwner: string | null }>(
    databaseUrl,
    'SELECT number, status, attempts, lease_owner AS "leaseOwner" FROM delivery_batches ORDER BY number',
  );
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("shutting down on SIGTERM", () => {
  it("finishes the batch on the wire, records it, and exits 0 with no batch leased", async () => {
    mail = await startMailServer({ port: 0, ratePerSecond: null });
    // The provider accepts the batch, then answers only after a while: SIGTERM arrives in between.
    mail.injectFaults({ kind: "accept-then-delay", ms: 1500 });
    server = await startServer({ MAIL_TRANSPORT: "", RESEND_BASE_URL: mail.url });
    await publishToSubscribers(server, 3);
    await until(() => mail!.requests().length > 0, "the batch to reach the provider");

    const exit = server.signal("SIGTERM");
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(await batches(server.databaseUrl)).toEqual([
      { number: 1, status: "sent", attempts: 1, leaseOwner: null },
    ]);
    expect(mail.requests()).toHaveLength(1);
  });

  it("gives back a batch still waiting for its turn at the rate limit, unsent and not counted as an attempt", async () => {
    mail = await startMailServer({ port: 0, ratePerSecond: null });
    // One request every 20 s: the second batch waits at the rate limiter when SIGTERM arrives.
    server = await startServer({
      MAIL_TRANSPORT: "",
      RESEND_BASE_URL: mail.url,
      SEND_RATE_PER_SECOND: "0.05",
    });
    await publishToSubscribers(server, 150);
    await until(
      async () => (await batches(server!.databaseUrl)).some((b) => b.status === "sent"),
      "the first batch to be sent and recorded",
    );
    // Two dispatcher loops claim one batch each; whichever reaches the rate limiter second waits there.
    const waiting = async () => (await batches(server!.databaseUrl)).find((b) => b.status === "pending");
    await until(async () => (await waiting())?.leaseOwner != null, "the other batch to be claimed");
    const held = (await waiting())!.number;

    expect(await server.signal("SIGTERM")).toEqual({ code: 0, signal: null });
    expect(await batches(server.databaseUrl)).toEqual(
      [1, 2].map((number) =>
        number === held
          ? { number, status: "pending", attempts: 0, leaseOwner: null }
          : { number, status: "sent", attempts: 1, leaseOwner: null },
      ),
    );
    expect(mail.requests()).toHaveLength(1);
  });
});
