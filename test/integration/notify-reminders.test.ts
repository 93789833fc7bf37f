/**
 * Reminders of a notice that requires acknowledgement (issue 16, item 4): after N days, at most M
 * times, only to those still pending, through the same outbox. Time is the scheduler's `now`, so a
 * test moves days ahead without waiting for them.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { acknowledgeNotice, pendingNoticesFor } from "../../app/models/acknowledgements.server";
import { verifyAuditLog } from "../../app/models/audit.server";
import { db } from "../../app/models/db.server";
import { emailAckTarget } from "../../app/models/email-acknowledgements.server";
import { getNoticeProgress } from "../../app/models/notices.server";
import { formatProofLedger, getProofLedger } from "../../app/models/proof.server";
import { enqueueDueReminders } from "../../app/models/reminders.server";
import { acknowledgementCsv } from "../../app/notify/acknowledgement-csv.server";
import { type MailServer, startMailServer } from "../../app/notify/mail-server.server";
import { first, rows } from "../../db/dialect";
import { auditLog, notices } from "../../db/tables";
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

const DAY = 86_400_000;

/** The notice a publication made (not one of its reminder rounds). */
const noticeOf = async (versionId: number) =>
  (await first(
    db()
      .select()
      .from(notices)
      .where(and(eq(notices.versionId, versionId), isNull(notices.reminderOf))),
  ))!;

/** The rounds enqueued at `now` for one notice (the file's other notices have their own schedules). */
const remindersOf = async (noticeId: number, now: number) =>
  (await enqueueDueReminders({ now })).filter((q) => q.noticeId === noticeId);

const messagesTo = (address: string) => mail.messages().filter((m) => m.to.includes(address));

const reminderAudits = async (noticeId: number) =>
  (await db().select().from(auditLog).where(eq(auditLog.action, "notice.created"))).filter(
    (e) => e.details.reminderOf === noticeId,
  );

/** Publishes a notice that requires acknowledgement to `count` subscribers and sends it. */
async function sentNotice(group: string, count: number, reminders = { afterDays: 3, times: 2 }) {
  await publishFirst(group);
  const addresses = await addSubscribers(group, count);
  const version = await publishMaterial(group, emailTo(group, { requireAck: true, reminders }));
  await testDispatcher(mail).drain();
  const notice = await noticeOf(version.id);
  return { addresses, notice, version };
}

describe("reminders", () => {
  it("go after N days only to those still pending, once per round, in the reader's language with the acknowledgement link", async () => {
    const { addresses, notice } = await sentNotice("remind", 4);
    expect(receivedBy(mail, addresses)).toEqual([1, 1, 1, 1]);
    await acknowledgeNotice({ externalId: "remind-1", noticeId: notice.id, channel: "api" });
    const start = Date.parse(notice.createdAt);

    expect(await enqueueDueReminders({ now: start + 3 * DAY - 60_000 })).toEqual([]);
    const queued = await enqueueDueReminders({ now: start + 3 * DAY + 60_000 });
    expect(queued).toEqual([
      { noticeId: notice.id, reminderNoticeId: expect.any(Number), round: 1, emails: 3 },
    ]);
    // A second look at the same moment (another worker, a restart) finds the round already there.
    expect(await enqueueDueReminders({ now: start + 3 * DAY + 60_000 })).toEqual([]);
    await testDispatcher(mail).drain();

    // remind-1 acknowledged: one email; everyone else the notice and one reminder.
    expect(receivedBy(mail, addresses)).toEqual([2, 1, 2, 2]);
    const [german, english] = [messagesTo(addresses[0]).at(-1)!, messagesTo(addresses[2]).at(-1)!];
    expect(german.subject).toMatch(/^Erinnerung: /);
    expect(german.text).toContain("Dies ist eine Erinnerung.");
    expect(english.subject).toMatch(/^Reminder: Changes to our Privacy Policy$/);
    expect(english.text).toContain("This is a reminder.");
    expect(english.text).toMatch(/\/notices\/acknowledge\/[\w.-]+/);
    // Its own idempotency key: the reminder notice's batch.
    const round = queued[0].reminderNoticeId;
    expect(
      mail
        .requests()
        .filter((r) => r.outcome === "accepted")
        .map((r) => r.idempotencyKey),
    ).toEqual([`notice-${notice.id}-batch-1`, `notice-${round}-batch-1`]);

    // The reminder's link acknowledges the notice itself.
    const reminderDelivery = Number(english.tags.find((t) => t.name === "redline_delivery")!.value);
    expect((await emailAckTarget(reminderDelivery))?.noticeId).toBe(notice.id);

    // Audited, in the proof ledger and in the CSV; not a second notice on the dashboard.
    expect(await reminderAudits(notice.id)).toEqual([
      expect.objectContaining({
        details: expect.objectContaining({ noticeId: round, round: 1, emailDeliveries: 3 }),
      }),
    ]);
    const sentAudit = await db().select().from(auditLog).where(eq(auditLog.action, "delivery.sent"));
    expect(sentAudit.filter((e) => e.details.noticeId === round)).toHaveLength(1);
    const ledger = (await getProofLedger("remind-2"))!;
    expect(ledger.notices.map((n) => [n.noticeId, n.reminderOf, n.reminderRound])).toEqual([
      [notice.id, null, null],
      [round, notice.id, 1],
    ]);
    expect(ledger.notices[1].deliveries).toEqual([
      expect.objectContaining({ channel: "email", status: "sent", providerMessageId: expect.any(String) }),
    ]);
    expect(formatProofLedger(ledger).join("\n")).toContain(`reminder 1 of notice ${notice.id}`);
    expect((await getProofLedger("remind-1"))!.notices).toHaveLength(1);
    const csv = (await new Response(acknowledgementCsv({ noticeId: notice.id, filter: "all" })).text())
      .trim()
      .split("\r\n");
    expect(csv[0]).toMatch(/"remindersSent","lastReminderAt"$/);
    expect(csv.find((l) => l.startsWith('"remind-2"'))).toMatch(/"1","\d{4}-[^"]+"$/);
    expect(csv.find((l) => l.startsWith('"remind-1"'))).toMatch(/"0",""$/);
    expect((await pendingNoticesFor("remind-2"))!.map((n) => n.id)).not.toContain(round);

    // The notice page lists the round with the notice.
    const progress = (await getNoticeProgress(notice.id))!;
    expect(progress.reminders).toEqual({
      afterDays: 3,
      times: 2,
      rounds: [
        expect.objectContaining({ round: 1, noticeId: round, email: expect.objectContaining({ sent: 3 }) }),
      ],
    });
  });

  it("stop the moment a person acknowledges, even when the round was already queued, and after M rounds", async () => {
    const { addresses, notice } = await sentNotice("remind-stop", 3);
    const start = Date.parse(notice.createdAt);
    const [first] = await remindersOf(notice.id, start + 3 * DAY + 1000);
    await testDispatcher(mail).drain();
    expect(receivedBy(mail, addresses)).toEqual([2, 2, 2]);

    // The second round counts from the first: not due three days after the notice, but after the first.
    const firstAt = Date.parse(
      (await first_(sql`SELECT created_at AS "createdAt" FROM notices WHERE id = ${first.reminderNoticeId}`))
        .createdAt,
    );
    expect(await remindersOf(notice.id, firstAt + 3 * DAY - 1000)).toEqual([]);
    const [second] = await remindersOf(notice.id, firstAt + 3 * DAY + 1000);
    expect(second).toMatchObject({ round: 2, emails: 3 });
    // Acknowledged after the round was queued, before it went out: not reminded.
    await acknowledgeNotice({ externalId: "remind-stop-0", noticeId: notice.id, channel: "email" });
    await testDispatcher(mail).drain();
    expect(receivedBy(mail, addresses)).toEqual([2, 3, 3]);
    const skipped = await rows<{ status: string; lastError: string }>(
      db(),
      sql`SELECT d.status, d.last_error AS "lastError" FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
          WHERE d.notice_id = ${second.reminderNoticeId} AND s.external_id = 'remind-stop-0'`,
    );
    expect(skipped).toEqual([
      { status: "skipped", lastError: "not sent: acknowledged before the reminder went out" },
    ]);

    // Two rounds were asked for: there is no third.
    expect(await remindersOf(notice.id, start + 60 * DAY)).toEqual([]);
    expect(await reminderAudits(notice.id)).toHaveLength(2);
    // Every round, its deliveries and skips agree with their audit entries.
    expect((await verifyAuditLog({ proof: true })).problems).toEqual([]);
  });

  it("are enqueued once when several workers look at the same moment", async () => {
    const { addresses, notice } = await sentNotice("remind-race", 120, { afterDays: 1, times: 1 });
    const now = Date.parse(notice.createdAt) + DAY + 1000;
    const looks = await Promise.all(Array.from({ length: 5 }, () => remindersOf(notice.id, now)));
    expect(looks.flat()).toEqual([expect.objectContaining({ round: 1, emails: 120 })]);
    await testDispatcher(mail, { concurrency: 3 }).drain();
    expect(receivedBy(mail, addresses)).toEqual(addresses.map(() => 2));
  });

  it("are not sent for a version that is no longer in effect", async () => {
    const { notice } = await sentNotice("remind-old", 2);
    await publishMaterial("remind-old", emailTo("remind-old"));
    await testDispatcher(mail).drain();
    expect(await remindersOf(notice.id, Date.parse(notice.createdAt) + 30 * DAY)).toEqual([]);
  });

  it("are refused for a notice that does not require acknowledgement or is not sent by email", async () => {
    await publishFirst("remind-refused");
    await expect(
      publishMaterial("remind-refused", emailTo("remind-refused", { reminders: { afterDays: 3, times: 1 } })),
    ).rejects.toThrow(/require acknowledgement/);
    await expect(
      publishMaterial("remind-refused", {
        channels: ["dashboard"],
        requireAck: true,
        reminders: { afterDays: 3, times: 1 },
      }),
    ).rejects.toThrow(/email/);
  });
});

async function first_(query: ReturnType<typeof sql>) {
  return (await rows<{ createdAt: string }>(db(), query))[0];
}
