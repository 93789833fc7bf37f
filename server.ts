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
import { migrate, seedFirstRun } from "./app/setup.server";
import { closeSharedDatabases } from "./db/client";

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
  migrate();
  const firstRun = await seedFirstRun({ contentDir: fileURLToPath(new URL("./content", import.meta.url)) });
  for (const { slug, number } of firstRun.imported)
    logger.info(`published the demo document "${slug}" as version ${number}`);

  const app = express();
  app.disable("x-powered-by");
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
    }),
  );

  const server = app.listen(env.PORT, env.HOST, () => {
    const { port } = server.address() as AddressInfo;
    // Printed as plain lines: the quick start and the tests read them.
    console.log(`Redline listening on http://localhost:${port}`);
    if (firstRun.admin) {
      console.log("");
      console.log("  First start: an admin login was created. It is shown only this once.");
      console.log(`  Email:    ${firstRun.admin.email}`);
      console.log(`  Password: ${firstRun.admin.password}`);
      console.log("");
    }
  });

  const shutdown = (signal: string) => {
    logger.info(`${signal}: shutting down`);
    server.close(() => {
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
