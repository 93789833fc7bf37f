/**
 * `npm start`: validates the configuration, migrates the database, seeds a fresh install with the
 * demo content and an admin login, then serves the Remix app.
 */
import { stat } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import { ConfigError, getEnv, sessionSecret } from "./app/env.server";
import { logger } from "./app/logger.server";
import { dispatcherFromEnv, setBundledMailServer } from "./app/notify/runtime.server";
import { publicResponseCache } from "./app/public-response-cache.server";
import { migrate, repairNotice, seedFirstRun } from "./app/setup.server";
import { closeSharedDatabases } from "./db/client";
import { type MailServer, startMailServer } from "./scripts/mail-server";

const BUILD_PATH = fileURLToPath(new URL("./build/index.js", import.meta.url));

async function loadBuild(): Promise<ServerBuild> {
  // In development the build changes under us: import the newest file, not the cached module.
  const version = process.env.NODE_ENV === "development" ? `?t=${(await stat(BUILD_PATH)).mtimeMs}` : "";
  return import(pathToFileURL(BUILD_PATH).href + version);
}

async function start() {
  const env = getEnv();
  sessionSecret(env);
  // Settings keep their own mode (a bare `npm start` is a local install with a generated session
  // secret), but React and Remix always run their production builds unless asked for development.
  process.env.NODE_ENV ??= "production";
  const repaired = repairNotice(migrate());
  if (repaired) logger.warn(repaired);
  const firstRun = await seedFirstRun({ contentDir: fileURLToPath(new URL("./content", import.meta.url)) });
  for (const { slug, number } of firstRun.imported)
    logger.info(`published the demo document "${slug}" as version ${number}`);

  // Without a Resend key (and no other Resend-compatible server named), email goes to the bundled
  // mail server on loopback — the same SDK path as production, with the mail captured for the admin.
  let mailServer: MailServer | null = null;
  if (!env.RESEND_API_KEY && !env.RESEND_BASE_URL) {
    mailServer = await startMailServer({
      host: "127.0.0.1",
      port: 0,
      ratePerSecond: env.SEND_RATE_PER_SECOND,
    });
    process.env.RESEND_BASE_URL = mailServer.url;
    setBundledMailServer({ url: mailServer.url });
  }
  const dispatcher = dispatcherFromEnv(env);
  dispatcher.start();

  const app = express();
  app.disable("x-powered-by");
  // Public policy pages and JSON: replay rendered answers while nothing published has changed (ADR 5).
  // First, so that a replayed page costs no file-system lookup in the static middleware below.
  if (process.env.NODE_ENV !== "development") app.use(publicResponseCache());
  app.use(
    "/build",
    express.static(fileURLToPath(new URL("./public/build", import.meta.url)), {
      immutable: true,
      maxAge: "1y",
    }),
  );
  app.use(express.static(fileURLToPath(new URL("./public", import.meta.url)), { maxAge: "1h" }));
  app.all(
    "*",
    createRequestHandler({
      build: process.env.NODE_ENV === "development" ? loadBuild : await loadBuild(),
      mode: process.env.NODE_ENV === "development" ? "development" : "production",
      // The admin workspace throttles failed sign-ins per address (stored only as a keyed hash).
      getLoadContext: (req) => ({ clientAddress: req.socket.remoteAddress ?? null }),
    }),
  );

  const server = app.listen(env.PORT, env.HOST, () => {
    const { port } = server.address() as AddressInfo;
    // On a port picked by the system (PORT=0), links in pages and emails must name the real one.
    if (!process.env.PUBLIC_BASE_URL) env.PUBLIC_BASE_URL = `http://localhost:${port}`;
    // Printed as plain lines: the quick start and the tests read them.
    console.log(`Redline listening on http://localhost:${port}`);
    if (firstRun.admin) {
      console.log("");
      console.log("  First start: an admin login was created. It is shown only this once.");
      console.log(`  Email:    ${firstRun.admin.email}`);
      console.log(`  Password: ${firstRun.admin.password}`);
      console.log("");
    }
    if (mailServer) {
      console.log(
        `Captured mail (no RESEND_API_KEY): http://localhost:${port}/admin/notices/mail — API ${mailServer.url}/_mail/messages`,
      );
    }
  });

  const shutdown = (signal: string) => {
    logger.info(`${signal}: shutting down`);
    server.close(async () => {
      // Let batches in flight be recorded before the database closes.
      await dispatcher.stop();
      await mailServer?.close();
      closeSharedDatabases();
      process.exit(0);
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

start().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error("Redline could not start:", error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
