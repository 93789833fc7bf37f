// `npm run build`, second step (after `remix build`): compiles the HTTP shell and the command line
// to plain JavaScript in build/, so that `npm start` and `redline` run with node and production
// dependencies only.
import { writeFileSync } from "node:fs";
import { build } from "esbuild";

const started = Date.now();
const common = {
  outdir: "build",
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  legalComments: "none",
  logLevel: "warning",
};
// The shell loads the Remix build and a few HTTP packages: they stay in node_modules.
await build({ ...common, entryPoints: { server: "server/index.ts" }, packages: "external" });
// The command line starts once per call: one bundle with its packages loads in a third of the time
// that resolving hundreds of files from node_modules takes. Native addons (and pino, which loads
// its workers from files) stay external; commands load their heavy parts on demand (chunks).
await build({
  ...common,
  entryPoints: { cli: "scripts/redline.ts" },
  splitting: true,
  chunkNames: "cli/[name]-[hash]",
  external: ["better-sqlite3", "@node-rs/argon2", "pino"],
  // Bundled CommonJS packages call require(); give the ES module one.
  banner: {
    js: "import { createRequire as __redlineRequire } from 'node:module'; const require = __redlineRequire(import.meta.url);",
  },
});
// Read by bin/build-state.js: the build is fresh when no source changed after this file.
writeFileSync("build/build-info.json", `${JSON.stringify({ builtAt: new Date().toISOString() })}\n`);
console.log(`built build/server.js and build/cli.js in ${Date.now() - started} ms`);
