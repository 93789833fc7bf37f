import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "../../app/models/db.server";
import { getNoticeProgress, retryFailedDeliveries } from "../../app/models/notices.server";
import { eraseSubscriber } from "../../app/models/subscribers.server";
import { type MailServer, startMailServer } from "../../app/notify/mail-server.server";
import { first, rows } from "../../db/dialect";
import { deliveries, deliveryBatches, notices, subscribers } from "../../db/tables";
import {
  addSubscribers,
  emailTo,
  publishFirst,
  publishMaterial,
  receivedBy,
  testDispatcher,
} from "./notify-support";

let mail: MailServer;
beforeAll(async () => {
  mail = await startMailServer();
});
afterAll(() => mail.close());
beforeEach(() => mail.reset());

const noticeOf = async (versionId: number) =>
  (await first(db().select().from(notices).where(eq(notices.versionId, versionId))))!;
const deliveryStatuses = async (noticeId: number) =>
  Object.fromEntries(
    (
      await rows<{ status: string; n: number }>(
        db(),
        sql`SELECT status, CAST(count(*) AS INTEGER) AS n FROM deliveries WHERE notice_id = ${noticeId} AND channel = 'email' GROUP BY status`,
      )
    ).map((r) => [r.status, r.n]),
  );

describe("the dispatcher", () => {
  it("sends exactly one email to every targeted subscriber, in batches of at most 100", async () => {
    await publishFirst("exactly-once");
    const addresses = await addSubscribers("exactly-once", 250);
    const version = await publishMaterial("exactly-once", emailTo("exactly-once"));
    const stats = await testDispatcher(mail).drain();

    expect(receivedBy(mail, addresses)).toEqual(addresses.map(() => 1));
    const batches = mail.requests().filter((r) => r.outcome === "accepted");
    expect(batches.map((b) => b.emails).sort((a, b) => a - b)).toEqual([50, 100, 100]);
    expect(new Set(batches.map((b) => b.idempotencyKey)).size).toBe(3);
    const notice = await noticeOf(version.id);
    expect(batches.map((b) => b.idempotencyKey).sort()).toEqual(
      [1, 2, 3].map((n) => `notice-${notice.id}-batch-${n}`),
    );
    expect(await deliveryStatuses(notice.id)).toEqual({ sent: 250 });
    expect(stats.emailsSent).toBe(250);
  });

  it("records the provider's message id on every delivery and keeps no copy of the address", async () => {
    await publishFirst("ids");
    await addSubscribers("ids", 3);
    const version = await publishMaterial("ids", emailTo("ids"));
    await testDispatcher(mail).drain();
    const rows = await db()
      .select()
      .from(deliveries)
      .where(eq(deliveries.noticeId, (await noticeOf(version.id)).id));
    const captured = new Map(mail.messages().map((m) => [m.id, m.to[0]]));
    for (const row of rows) {
      expect(captured.get(row.providerMessageId!)).toBe(
        `ids-${row.subscriberId - rows[0].subscriberId}@example.test`,
      );
      expect(row.recipientEmail).toBeNull();
      expect(row.recipientName).toBeNull();
    }
  });

  it("renders the email from the notice: summary, effective date, redline and policy links, plain text", async () => {
    await publishFirst("content");
    await addSubscribers("content", 4);
    const version = await publishMaterial(
      "content",
      emailTo("content"),
      "We now use Parcelpay for payments.",
    );
    await testDispatcher(mail).drain();
    const english = mail.messages().find((m) => m.to[0] === "content-1@example.test")!;
    const german = mail.messages().find((m) => m.to[0] === "content-0@example.test")!;
    expect(english.subject).toBe("Changes to our Privacy Policy");
    expect(german.subject).toBe("Änderungen: Privacy Policy");
    expect(english.html).toContain("We now use Parcelpay for payments.");
    expect(english.html).toContain(
      `https://policies.example.test/policies/content/compare?from=${version.number - 1}&amp;to=${version.number}`,
    );
    expect(english.text).toContain(
      `https://policies.example.test/policies/content/versions/${version.number}`,
    );
    expect(english.text).toContain("We now use Parcelpay for payments.");
    // One date style (app/core/dates.ts): day, month, year in the reader's language.
    expect(english.text).toMatch(/take effect on \d{1,2} [A-Z][a-z]+ \d{4}/);
    expect(german.text).toMatch(/\d{1,2}\. [A-ZÄÖÜ][a-zäöü]+ \d{4}/);
    expect(german.html).toContain("Hallo Person 0,");
    expect(english.html).toContain("Hello,");
    expect(english.tags).toContainEqual({
      name: "redline_notice",
      value: String((await noticeOf(version.id)).id),
    });
  });

  it("skips subscribers erased or bounced before their batch goes out", async () => {
    await publishFirst("skips");
    const addresses = await addSubscribers("skips", 5);
    const version = await publishMaterial("skips", emailTo("skips"));
    await eraseSubscriber({ externalId: "skips-1", actor: { kind: "cli" } });
    await db().update(subscribers).set({ status: "bounced" }).where(eq(subscribers.externalId, "skips-2"));
    await testDispatcher(mail).drain();

    expect(receivedBy(mail, addresses)).toEqual([1, 0, 0, 1, 1]);
    const notice = await noticeOf(version.id);
    expect(await deliveryStatuses(notice.id)).toEqual({ sent: 3, skipped: 2 });
    const reasons = (
      await db()
        .select({ lastError: deliveries.lastError })
        .from(deliveries)
        .where(and(eq(deliveries.noticeId, notice.id), eq(deliveries.status, "skipped")))
    ).map((r) => r.lastError);
    expect(reasons.sort()).toEqual([
      "not sent: subscriber bounced before the batch went out",
      "not sent: subscriber erased before the batch went out",
    ]);
  });

  it("retries a 500 with the same key and body, and each subscriber still gets one email", async () => {
    await publishFirst("five-hundred");
    const addresses = await addSubscribers("five-hundred", 120);
    await publishMaterial("five-hundred", emailTo("five-hundred"));
    mail.injectFaults({ kind: "status", status: 500, times: 2 });
    const stats = await testDispatcher(mail, { concurrency: 1 }).drain();

    expect(receivedBy(mail, addresses)).toEqual(addresses.map(() => 1));
    const log = mail.requests();
    expect(log.filter((r) => r.status === 500)).toHaveLength(2);
    expect(stats.attemptsFailed).toBe(2);
  });

  it("waits out a 429's retry-after and loses nothing", async () => {
    await publishFirst("four-two-nine");
    const addresses = await addSubscribers("four-two-nine", 300);
    await publishMaterial("four-two-nine", emailTo("four-two-nine"));
    // The provider allows 1 request a second; we think we may send 50.
    mail.setRate(1);
    const stats = await testDispatcher(mail, { ratePerSecond: 50, concurrency: 1 }).drain();
    mail.setRate(null);

    expect(receivedBy(mail, addresses)).toEqual(addresses.map(() => 1));
    expect(stats.rateLimited).toBeGreaterThan(0);
    const accepted = mail.requests().filter((r) => r.outcome === "accepted");
    // After a 429 the next request came no earlier than retry-after (1 s) allowed.
    for (let i = 1; i < accepted.length; i++)
      expect(accepted[i].at - accepted[i - 1].at).toBeGreaterThanOrEqual(990);
  });

  it("abandons a hung request after the timeout and resends it under the same key", async () => {
    await publishFirst("hung");
    const addresses = await addSubscribers("hung", 20);
    await publishMaterial("hung", emailTo("hung"));
    mail.injectFaults({ kind: "hang" }, { kind: "accept-then-hang" });
    const stats = await testDispatcher(mail, { timeoutMs: 300, concurrency: 1 }).drain();

    expect(receivedBy(mail, addresses)).toEqual(addresses.map(() => 1));
    expect(stats.attemptsFailed).toBe(2);
    // The second hang had accepted the batch: the third request was answered from the idempotency cache.
    expect(mail.requests().map((r) => r.outcome)).toEqual(["fault", "accepted", "replayed"]);
  });

  it("gives up after MAX_SEND_ATTEMPTS, marks the deliveries failed with the reason, and can retry them", async () => {
    await publishFirst("gives-up");
    const addresses = await addSubscribers("gives-up", 10);
    const version = await publishMaterial("gives-up", emailTo("gives-up"));
    mail.injectFaults({ kind: "status", status: 503, times: 3 });
    await testDispatcher(mail, { maxAttempts: 3, concurrency: 1 }).drain();

    const notice = await noticeOf(version.id);
    expect(receivedBy(mail, addresses)).toEqual(addresses.map(() => 0));
    expect(await deliveryStatuses(notice.id)).toEqual({ failed: 10 });
    const failed = (await first(db().select().from(deliveries).where(eq(deliveries.noticeId, notice.id))))!;
    expect(failed.lastError).toMatch(/^gave up after 3 attempts: 503 internal_server_error/);
    expect(
      (await first(db().select().from(deliveryBatches).where(eq(deliveryBatches.noticeId, notice.id))))!
        .status,
    ).toBe("failed");

    expect(await retryFailedDeliveries({ noticeId: notice.id, actor: { kind: "cli" } })).toEqual({
      batches: 1,
      deliveries: 10,
    });
    await testDispatcher(mail).drain();
    expect(receivedBy(mail, addresses)).toEqual(addresses.map(() => 1));
    expect(mail.requests().at(-1)?.idempotencyKey).toBe(`notice-${notice.id}-batch-1-retry-1`);
  });

  it("fails a batch the provider refuses as invalid at once, without retrying", async () => {
    await publishFirst("refused");
    await addSubscribers("refused", 2);
    const version = await publishMaterial("refused", emailTo("refused"));
    mail.injectFaults({ kind: "status", status: 422 });
    await testDispatcher(mail).drain();
    const notice = await noticeOf(version.id);
    expect(await deliveryStatuses(notice.id)).toEqual({ failed: 2 });
    expect(mail.requests()).toHaveLength(1);
  });

  it("reports a notice's progress for the admin: counts, share resolved, rate and failing batches", async () => {
    await publishFirst("progress");
    await addSubscribers("progress", 150);
    const version = await publishMaterial("progress", emailTo("progress"));
    const notice = await noticeOf(version.id);
    expect((await getNoticeProgress(notice.id))?.email).toMatchObject({ total: 150, done: 0, percent: 0 });

    mail.injectFaults({ kind: "status", status: 422 });
    await testDispatcher(mail, { concurrency: 1 }).drain();
    const progress = (await getNoticeProgress(notice.id))!;
    expect(progress.email).toMatchObject({ total: 150, done: 150, percent: 100, etaSeconds: null });
    // The pace since the first email sent, not a minute's count over a whole minute (50 / 60 per s).
    expect(progress.email!.basis).toBe("measured");
    expect(progress.email!.ratePerSecond).toBeGreaterThan(50 / 60);
    expect(progress.email!.ratePerSecond).toBeLessThanOrEqual(2 * 100);
    expect(progress.batches).toEqual({ total: 2, pending: 0, sent: 1, failed: 1 });
    expect(progress.batchErrors).toEqual([
      expect.objectContaining({
        number: 1,
        status: "failed",
        lastError: expect.stringMatching(/^refused by the provider: 422/),
      }),
    ]);
  });
});
