import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { setImmediate } from "node:timers/promises";
import { senderWithName } from "../core/branding";
import { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF } from "../core/notify/backoff";
import { RateLimiter } from "../core/notify/rate-limiter";
import { logger as appLogger } from "../logger.server";
import { emailsFailed, emailsSent, providerRateLimited, providerRequestDuration } from "../metrics.server";
import { currentBranding } from "../models/branding.server";
import {
  type ClaimedBatch,
  claimBatch,
  hasPendingBatches,
  nextBatchDueAt,
  recordBatchFailure,
  recordBatchSent,
  releaseBatch,
} from "../models/deliveries.server";
import { noticeTranslations } from "../models/notice-translations.server";
import { enqueueDueReminders } from "../models/reminders.server";
import { pseudonymiseDeliveryLogs } from "../models/retention.server";
import { SharedSlots } from "../models/send-rate.server";
import { ackLinkUrl } from "./ack-link.server";
import { renderNoticeEmail } from "./email.server";
import type { EmailProvider, OutgoingEmail } from "./provider.server";
import { renderPublicUpdates } from "./public-email.server";
import { unsubscribeLinkUrl } from "./public-links.server";
import { scheduleRetention } from "./retention.server";
import { describeMailTransport, type MailTransport } from "./transport.server";

export type DispatcherOptions = {
  provider: EmailProvider;
  /** What the provider is (from the settings); recorded on every delivery it carries. */
  transport: MailTransport;
  /**
   * Called once when a server the settings named as a provider answers as a capture server: from
   * then on the process knows its mail is kept, not delivered (the workspace warns).
   */
  onCaptureDetected?: () => void;
  /** Sender address (MAIL_FROM). */
  from: string;
  /** PUBLIC_BASE_URL, for the links in the email. */
  baseUrl: string;
  /** Requests per second for the whole process (SEND_RATE_PER_SECOND); null for no limit. */
  ratePerSecond: number | null;
  /** MAX_SEND_ATTEMPTS. */
  maxAttempts: number;
  /** Batches in flight at once; they share one rate limiter. */
  concurrency?: number;
  /** How long a claimed batch is reserved; must outlast rendering, the rate wait and the request. */
  leaseMs?: number;
  /** How often an idle dispatcher looks for new batches. */
  pollMs?: number;
  /** How often it looks for reminder rounds that have come due (issue 16, item 4). */
  reminderCheckMs?: number;
  backoff?: BackoffOptions;
  /** DELIVERY_LOG_RETENTION_DAYS: pseudonymise old delivery logs hourly while running (ADR 0007); null: never. */
  retentionDays?: number | null;
  random?: () => number;
  log?: Pick<typeof appLogger, "info" | "warn" | "error">;
};

export type DispatchStats = {
  batchesSent: number;
  emailsSent: number;
  attemptsFailed: number;
  rateLimited: number;
  batchesFailed: number;
};

/**
 * Sends the outbox: claims a batch with a lease, renders it from stored data, waits its turn at
 * the rate limiter, calls `batch.send` with the batch's idempotency key and records the result.
 * Every step is safe to interrupt: a crash leaves the batch leased, the lease expires, and the
 * next claim resends the identical request under the same key, which the provider answers from
 * its idempotency cache without sending again.
 */
export class Dispatcher {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  readonly limiter: RateLimiter;
  readonly stats: DispatchStats = {
    batchesSent: 0,
    emailsSent: 0,
    attemptsFailed: 0,
    rateLimited: 0,
    batchesFailed: 0,
  };
  private stopping = false;
  /** Resolves when stop() is called: a batch still waiting for its turn is given back, not sent. */
  private stopped: Promise<void> = Promise.resolve();
  private signalStop: () => void = () => {};
  private loops: Promise<void>[] = [];
  /** When each running loop last polled the outbox or finished a batch (ms since epoch). */
  private beats: number[] = [];
  private wakeUps = new Set<() => void>();
  private stopRetention: (() => void) | null = null;
  private captureDetected = false;
  /** When this dispatcher next looks for due reminders (ms since epoch); 0: at its first step. */
  private nextReminderCheck = 0;
  private readonly options: Required<Omit<DispatcherOptions, "ratePerSecond">> & {
    ratePerSecond: number | null;
  };

  constructor(options: DispatcherOptions) {
    this.options = {
      concurrency: 2,
      leaseMs: 60_000,
      pollMs: 1000,
      reminderCheckMs: 60_000,
      backoff: DEFAULT_BACKOFF,
      retentionDays: null,
      random: Math.random,
      log: appLogger,
      onCaptureDetected: () => {},
      ...options,
    };
    // One rate for every dispatcher that uses this database, in this process or any other.
    this.limiter = new RateLimiter(options.ratePerSecond, undefined, undefined, new SharedSlots());
  }

  /** Runs until `stop()`: the in-process dispatcher of `npm start` and `redline worker`. */
  start(): void {
    if (this.loops.length > 0) return;
    this.stopping = false;
    this.stopped = new Promise((resolve) => {
      this.signalStop = resolve;
    });
    if (this.options.retentionDays)
      this.stopRetention = scheduleRetention({ days: this.options.retentionDays });
    this.beats = Array.from({ length: this.options.concurrency }, () => Date.now());
    for (let i = 0; i < this.options.concurrency; i++) this.loops.push(this.loop(false, i));
  }

  /**
   * How long ago the stalest running loop last showed life, and after how long that means it is
   * stuck or gone: every iteration either sleeps at most `pollMs` or works on one batch, which it
   * must finish within the batch's lease. Null when the dispatcher is not running (`readyz`).
   */
  heartbeat(now = Date.now()): { ageMs: number; staleAfterMs: number } | null {
    if (this.loops.length === 0 || this.stopping) return null;
    return {
      ageMs: Math.max(0, now - Math.min(...this.beats)),
      staleAfterMs: this.options.leaseMs + 2 * this.options.pollMs,
    };
  }

  /**
   * Stops claiming; resolves when every batch this dispatcher holds is either recorded (its request
   * was already on the wire) or given back unsent, so no lease outlives the process.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.signalStop();
    this.stopRetention?.();
    this.stopRetention = null;
    for (const wake of this.wakeUps) wake();
    await Promise.all(this.loops);
    this.loops = [];
  }

  /**
   * Sends until no batch is pending at all — waiting out backoffs and other workers' leases —
   * then resolves (`redline worker --once`, tests, benchmarks).
   */
  async drain(): Promise<DispatchStats> {
    this.stopping = false;
    this.stopped = new Promise(() => {});
    if (this.options.retentionDays) await pseudonymiseDeliveryLogs({ days: this.options.retentionDays });
    await Promise.all(Array.from({ length: this.options.concurrency }, (_, i) => this.loop(true, i)));
    return this.stats;
  }

  private async loop(untilEmpty: boolean, index: number): Promise<void> {
    while (!this.stopping) {
      this.beats[index] = Date.now();
      await this.enqueueReminders();
      let claimed: ClaimedBatch | null = null;
      try {
        claimed = await claimBatch({ owner: this.owner, leaseMs: this.options.leaseMs });
        if (claimed) {
          await this.send(claimed);
          continue;
        }
        if (untilEmpty && !(await hasPendingBatches())) return;
        const due = await nextBatchDueAt();
        const wait = due === null ? this.options.pollMs : Math.min(this.options.pollMs, due - Date.now());
        await this.sleep(Math.max(10, wait));
      } catch (error) {
        // The database went away (a restart, a failover, a dropped connection) or a step failed
        // unexpectedly: the loop lives on and the pool reconnects. A batch in hand is given back so
        // that it need not wait out its lease; resending it is safe, under the same idempotency key.
        this.options.log.error(
          { err: error, batch: claimed?.idempotencyKey },
          claimed ? "could not finish a batch" : "could not claim a batch",
        );
        if (claimed) await releaseBatch({ batchId: claimed.batchId, owner: this.owner }).catch(() => false);
        await this.sleep(this.options.pollMs);
      }
    }
  }

  /**
   * Turns due reminder rounds into outbox batches, at most every `reminderCheckMs` per dispatcher.
   * Any number of dispatchers may do this at once: a round is enqueued once (enqueueDueReminders).
   */
  private async enqueueReminders(): Promise<void> {
    if (Date.now() < this.nextReminderCheck) return;
    // Set before the await: the other loops of this dispatcher skip this turn.
    this.nextReminderCheck = Date.now() + this.options.reminderCheckMs;
    try {
      for (const round of await enqueueDueReminders())
        this.options.log.info(round, "reminder round enqueued");
    } catch (error) {
      this.options.log.error({ err: error }, "could not enqueue reminders");
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUps.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUps.add(done);
    });
  }

  private async send(batch: ClaimedBatch): Promise<void> {
    if (batch.members.length === 0) return;
    const { provider, log } = this.options;
    let emails: OutgoingEmail[];
    try {
      emails =
        batch.content.audienceKind === "public"
          ? await this.publicUpdates(batch)
          : await this.noticeEmails(batch);
    } catch (error) {
      await this.fail(batch, {
        kind: "retryable",
        reason: `could not render the email: ${(error as Error).message}`,
      });
      return;
    }
    const turn = await Promise.race([
      this.limiter.take().then(() => "send" as const),
      this.stopped.then(() => "stop" as const),
    ]);
    if (turn === "stop") {
      await releaseBatch({ batchId: batch.batchId, owner: this.owner });
      return;
    }
    const timer = providerRequestDuration.startTimer();
    const result = await provider.sendBatch(emails, batch.idempotencyKey);
    timer({ outcome: result.ok ? "sent" : result.failure.kind.replace("-", "_") });
    if (result.ok) {
      try {
        await recordBatchSent({
          batchId: batch.batchId,
          messageIds: result.messageIds,
          transport: this.carriedBy(result.captured),
        });
        this.stats.batchesSent++;
        this.stats.emailsSent += emails.length;
        emailsSent.inc(emails.length);
      } catch (error) {
        log.error({ err: error, batch: batch.idempotencyKey }, "could not record a sent batch");
        await this.fail(batch, { kind: "retryable", reason: (error as Error).message });
      }
      return;
    }
    const { failure } = result;
    if (failure.kind === "rate-limited") {
      this.stats.rateLimited++;
      providerRateLimited.inc();
      await this.limiter.pauseFor(failure.waitMs);
      await recordBatchFailure({
        batchId: batch.batchId,
        owner: this.owner,
        reason: failure.reason,
        retryInMs: failure.waitMs,
        countsAsAttempt: false,
      });
      return;
    }
    this.stats.attemptsFailed++;
    log.warn(
      { batch: batch.idempotencyKey, attempt: batch.attempt, reason: failure.reason },
      "batch not sent",
    );
    await this.fail(batch, failure);
  }

  /** A product notice's emails, in each reader's language. */
  private async noticeEmails(batch: ClaimedBatch): Promise<OutgoingEmail[]> {
    const { from, baseUrl } = this.options;
    const emails: OutgoingEmail[] = [];
    // As the batch was frozen, so that a retry says exactly what the first attempt said.
    const translations = await noticeTranslations(batch.noticeId, batch.frozenAt);
    const branding = await currentBranding({ asOf: batch.frozenAt });
    const sender = senderWithName(from, branding.organisationName);
    for (const [i, member] of batch.members.entries()) {
      // Another batch of this process may hold a send slot that is due: let its timer and its
      // request run between a few emails, not after all of this batch's (arrival jitter, ADR 0006).
      if (i % 10 === 9) await setImmediate();
      const rendered = await renderNoticeEmail(batch.content, member, baseUrl, {
        translations,
        branding,
        ackUrl: batch.content.requiresAck ? ackLinkUrl(baseUrl, member.deliveryId, batch.frozenAt) : null,
      });
      emails.push({
        from: sender,
        to: member.email,
        ...rendered,
        // Lets a webhook find the delivery even before the message ids are recorded.
        tags: [
          { name: "redline_notice", value: String(batch.noticeId) },
          { name: "redline_delivery", value: String(member.deliveryId) },
        ],
      });
    }
    return emails;
  }

  /**
   * Public subscribers' update emails (ADR 0029): one unsubscribe link per email, in its body and
   * its List-Unsubscribe headers. A tag of their own, so that a provider's event never names a
   * product subscriber's delivery by mistake.
   */
  private async publicUpdates(batch: ClaimedBatch): Promise<OutgoingEmail[]> {
    const { from, baseUrl } = this.options;
    const branding = await currentBranding({ asOf: batch.frozenAt });
    const sender = senderWithName(from, branding.organisationName);
    const rendered = await renderPublicUpdates(
      batch.content,
      baseUrl,
      batch.members.map((m) => unsubscribeLinkUrl(baseUrl, m.deliveryId)),
    );
    return batch.members.map((member, i) => ({
      from: sender,
      to: member.email,
      ...rendered[i],
      tags: [
        { name: "redline_notice", value: String(batch.noticeId) },
        { name: "redline_public_delivery", value: String(member.deliveryId) },
      ],
    }));
  }

  /**
   * The transport to record for an accepted batch: the settings' transport, unless the server
   * answered as a capture server — then "capture", whatever the settings said, because the record
   * must say what really happened.
   */
  private carriedBy(captured: boolean): string {
    const { transport, log, onCaptureDetected } = this.options;
    if (!captured || transport.kind === "capture") return transport.label;
    if (!this.captureDetected) {
      this.captureDetected = true;
      log.warn(
        { transport: transport.label },
        "the mail server answered as a capture server: email is kept there and delivered to nobody; recorded as captured",
      );
      onCaptureDetected();
    }
    return describeMailTransport("capture", null).label;
  }

  private async fail(batch: ClaimedBatch, failure: { kind: "retryable" | "permanent"; reason: string }) {
    const { maxAttempts, backoff, random } = this.options;
    const giveUp = failure.kind === "permanent" || batch.attempt >= maxAttempts;
    const reason = giveUp
      ? `${failure.kind === "permanent" ? "refused by the provider" : `gave up after ${batch.attempt} attempts`}: ${failure.reason}`
      : failure.reason;
    const outcome = await recordBatchFailure({
      batchId: batch.batchId,
      owner: this.owner,
      reason,
      retryInMs: giveUp ? null : backoffDelay(batch.attempt, backoff, random),
    });
    if (outcome === "failed") {
      this.stats.batchesFailed++;
      emailsFailed.inc(batch.members.length);
    }
  }
}
