import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

type EmbedName = "policy" | "notices";

/**
 * Where scripts/build.mjs puts the bundles of app/embed/: beside the Remix build this module is
 * compiled into, or — when a test imports a route from the sources — build/ at the top.
 */
const PLACES = ["./embed/", "../../build/embed/"];

const loaded = new Map<EmbedName, string>();

/**
 * An embeddable browser script (app/embed/<name>.ts) as bundled by `npm run build`. Read once per
 * process: the file changes only with a new build, and development reloads the Remix build anyway.
 */
export function embedScript(name: EmbedName): string {
  let source = loaded.get(name);
  if (source === undefined) {
    source = read(name);
    loaded.set(name, source);
  }
  return source;
}

function read(name: EmbedName): string {
  for (const place of PLACES) {
    try {
      return readFileSync(fileURLToPath(new URL(`${place}${name}.js`, import.meta.url)), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  throw new Error(`build/embed/${name}.js is missing: run npm run build`);
}
