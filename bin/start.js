#!/usr/bin/env node
// `npm start`: builds when the build is missing or older than the sources (so a fresh clone's
// `npm ci && npm start` works), then runs the compiled server with node.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildState, canBuild, ROOT } from "./build-state.js";

const state = buildState();
if (state !== "fresh") {
  if (!canBuild()) {
    console.error(
      `Redline could not start: the build is ${state} and this installation cannot build (run \`npm ci\` and \`npm run build\` where the sources are)`,
    );
    process.exit(1);
  }
  console.log(
    state === "missing"
      ? "Building Redline (first start)…"
      : "Sources changed since the last build: rebuilding…",
  );
  const built = spawnSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: "inherit" });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
await import(pathToFileURL(join(ROOT, "build", "server.js")).href);
