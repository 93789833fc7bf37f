// `npm run build`, second step (after `remix build`): compiles the HTTP shell and the command line
// to plain JavaScript in build/, so that `npm start` and `redline` run with node and production
// dependencies only, and bundles the embeddable browser scripts into build/embed/, which their
// routes serve. `--watch-embed` (npm run dev) rebuilds only those scripts whenever they change.
import { writeFileSync } from "node:fs";
import { build, context } from "esbuild";

// Scripts that run on other companies' pages: one self-contained, minified IIFE each, lowered to
// ES2017 (the library functions they may use are held to ES2017 by app/embed/tsconfig.json).
const embed = {
  entryPoints: { "embed/policy": "app/embed/policy.ts", "embed/notices": "app/embed/notices.ts" },
  outdir: "build",
  bundle: true,
  format: "iife",
  platform: "browser",
  target: "es2017",
  minify: true,
  legalComments: "none",
  logLevel: "warning",
};
if (process.argv.includes("--watch-embed")) {
  await (await context(embed)).watch();
  console.log("watching app/embed for changes");
  await new Promise(() => {});
}

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
// The diff pool's worker thread (app/diff-pool.server.ts) loads this file beside build/index.js. It
// also draws PDFs (ADR 0030): pdfkit stays in node_modules (it reads its own data files), and the
// DejaVu fonts are found through their package (dejavu-fonts-ttf) from there, as from source.
await build({ ...common, entryPoints: { "diff-worker": "app/diff-worker.ts" }, packages: "external" });
await build(embed);
// Read by bin/build-state.js: the build is fresh when no source changed after this file.
writeFileSync("build/build-info.json", `${JSON.stringify({ builtAt: new Date().toISOString() })}\n`);
console.log(
  `built build/server.js, build/cli.js, build/diff-worker.js and build/embed/ in ${Date.now() - started} ms`,
);
