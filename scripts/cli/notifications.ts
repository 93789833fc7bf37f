/**
 * The notification commands of the `redline` command line: `subscribers import`, `public-subscribers
 * count|erase`, `notify status`,
 * `notify audience`, `worker`, and the parsing of `publish --notify/--audience`.
 */
import { stat } from "node:fs/promises";
import { type Command, InvalidArgumentError, Option } from "commander";
import { isLocale, isSlug, LOCALE_RULE, SLUG_RULE } from "../../app/core/identifiers";
import { parseAudience } from "../../app/core/notify/audience";
import { capturedEmails, emailsPerTransport, transportText } from "../../app/core/notify/delivery-outcome";
import { isRefusal } from "../../app/core/refusal";
import { getEnv } from "../../app/env.server";
import { type NoticeRequest, type NoticeSummary, noticesForVersion } from "../../app/models/notices.server";
import {
  erasePublicSubscriber,
  publicSubscriptionCounts,
} from "../../app/models/public-subscriptions.server";
import { countAudience } from "../../app/models/subscribers.server";
import { importSubscribersCsv } from "../../app/notify/csv-import.server";
import { CHANNELS, type Channel, DELIVERY_STATUSES } from "../../db/tables";
import { openDatabase } from "./database";

export { noticesForVersion };

type Io = { out: (text: string) => void; err: (text: string) => void };

function wholeNumber(min: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min)
      throw new InvalidArgumentError(`must be a whole number from ${min} up`);
    return Number(value);
  };
}

/**
 * `--notify email,dashboard [--audience JSON] [--require-ack]` as a notice request, or undefined
 * when nothing is to be notified. Throws naming the bad value.
 */
export function noticeRequestFromOptions(options: {
  notify?: string;
  audience?: string;
  requireAck?: boolean;
}): NoticeRequest | undefined {
  if (options.notify === undefined) {
    if (options.audience !== undefined || options.requireAck) {
      throw new Error("--audience and --require-ack need --notify email,dashboard");
    }
    return undefined;
  }
  const channels = options.notify
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean);
  const unknown = channels.filter((c) => !(CHANNELS as readonly string[]).includes(c));
  if (channels.length === 0 || unknown.length > 0) {
    throw new Error(`--notify takes email, dashboard or both (email,dashboard), not "${options.notify}"`);
  }
  try {
    return {
      channels: channels as Channel[],
      audience: options.audience === undefined ? null : parseAudience(options.audience),
      requireAck: options.requireAck ?? false,
    };
  } catch (error) {
    if (isRefusal(error)) throw new Error(`--audience: ${error.message}`);
    throw error;
  }
}

/** One line per notice for the publish command's output. */
export function describeNotice(notice: NoticeSummary): string {
  if (notice.audienceKind === "public") {
    const total = Object.values(notice.counts.email ?? {}).reduce((a, b) => a + b, 0);
    return `notice ${notice.id}: update email to ${total} public subscribers in ${notice.batches.total} batches`;
  }
  const parts = notice.channels.map((channel) => {
    const total = Object.values(notice.counts[channel] ?? {}).reduce((a, b) => a + b, 0);
    return channel === "email"
      ? `email to ${total} subscribers in ${notice.batches.total} batches`
      : `dashboard for ${total} subscribers`;
  });
  return `notice ${notice.id}: ${parts.join(", ")}${notice.audience ? ` (audience ${JSON.stringify(notice.audience)})` : ""}`;
}

export function registerNotificationCommands(program: Command, io: Io): void {
  const publicSubscribers = program
    .command("public-subscribers")
    .description("people without an account who follow a public policy by email (ADR 0029)");
  publicSubscribers
    .command("count")
    .description("confirmed public subscriptions per policy and choice (counts, never addresses)")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (options: { format: "text" | "json" }) => {
      await openDatabase(io.err);
      const counts = await publicSubscriptionCounts();
      if (options.format === "json") io.out(JSON.stringify(counts));
      else {
        io.out(
          `${counts.total} public subscriptions (${counts.all} every version, ${counts.material} material only)`,
        );
        for (const d of counts.documents)
          io.out(`${d.slug} (${d.locale}): ${d.all} every version, ${d.material} material only`);
      }
    });
  publicSubscribers
    .command("erase")
    .description("erase an address: every subscription of it ends and no copy of it is kept")
    .argument("<email>", "the address to erase")
    .action(async (email: string) => {
      await openDatabase(io.err);
      const erased = await erasePublicSubscriber({ email, actor: { kind: "cli" } });
      // The same answer shape whether or not it was subscribed; the operator asked about this address.
      io.out(`erased ${erased.subscriptions} public subscription${erased.subscriptions === 1 ? "" : "s"}`);
    });

  const subscribers = program.command("subscribers").description("the product's users who receive notices");
  subscribers
    .command("import")
    .description(
      "upsert subscribers from a CSV file (externalId,email[,name][,locale][,attributes][,…]); bad rows are reported, good rows kept",
    )
    .argument("<file>", "CSV with a header row; extra columns become attributes")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (file: string, options: { format: "text" | "json" }) => {
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) throw new Error(`cannot read ${file}: no such file`);
      await openDatabase(io.err);
      const report = await importSubscribersCsv(file);
      const rejected = report.rejected.length + report.moreRejected;
      if (options.format === "json") io.out(JSON.stringify(report));
      else {
        for (const row of report.rejected) io.err(`line ${row.line}: ${row.reason}`);
        if (report.moreRejected > 0) io.err(`… and ${report.moreRejected} more rejected rows`);
        io.out(
          `imported ${report.created + report.updated} of ${report.rows} rows (${report.created} new, ${report.updated} updated), rejected ${rejected}`,
        );
      }
      if (report.stopped) {
        throw new Error(
          `the file cannot be read from line ${report.stopped.line} on: ${report.stopped.reason}`,
        );
      }
      if (rejected > 0) throw new Error(`${rejected} rows rejected; the other rows were imported`);
    });

  const notify = program.command("notify").description("change notices and their deliveries");
  notify
    .command("status")
    .description("counts per delivery status for the notices of a version")
    .argument("<slug>", "document slug", (value: string) => {
      if (!isSlug(value)) throw new InvalidArgumentError(`use ${SLUG_RULE}`);
      return value;
    })
    .argument("<version>", "version number", wholeNumber(1))
    .option(
      "--locale <locale>",
      "language of the document",
      (value: string) => {
        if (!isLocale(value)) throw new InvalidArgumentError(`use ${LOCALE_RULE}`);
        return value;
      },
      "en",
    )
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (slug: string, number: number, options: { locale: string; format: "text" | "json" }) => {
      await openDatabase(io.err);
      const notices = await noticesForVersion({ slug, locale: options.locale, number });
      if (notices === null) throw new Error(`${slug} (${options.locale}) has no version ${number}`);
      if (options.format === "json") {
        io.out(JSON.stringify({ slug, locale: options.locale, version: number, notices }));
        return;
      }
      if (notices.length === 0) {
        io.out(`${slug} version ${number} has no notices`);
        return;
      }
      for (const notice of notices) {
        io.out(describeNotice(notice));
        for (const channel of notice.channels) {
          const counts = notice.counts[channel]!;
          const shown = DELIVERY_STATUSES.filter(
            (s) => counts[s] > 0 || ["pending", "sent", "failed"].includes(s),
          );
          io.out(`  ${channel.padEnd(9)} ${shown.map((s) => `${s} ${counts[s]}`).join("  ")}`);
        }
        const carried = emailsPerTransport(notice.emailTransports);
        if (carried.length > 0) {
          const captured = capturedEmails(notice.emailTransports);
          io.out(
            `  via       ${carried.map((t) => `${transportText(t.transport, true)} ${t.emails}`).join("  ")}${captured.sent + captured.delivered > 0 ? ` — ${captured.sent + captured.delivered} captured, not delivered to anyone` : ""}`,
          );
        }
        io.out(
          `  batches   sent ${notice.batches.sent}/${notice.batches.total}, failed ${notice.batches.failed}`,
        );
      }
    });
  notify
    .command("audience")
    .description("how many active subscribers an audience reaches by email (check before publishing)")
    .option("--audience <json>", 'attribute filter, e.g. {"region":"EU"}; default: everyone')
    .action(async (options: { audience?: string }) => {
      let audience: ReturnType<typeof parseAudience>;
      try {
        audience = parseAudience(options.audience ?? null);
      } catch (error) {
        throw new Error(`--audience: ${(error as Error).message}`);
      }
      await openDatabase(io.err);
      io.out(String(await countAudience(audience)));
    });

  program
    .command("worker")
    .description("run the email dispatcher (npm start runs one in-process)")
    .option("--once", "send everything pending, waiting out retries, then exit", false)
    .option(
      "--concurrency <n>",
      "batches in flight at once (they share SEND_RATE_PER_SECOND)",
      wholeNumber(1),
      2,
    )
    .option(
      "--lease <seconds>",
      "how long a claimed batch is reserved before another worker may take it",
      wholeNumber(2),
      60,
    )
    .option(
      "--request-timeout <seconds>",
      "abandon a provider request after this long (retried)",
      wholeNumber(1),
      15,
    )
    .action(
      async (options: { once: boolean; concurrency: number; lease: number; requestTimeout: number }) => {
        if (options.lease <= options.requestTimeout) {
          throw new Error(
            "--lease must be longer than --request-timeout, or a slow request could be sent twice in parallel",
          );
        }
        await openDatabase(io.err);
        const env = getEnv();
        // Loaded here: the dispatcher renders emails (React Email), heavy for every other command.
        const { dispatcherFromEnv } = await import("../../app/notify/runtime.server");
        const { dispatcher, transport } = dispatcherFromEnv(env, {
          concurrency: options.concurrency,
          leaseMs: options.lease * 1000,
          requestTimeoutMs: options.requestTimeout * 1000,
        });
        io.err(
          `worker ${dispatcher.owner}: email through ${transport.label}, ${env.SEND_RATE_PER_SECOND} requests/s, ${options.concurrency} in flight${options.once ? ", until the outbox is empty" : ""}`,
        );
        if (options.once) {
          await dispatcher.drain();
        } else {
          // The same metrics as the server's, on METRICS_PORT (give the worker its own port).
          const metrics = env.METRICS_PORT === undefined ? null : await import("../../app/metrics.server");
          metrics?.collectProcessMetrics();
          const listener = await metrics?.startMetricsListener({
            host: env.METRICS_HOST,
            port: env.METRICS_PORT!,
            token: env.METRICS_TOKEN,
            onError: (error) => io.err(`metrics could not be collected: ${String(error)}`),
          });
          if (listener) io.err(`metrics on ${listener.url}`);
          dispatcher.start();
          await new Promise<void>((resolve) => {
            process.once("SIGINT", resolve);
            process.once("SIGTERM", resolve);
          });
          await dispatcher.stop();
          await listener?.close();
        }
        const { batchesSent, emailsSent, batchesFailed, attemptsFailed, rateLimited } = dispatcher.stats;
        io.out(
          `sent ${emailsSent} emails in ${batchesSent} batches; ${batchesFailed} batches failed; ${attemptsFailed} attempts retried; ${rateLimited} times rate-limited`,
        );
      },
    );
}
