import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The installation's folder (holding package.json, build/, public/, content/): the nearest one
 * above this module, which runs from server/ in the sources and from build/ when compiled.
 */
export function installRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error("cannot find the installation folder (no package.json above the server)");
    dir = parent;
  }
  return dir;
}
