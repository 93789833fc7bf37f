// Whether build/ matches the sources. Plain JavaScript: it runs before anything is compiled, and
// in an installation that holds only the build (no sources), where the build is taken as it is.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SOURCE_DIRS = ["app", "server", "scripts", "db"];
const SOURCE_FILES = ["package.json", "package-lock.json", "remix.config.js", "tsconfig.json"];
const INFO = join(ROOT, "build", "build-info.json");

function newestChange(path) {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === "node_modules" || entry.startsWith(".") || /\.test\.tsx?$/.test(entry)) continue;
    newest = Math.max(newest, newestChange(join(path, entry)));
  }
  return newest;
}

/** "fresh", "stale" (sources changed since) or "missing". */
export function buildState() {
  if (!existsSync(INFO) || !existsSync(join(ROOT, "build", "index.js"))) return "missing";
  if (!existsSync(join(ROOT, "app"))) return "fresh";
  const builtAt = statSync(INFO).mtimeMs;
  const newest = Math.max(
    ...SOURCE_DIRS.map((dir) => newestChange(join(ROOT, dir))),
    ...SOURCE_FILES.map((file) => newestChange(join(ROOT, file))),
  );
  return newest > builtAt ? "stale" : "fresh";
}

/** Whether this installation can build (the sources and the dev dependencies are here). */
export function canBuild() {
  return existsSync(join(ROOT, "app")) && existsSync(join(ROOT, "node_modules", "@remix-run", "dev"));
}
