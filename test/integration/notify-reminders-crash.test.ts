/**
 * Reminder rounds under SIGKILL (issue 16, item 4): two `redline worker` processes find the same
 * round due at once, are killed while its batches go out, and one is restarted. Every person still
 * pending gets exactly one reminder, and nobody who acknowledged gets one.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { acknowledgeNotice } from "../../app/models/acknowledgements.server";
import { db } from "../../app/models/db.server";
import { type MailServer, type RequestRecord, startMailServer } from "../../app/notify/mail-server.server";
import { execute, first } from "../../db/dialect";
import { auditLog, notices } from "../../db/tables";
import { backdate } from "../support/backdate";
import {
  addSubscribers,
  emailTo,
  publishFirst,
  publishMaterial,
  receivedBy,
  testDispatcher,
  workerProcesses,
} from "./notify-support";

let mail: MailServer;
const processes = workerProcesses(() => mail.url);
const worker = processes.start;
beforeAll(async () => {
  mail = await startMailServer();
});
afterAll(() => mail.close());
afterEach(() => processes.killAll());

const accepted = (log: RequestRecord[]) => log.filter((r) => r.outcome === "accepted");

describe("reminders and a worker killed with SIGKILL", () => {
  it("two workers enqueue the round once, are killed mid-send, and every pending person gets exactly one reminder", async () => {
    await publishFirst("crash-remind");
    const addresses = await addSubscribers("crash-remind", 400);
    const version = await publishMaterial(
      "crash-remind",
      emailTo("crash-remind", { requireAck: true, reminders: { afterDays: 2, times: 1 } }),
    );
    await testDispatcher(mail).drain();
    const notice = (await first(
      db()
        .select()
        .from(notices)
        .where(and(eq(notices.versionId, version.id), isNull(notices.reminderOf))),
    ))!;
    const acknowledged = new Set([0, 1, 2, 150, 399]);
    for (const i of acknowledged)
      await acknowledgeNotice({ externalId: `crash-remind-${i}`, noticeId: notice.id, channel: "api" });
    // Two days pass: the notice is made to look as if created then (the rules forbid that to the app).
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000 - 60_000).toISOString();
    await backdate("notices", () =>
      execute(db(), sql`UPDATE notices SET created_at = ${twoDaysAgo} WHERE id = ${notice.id}`),
    );
    mail.reset();
    // Answers come 50 ms after acceptance, so the kill often lands between "accepted" and "recorded".
    mail.injectFaults({ kind: "accept-then-delay", ms: 50, times: 1000 });

    const running = [worker([], { SEND_RATE_PER_SECOND: "5" }), worker([], { SEND_RATE_PER_SECOND: "5" })];
    await vi.waitFor(
      () => {
        if (accepted(mail.requests()).length < 2)
          throw new Error(`no reminder batch accepted yet:\n${running.map((w) => w.output()).join("\n")}`);
      },
      { timeout: 30_000, interval: 5 },
    );
    for (const { child, exited } of running) {
      child.kill("SIGKILL");
      await exited;
    }
    const restarted = worker(["--once"]);
    expect(await restarted.exited, restarted.output()).toBe(0);

    const expected = addresses.map((_, i) => (acknowledged.has(i) ? 0 : 1));
    expect(receivedBy(mail, addresses)).toEqual(expected);
    expect(
      mail
        .messages()
        .every((m) => m.subject.startsWith("Reminder: ") || m.subject.startsWith("Erinnerung: ")),
    ).toBe(true);
    // 395 people: four batches, each accepted once under its own key.
    expect(new Set(accepted(mail.requests()).map((r) => r.idempotencyKey)).size).toBe(4);
    const queued = (await db().select().from(auditLog).where(eq(auditLog.action, "notice.created"))).filter(
      (e) => e.details.reminderOf === notice.id,
    );
    expect(queued).toHaveLength(1);
    expect(queued[0].details).toMatchObject({ round: 1, emailDeliveries: 395 });
    // Three worker processes start and one waits out the killed ones' leases: slow on a loaded machine.
  }, 120_000);
});
