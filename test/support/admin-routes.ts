import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./server";

export type Handler = "loader" | "action";

/**
 * The admin route files as Remix reads them — `admin.tsx`, `admin.*`, or an `admin.*` folder's route
 * module — with the handlers each exports. The one source of truth for the tests that must cover
 * every admin route: the route × role matrix (test/integration/admin-routes.test.ts) and the browser
 * tour of every admin page (test/e2e/admin-pages.test.ts).
 */
export function readAdminRoutes(): { file: string; handlers: Handler[]; source: string }[] {
  const routes = join(ROOT, "app/routes");
  return readdirSync(routes, { withFileTypes: true })
    .filter((entry) => /^admin(\.|$)/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name))
    .map((entry) => {
      const source = entry.isDirectory()
        ? ["route.tsx", "route.ts", "route.jsx", "route.js"]
            .map((name) => join(routes, entry.name, name))
            .filter((path) => existsSync(path))
            .map((path) => readFileSync(path, "utf8"))
            .join("\n")
        : readFileSync(join(routes, entry.name), "utf8");
      const handlers = (["loader", "action"] as const).filter((handler) =>
        new RegExp(
          `export\\s+(?:async\\s+)?(?:function|const|let)\\s+${handler}\\b|export\\s*\\{[^}]*\\b${handler}\\b[^}]*\\}`,
        ).test(source),
      );
      return { file: entry.name, handlers, source };
    })
    .sort((a, b) => a.file.localeCompare(b.file));
}

/** Whether a route module renders a page (a default export), as opposed to a resource route. */
export function rendersPage(source: string): boolean {
  return /export\s+default\b/.test(source);
}
