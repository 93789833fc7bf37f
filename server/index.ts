/**
 * `npm start` (compiled to build/server.js): loads the Remix build, starts the runtime from that
 * build's entry module (so the shell and the routes share one copy of the app), serves HTTP, and
 * shuts down cleanly on SIGTERM / SIGINT.
 */
import cluster from "node:cluster";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { checkClusterSettings, runPrimary, webConcurrency } from "./cluster";
import { createHttpApp, type ShellRuntime } from "./http-app";
import { installRoot } from "./paths";

/** How long in-flight requests and sends may take after SIGTERM before the process exits anyway. */
const DEFAULT_SHUTDOWN_TIMEOUT_S = 10;

type EntryModule = ServerBuild["entry"]["module"] & {
  startRuntime: (options: { contentDir: string; environment: NodeJS.ProcessEnv }) => Promise<ShellRuntime>;
};

async function main(): Promise<void> {
  if (cluster.isPrimary) {
    const processes = webConcurrency();
    if (processes > 1) {
      checkClusterSettings();
      runPrimary(processes);
      return;
    }
  }
  const root = installRoot();
  const buildPath = join(root, "build", "index.js");
  // Settings keep the mode they were given (a bare `npm start` is a local install with development
  // settings), but React and Remix always run their production code unless asked for development.
  const environment = { ...process.env };
  const development = process.env.NODE_ENV === "development";
  process.env.NODE_ENV ??= "production";

  const build = (await import(pathToFileURL(buildPath).href)) as ServerBuild;
  const entry = build.entry.module as EntryModule;
  const runtime = await entry.startRuntime({ contentDir: join(root, "content"), environment });

  let shuttingDown = false;
  const app = createHttpApp({
    runtime,
    root,
    // In development the build changes under us: import the newest file on every request.
    build: development
      ? async () => import(`${pathToFileURL(buildPath).href}?t=${Date.now()}`) as Promise<ServerBuild>
      : build,
    routes: build.routes,
    mode: development ? "development" : "production",
    shuttingDown: () => shuttingDown,
  });

  const server = createServer(app);
  // Longer than any load balancer's idle timeout, so that it closes idle connections first.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const env = runtime.env;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(env.PORT, env.HOST, () => {
      server.off("error", reject);
      resolve();
    });
  }).catch(async (error: NodeJS.ErrnoException) => {
    await runtime.stop();
    throw error.code === "EADDRINUSE"
      ? new StartError(
          `port ${env.PORT} on ${env.HOST} is already in use: stop the other process or set PORT`,
        )
      : error.code === "EACCES"
        ? new StartError(`no permission to listen on port ${env.PORT}: use a port above 1023 or set PORT`)
        : error;
  });
  runtime.serving((server.address() as AddressInfo).port);

  const timeoutSeconds = Number(process.env.SHUTDOWN_TIMEOUT_SECONDS) || DEFAULT_SHUTDOWN_TIMEOUT_S;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    runtime.logger.info(`${signal}: finishing in-flight requests and sends, then exiting`);
    const force = setTimeout(() => {
      runtime.logger.error(`shutdown did not finish within ${timeoutSeconds} s; exiting anyway`);
      process.exit(1);
    }, timeoutSeconds * 1000);
    force.unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    try {
      // The dispatcher stops while requests finish: batches in flight are recorded, waiting ones given back.
      await Promise.all([closed, runtime.stopSending()]);
      await runtime.stop();
      process.exit(0);
    } catch (error) {
      runtime.logger.error({ err: error }, "shutdown failed");
      process.exit(1);
    }
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.on("unhandledRejection", (reason) => {
    runtime.logger.error({ err: reason }, "unhandled promise rejection");
  });
}

/** A start-up failure the operator can act on: printed as one line, exit code 1. */
class StartError extends Error {}

main().catch((error: unknown) => {
  // Configuration problems (ConfigError, from the build) and StartErrors are written for people.
  const known = error instanceof StartError || (error instanceof Error && error.name === "ConfigError");
  const message = error instanceof Error ? error.message : String(error);
  console.error(
    known
      ? message.replace(/^(?!Invalid configuration)/, "Redline could not start: ")
      : `Redline could not start: ${message}`,
  );
  process.exit(1);
});
