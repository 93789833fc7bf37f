/**
 * DELIVERY_LOG_RETENTION_DAYS: the worker pseudonymises delivery logs past their retention — free
 * texts that may quote an address go — and keeps what proves the notice: status, times, provider id.
 */
import { eq, inArray, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/models/db.server";
import { pseudonymiseDeliveryLogs } from "../../app/models/retention.server";
import { startMailServer } from "../../app/notify/mail-server.server";
import { execute } from "../../db/dialect";
import { deliveries, deliveryBatches, webhookEvents } from "../../db/tables";
import { backdate } from "../support/backdate";
import { redline } from "../support/server";
import { addSubscribers, publishFirst, publishMaterial, testDispatcher } from "./notify-support";
import { noticeOf } from "./proof-support";

const DAY = 24 * 3600_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();

/** A notice whose one batch failed permanently, its error quoting an address, `age` days ago. */
async function failedNotice(group: string, ageDays: number) {
  await publishFirst(group);
  await addSubscribers(group, 2);
  const version = await publishMaterial(group, { channels: ["email"], audience: { group } });
  const noticeId = await noticeOf(version.id);
  const mail = await startMailServer();
  mail.injectFaults({ kind: "status", status: 422, times: 1 });
  await testDispatcher(mail).drain();
  await mail.close();
  const at = daysAgo(ageDays);
  await backdate("deliveries", () =>
    execute(
      db(),
      sql`UPDATE deliveries SET status_at = ${at},
      last_error = 'Invalid \`to\` field: ' || ${`${group}-0@example.test`} WHERE notice_id = ${noticeId}`,
    ),
  );
  await execute(db(), sql`UPDATE delivery_batches SET updated_at = ${at} WHERE notice_id = ${noticeId}`);
  return noticeId;
}

/** A notice sent successfully `ageDays` ago. */
async function sentNotice(group: string, ageDays: number) {
  await publishFirst(group);
  await addSubscribers(group, 1);
  const version = await publishMaterial(group, { channels: ["email"], audience: { group } });
  const noticeId = await noticeOf(version.id);
  const mail = await startMailServer();
  await testDispatcher(mail).drain();
  await mail.close();
  await backdate("deliveries", () =>
    execute(
      db(),
      sql`UPDATE deliveries SET status_at = ${daysAgo(ageDays)}, sent_at = ${daysAgo(ageDays)},
      recipient_locale = 'en' WHERE notice_id = ${noticeId}`,
    ),
  );
  return noticeId;
}

const rowsOf = async (noticeId: number) =>
  await db()
    .select({
      status: deliveries.status,
      lastError: deliveries.lastError,
      providerMessageId: deliveries.providerMessageId,
      sentAt: deliveries.sentAt,
      statusAt: deliveries.statusAt,
      recipientLocale: deliveries.recipientLocale,
    })
    .from(deliveries)
    .where(eq(deliveries.noticeId, noticeId))
    .orderBy(deliveries.id);

let oldFailed: number;
let recentFailed: number;
let oldSent: number;
beforeAll(async () => {
  oldFailed = await failedNotice("retention-old", 120);
  recentFailed = await failedNotice("retention-recent", 10);
  oldSent = await sentNotice("retention-sent", 200);
  await execute(
    db(),
    sql`INSERT INTO webhook_events (svix_id, type, provider_message_id, received_at)
    VALUES ('msg_old', 'email.delivered', 'x', ${daysAgo(100)}), ('msg_new', 'email.delivered', 'y', ${daysAgo(1)})`,
  );
});

describe("delivery log retention", () => {
  it("blanks error texts and copies older than the retention period and keeps status, times and provider ids", async () => {
    const oldBefore = await rowsOf(oldFailed);
    const sentBefore = await rowsOf(oldSent);
    const recentBefore = await rowsOf(recentFailed);
    expect(oldBefore.every((r) => r.lastError?.includes("@example.test"))).toBe(true);

    const result = await pseudonymiseDeliveryLogs({ days: 90 });
    expect(result.deliveries).toBe(3);

    expect(await rowsOf(oldFailed)).toEqual(
      oldBefore.map((r) => ({ ...r, lastError: null, recipientLocale: null })),
    );
    expect(await rowsOf(oldSent)).toEqual(sentBefore.map((r) => ({ ...r, recipientLocale: null })));
    expect((await rowsOf(oldSent))[0].providerMessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await rowsOf(recentFailed)).toEqual(recentBefore);
    const batchErrors = await db()
      .select({ noticeId: deliveryBatches.noticeId, lastError: deliveryBatches.lastError })
      .from(deliveryBatches)
      .where(inArray(deliveryBatches.noticeId, [oldFailed, recentFailed]));
    expect(batchErrors.find((b) => b.noticeId === oldFailed)?.lastError).toBeNull();
    expect(batchErrors.find((b) => b.noticeId === recentFailed)?.lastError).toMatch(/422/);
    expect((await db().select({ id: webhookEvents.svixId }).from(webhookEvents)).map((e) => e.id)).toContain(
      "msg_new",
    );
    expect(
      (await db().select({ id: webhookEvents.svixId }).from(webhookEvents)).map((e) => e.id),
    ).not.toContain("msg_old");
    // Running again changes nothing.
    expect(await pseudonymiseDeliveryLogs({ days: 90 })).toMatchObject({
      deliveries: 0,
      batches: 0,
      webhookEvents: 0,
    });
  });

  it("is run by the worker with DELIVERY_LOG_RETENTION_DAYS", async () => {
    const noticeId = await failedNotice("retention-worker", 40);
    expect((await rowsOf(noticeId)).every((r) => r.lastError !== null)).toBe(true);
    // The in-process dispatcher with a retention setting…
    await testDispatcher(await startMailServer(), { retentionDays: 60 }).drain();
    expect((await rowsOf(noticeId)).every((r) => r.lastError !== null)).toBe(true);
    // …and `redline worker --once`, reading the setting from the environment.
    const mail = await startMailServer();
    const worker = await redline(["worker", "--once"], {
      DATABASE_URL: process.env.DATABASE_URL!,
      DELIVERY_LOG_RETENTION_DAYS: "30",
      RESEND_BASE_URL: mail.url,
      LOG_LEVEL: "warn",
    });
    await mail.close();
    expect(worker.code, worker.stderr).toBe(0);
    expect((await rowsOf(noticeId)).map((r) => r.lastError)).toEqual([null, null]);
    expect((await rowsOf(noticeId)).map((r) => r.status)).toEqual(["failed", "failed"]);
  });
});
