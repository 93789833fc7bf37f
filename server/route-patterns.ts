/**
 * Names a request by the Remix route that answers it — its path pattern, such as
 * `/policies/:slug/versions/:n` — so that metrics and logs group requests by page, never by URL
 * (an unbounded set that also carries slugs, ids and whatever a client typed).
 */
import type { ServerBuild } from "@remix-run/node";
import { matchRoutes } from "@remix-run/react";

/** Files served from public/ (and unknown files under /build/). */
export const STATIC_ROUTE = "static";
/** Anything no route and no file answers (404s for made-up addresses). */
export const UNMATCHED_ROUTE = "unmatched";

type RouteNode = Parameters<typeof matchRoutes>[0][number];

/** Distinct paths remembered; past that the memory starts over (made-up paths must not grow it). */
const MAX_REMEMBERED = 2000;

/**
 * A function from a URL path to its route pattern, or null when no route matches. Matching walks
 * and ranks every route (react-router's matchRoutes), so answers are remembered per path.
 */
export function routePatterns(routes: ServerBuild["routes"]): (pathname: string) => string | null {
  const all = Object.values(routes);
  const nest = (parentId: string | undefined): RouteNode[] =>
    all
      .filter((route) => route.parentId === parentId)
      .map(
        (route): RouteNode =>
          // An index route has no children (react-router's types insist).
          route.index
            ? { id: route.id, path: route.path, index: true, caseSensitive: route.caseSensitive }
            : {
                id: route.id,
                path: route.path,
                caseSensitive: route.caseSensitive,
                children: nest(route.id),
              },
      );
  const tree = nest(undefined);
  const remembered = new Map<string, string | null>();

  return (pathname) => {
    const path = dataRequestPath(pathname);
    if (path === "/__manifest") return path;
    const known = remembered.get(path);
    if (known !== undefined) return known;
    const matches = matchRoutes(tree, path);
    const pattern = matches
      ? `/${matches
          .map((match) => match.route.path)
          .filter((segment): segment is string => !!segment)
          .join("/")}`.replace(/\/{2,}/g, "/")
      : null;
    if (remembered.size >= MAX_REMEMBERED) remembered.clear();
    remembered.set(path, pattern);
    return pattern;
  };
}

/** Single fetch asks for a page's data at `<path>.data` (`/_root.data` for the home page). */
function dataRequestPath(pathname: string): string {
  if (pathname === "/_root.data") return "/";
  return pathname.endsWith(".data") ? pathname.slice(0, -".data".length) : pathname;
}
