#!/usr/bin/env node
// `npx redline …`: runs the compiled command line (build/cli.js). In a checkout whose build is
// missing or older than the sources, it runs the TypeScript sources through tsx instead (slower).
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildState, ROOT } from "./build-state.js";

let main;
let closeSharedDatabases;
if (buildState() === "fresh") {
  ({ main, closeSharedDatabases } = await import(pathToFileURL(join(ROOT, "build", "cli.js")).href));
} else {
  let register;
  try {
    ({ register } = await import("tsx/esm/api"));
  } catch {
    console.error("redline: no build found: run `npm run build` first");
    process.exit(1);
  }
  register();
  ({ main, closeSharedDatabases } = await import(pathToFileURL(join(ROOT, "scripts", "redline.ts")).href));
}
process.exitCode = await main(process.argv.slice(2));
// A PostgreSQL pool (and its listening connection) would keep the process alive after the command.
await closeSharedDatabases();
