/**
 * When delivery-log retention runs (ADR 0007): hourly, beside the dispatcher. What it blanks is
 * the model's (app/models/retention.server.ts).
 */
import { Cron } from "croner";
import { logger as appLogger } from "../logger.server";
import { pseudonymiseDeliveryLogs } from "../models/retention.server";

/**
 * Runs the retention now and then every hour (croner), until the returned function is called.
 * Started with the dispatcher: `npm start` and `redline worker`.
 */
export function scheduleRetention({
  days,
  log = appLogger,
}: {
  days: number;
  log?: Pick<typeof appLogger, "info" | "error">;
}): () => void {
  const run = () => {
    try {
      const result = pseudonymiseDeliveryLogs({ days });
      if (result.deliveries + result.batches + result.webhookEvents > 0) {
        log.info(result, "pseudonymised delivery logs past their retention");
      }
    } catch (error) {
      log.error({ err: error }, "could not pseudonymise delivery logs");
    }
  };
  const job = new Cron("17 * * * *", { protect: true, unref: true }, run);
  const first = setTimeout(run, 0);
  first.unref?.();
  return () => {
    clearTimeout(first);
    job.stop();
  };
}
