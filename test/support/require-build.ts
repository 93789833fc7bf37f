import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** HTTP and browser tests run the real server, which serves the Remix build. */
export default function requireBuild() {
  if (!existsSync(fileURLToPath(new URL("../../build/server.js", import.meta.url)))) {
    throw new Error("No build: run `npm run build` first (npm test does it for you).");
  }
}
