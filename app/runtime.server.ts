/**
 * The server process's services, started once by the HTTP shell (server/) through the Remix build's
 * entry module, so that the shell and every route share one copy of the app's modules: one
 * settings object, one database handle, one dispatcher. Routes reach the services through Remix's
 * load context (`context.services`), never through globals.
 */
import { rmSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { closeSharedDatabases } from "../db/client";
import { keyedHash } from "./auth/session.server";
import { startDiffPool, stopDiffPool } from "./diff-pool.server";
import { configureEnv, type Env, ensureDataDirectory, getEnv, sessionSecret } from "./env.server";
import { checkReadiness, type Readiness } from "./health.server";
import { logger } from "./logger.server";
import {
  collectProcessMetrics,
  httpRequestDuration,
  type MetricsListener,
  responseCacheRequests,
  serveMetrics,
  startMetricsListener,
} from "./metrics.server";
import { publicStateToken } from "./models/public-policies.server";
import type { Dispatcher } from "./notify/dispatcher.server";
import { type MailServer, startMailServer } from "./notify/mail-server.server";
import { dispatcherFromEnv } from "./notify/runtime.server";
import { describeMailTransport, type MailTransport, planMailTransport } from "./notify/transport.server";
import { type FirstRun, migrate, repairNotice, seedFirstRun } from "./setup.server";

/** What every loader and action can reach through `context.services`. */
type Services = {
  /**
   * How email leaves this process: shown in the workspace, recorded on deliveries. Becomes
   * "capture" if the provider the settings name turns out to be a capture server.
   */
  mail: MailTransport;
};

declare module "@remix-run/node" {
  interface AppLoadContext {
    services: Services;
    /** The client's address as the trusted-proxy setting resolves it; used only as a keyed hash. */
    clientAddress: string | null;
    /** Ties log lines of one request together (also the X-Request-Id answer header). */
    requestId: string;
    /** The nonce that the workspace's scripts carry under its Content-Security-Policy ("" elsewhere: no script may run). */
    cspNonce: string;
  }
}

export type Runtime = {
  env: Env;
  services: Services;
  logger: typeof logger;
  /** Changes whenever anything the public pages show may have changed (the response cache's key). */
  publicStateToken: () => string | null;
  /** Called once the HTTP server listens: settles the public address, starts the dispatcher, prints the banner. */
  serving: (port: number) => void;
  /** Stops the dispatcher: batches on the wire are recorded, batches waiting for their turn given back. */
  stopSending: () => Promise<void>;
  /** Stops sending, then closes the bundled mail server and the database. */
  stop: () => Promise<void>;
  /** Whether this process should receive traffic, check by check (GET /readyz). */
  readiness: (options: { shuttingDown: boolean }) => Promise<Readiness>;
  /** The process's one metrics registry, as the shell records into and serves it. */
  metrics: ShellMetrics;
  /**
   * A keyed hash of a client address for the request log: the same client gets the same tag (until
   * SESSION_SECRET changes), and nobody without the secret learns the address from it.
   */
  clientTag: (address: string) => string;
};

/** What the HTTP shell needs of the metrics (app/metrics.server.ts). */
type ShellMetrics = {
  /** GET /metrics is answered on the public port only when METRICS_TOKEN is set. */
  servedOnPublicPort: boolean;
  /** Answers a scrape (checks the token). */
  serve: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** One finished request, labelled with its route pattern, never its URL. */
  observeRequest: (labels: { method: string; route: string; status: number }, seconds: number) => void;
  /** A cacheable public request answered from the response cache or not. */
  responseCache: (result: "hit" | "miss") => void;
};

/**
 * Validates the settings, migrates and seeds the database and chooses the mail transport. Throws
 * a ConfigError naming the variable when a setting is missing or bad.
 */
export async function startRuntime({
  contentDir,
  environment = process.env,
}: {
  contentDir: string;
  /** Where settings are read from (default process.env). */
  environment?: Record<string, string | undefined>;
}): Promise<Runtime> {
  const env = configureEnv(environment);
  // A DATA_DIR named explicitly is checked now, not when the first file is due (the default is
  // checked when written to: a deployment with every secret set may never write there).
  if (env.DATA_DIR_SET) ensureDataDirectory(env);
  sessionSecret(env);
  const plan = planMailTransport(env);
  const repaired = repairNotice(await migrate());
  if (repaired) logger.warn(repaired);
  const firstRun = await seedFirstRun({ contentDir });
  for (const { slug, number } of firstRun.imported)
    logger.info(`published the demo document "${slug}" as version ${number}`);

  // Without a provider (development, or MAIL_TRANSPORT=capture) email goes to the bundled mail
  // server on loopback — the same SDK path as production, kept for the admin, never delivered.
  const mailServer: MailServer | null =
    plan.kind === "capture"
      ? await startMailServer({ host: "127.0.0.1", port: 0, ratePerSecond: env.SEND_RATE_PER_SECOND })
      : null;
  const services: Services = {
    mail: describeMailTransport(plan.kind, mailServer?.url ?? plan.baseUrl),
  };
  let dispatcher: Dispatcher | null = null;

  collectProcessMetrics();
  const onMetricsError = (error: unknown) => logger.error({ err: error }, "metrics could not be collected");
  let metricsListener: MetricsListener | null = null;
  if (env.METRICS_PORT !== undefined) {
    try {
      metricsListener = await startMetricsListener({
        host: env.METRICS_HOST,
        port: env.METRICS_PORT,
        token: env.METRICS_TOKEN,
        onError: onMetricsError,
      });
    } catch (error) {
      await mailServer?.close();
      throw error;
    }
  }
  const metrics: ShellMetrics = {
    servedOnPublicPort: env.METRICS_TOKEN !== undefined,
    serve: (req, res) => serveMetrics(req, res, { token: env.METRICS_TOKEN, onError: onMetricsError }),
    observeRequest: ({ method, route, status }, seconds) =>
      httpRequestDuration.labels(method, route, String(status)).observe(seconds),
    responseCache: (result) => responseCacheRequests.labels(result).inc(),
  };

  const stopSending = async () => {
    await dispatcher?.stop();
  };
  // Redlines are computed in worker threads from now on, never on this event loop (ADR 0018).
  if (env.DIFF_THREADS !== 0) void startDiffPool(env.DIFF_THREADS ? { threads: env.DIFF_THREADS } : {});
  return {
    env,
    services,
    logger,
    publicStateToken,
    serving(port) {
      // On a port picked by the system (PORT=0), links in pages and emails must name the real one.
      if (!env.PUBLIC_BASE_URL_SET) env.PUBLIC_BASE_URL = `http://localhost:${port}`;
      dispatcher = dispatcherFromEnv(env, {
        captureUrl: mailServer?.url ?? null,
        // A capture server reached through RESEND_BASE_URL: the workspace warns from then on, and
        // its captured-mail page lists that server's messages.
        onCaptureDetected: () => {
          services.mail = describeMailTransport("capture", plan.baseUrl);
        },
      }).dispatcher;
      dispatcher.start();
      // Printed as plain lines: the quick start and the tests read them.
      console.log(`Redline listening on http://localhost:${port}`);
      if (firstRun.admin) announceFirstAdmin(firstRun.admin, env.NODE_ENV === "production");
      if (metricsListener) logger.info(`metrics on ${metricsListener.url}`);
      if (mailServer) {
        console.log(
          `Email is captured, not delivered (${env.MAIL_TRANSPORT === "capture" ? "MAIL_TRANSPORT=capture" : "no RESEND_API_KEY"}): http://localhost:${port}/admin/notices/mail — API ${mailServer.url}/_mail/messages`,
        );
      } else {
        logger.info(`email through ${services.mail.label}`);
      }
    },
    stopSending,
    async stop() {
      await stopSending();
      await stopDiffPool();
      await mailServer?.close();
      await metricsListener?.close();
      await closeSharedDatabases();
    },
    readiness: ({ shuttingDown }) => checkReadiness({ dispatcher, shuttingDown }),
    metrics,
    clientTag: (address) => keyedHash("log-client", address).slice(0, 16),
  };
}

/**
 * The first admin's password is shown once. In production a console ends up in log storage, so
 * the password goes to a file only this user can read, and the console names the file.
 */
function announceFirstAdmin(admin: NonNullable<FirstRun["admin"]>, production: boolean): void {
  console.log("");
  console.log("  First start: an admin login was created. It is shown only this once.");
  console.log(`  Email:    ${admin.email}`);
  if (production) {
    const file = firstAdminFile();
    // A fresh file, so that it is created 0600 rather than keeping an old file's mode.
    rmSync(file, { force: true });
    writeFileSync(file, `Email:    ${admin.email}\nPassword: ${admin.password}\n`, {
      mode: 0o600,
      flag: "wx",
    });
    console.log(`  Password: in ${file} (readable only by this user; delete it after signing in)`);
  } else {
    console.log(`  Password: ${admin.password}`);
  }
  console.log("");
}

function firstAdminFile(): string {
  return join(ensureDataDirectory(getEnv()), "first-admin-login.txt");
}
