/**
 * Readiness (GET /readyz): whether this process should receive traffic and is doing its work.
 * The body follows the shape of the IETF health-check draft (status pass | warn | fail, one entry
 * per check) and holds counts and ages only: no paths, addresses, versions or error messages, since
 * anyone can ask. Thresholds and reasons: docs/decisions/0014-health-metrics-logs.md.
 */
import { missingEngineMigrations, pingEngine } from "../db/maintenance";
import { logger } from "./logger.server";
import { engine } from "./models/db.server";
import { nextBatchDueAt } from "./models/deliveries.server";
import type { Dispatcher } from "./notify/dispatcher.server";

type CheckStatus = "pass" | "warn" | "fail";
type Check = { status: CheckStatus; output?: string };

export type Readiness = {
  status: CheckStatus;
  checks: {
    /** The database answers a read from its file. */
    database: Check;
    /** Every migration this release ships is applied. */
    migrations: Check & { expected?: number; missing?: number };
    /** The in-process dispatcher's loops are polling or sending (not hung, not dead). */
    dispatcher: Check & { heartbeatAgeSeconds?: number; failAfterSeconds?: number };
    /** How long the oldest due email batch has waited for a dispatcher; a warning, never a failure. */
    outbox: Check & { oldestDueBatchAgeSeconds?: number | null; warnAfterSeconds?: number };
    /** Not shutting down (after SIGTERM the load balancer must stop sending requests here). */
    shutdown: Check;
  };
};

/**
 * A backlog this old is worth a look but never takes the site out of service: a notice to a
 * million subscribers legitimately takes over an hour at Resend's default 2 requests/s.
 */
export const OUTBOX_WARN_AFTER_S = 15 * 60;

const seconds = (ms: number) => Math.round(ms / 100) / 10;

export async function checkReadiness({
  dispatcher,
  shuttingDown,
  now = Date.now(),
}: {
  dispatcher: Pick<Dispatcher, "heartbeat"> | null;
  shuttingDown: boolean;
  now?: number;
}): Promise<Readiness> {
  const checks: Readiness["checks"] = {
    database: await attempt("database", async () => {
      await pingEngine(engine());
      return { status: "pass" };
    }),
    migrations: await attempt("migrations", async () => {
      const { expected, missing } = await missingEngineMigrations(engine());
      return missing === 0
        ? { status: "pass", expected, missing }
        : {
            status: "fail",
            expected,
            missing,
            output: "the database lacks migrations of this release: restart, or run `redline migrate`",
          };
    }),
    dispatcher: dispatcherCheck(dispatcher, now),
    outbox: await attempt("outbox", async () => {
      const due = await nextBatchDueAt();
      const age = due === null || due > now ? null : seconds(now - due);
      return age !== null && age > OUTBOX_WARN_AFTER_S
        ? {
            status: "warn",
            oldestDueBatchAgeSeconds: age,
            warnAfterSeconds: OUTBOX_WARN_AFTER_S,
            output: "email batches are waiting longer than expected",
          }
        : { status: "pass", oldestDueBatchAgeSeconds: age, warnAfterSeconds: OUTBOX_WARN_AFTER_S };
    }),
    shutdown: shuttingDown ? { status: "fail", output: "shutting down" } : { status: "pass" },
  };
  const statuses = Object.values(checks).map((check) => check.status);
  const status = statuses.includes("fail") ? "fail" : statuses.includes("warn") ? "warn" : "pass";
  return { status, checks };
}

function dispatcherCheck(
  dispatcher: Pick<Dispatcher, "heartbeat"> | null,
  now: number,
): Readiness["checks"]["dispatcher"] {
  const beat = dispatcher?.heartbeat(now) ?? null;
  if (!beat) return { status: "fail", output: "the email dispatcher is not running" };
  const facts = { heartbeatAgeSeconds: seconds(beat.ageMs), failAfterSeconds: seconds(beat.staleAfterMs) };
  return beat.ageMs > beat.staleAfterMs
    ? { status: "fail", ...facts, output: "the email dispatcher has stopped polling" }
    : { status: "pass", ...facts };
}

/** Runs a check that reads the database; a failure is logged here and reported without its message. */
async function attempt<T extends Check>(
  name: string,
  check: () => T | Promise<T>,
): Promise<T | { status: "fail"; output: string }> {
  try {
    return await check();
  } catch (error) {
    logger.warn({ err: error, check: name }, "readiness check failed");
    return { status: "fail", output: "the database could not be read" };
  }
}
