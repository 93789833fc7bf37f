// First: configures zod before any route module builds a schema in the browser.
import "./zod-jitless.client";
import type { LinksFunction } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useMatches,
  useRouteError,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { UNEXPECTED_ERROR_ADVICE } from "./components/error-advice";
import { useNonce } from "./components/nonce";
import styles from "./styles/app.css";

export const links: LinksFunction = () => [
  { rel: "icon", href: "/favicon.ico", sizes: "48x48" },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
  { rel: "apple-touch-icon", href: "/apple-touch-icon.png" },
  { rel: "stylesheet", href: styles },
];

/**
 * A route whose `handle` has `hydrate: false` is sent as plain HTML without the client bundle (the
 * public policy pages: they need no JavaScript, and their documents stay small and cacheable).
 * Neither is the "page not found" answer to an address no route matches: outside /admin, the
 * Content-Security-Policy allows no script at all (server/security-headers.ts).
 */
export type RouteHandle = { hydrate?: boolean };

export function Layout({ children }: { children: ReactNode }) {
  const matches = useMatches();
  const hydrate =
    matches.length > 1 &&
    !matches.some((match) => (match.handle as RouteHandle | undefined)?.hydrate === false);
  const nonce = useNonce();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        {hydrate ? (
          <>
            <ScrollRestoration nonce={nonce} />
            <Scripts nonce={nonce} />
          </>
        ) : null}
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const detail = isRouteErrorResponse(error) && typeof error.data === "string" ? error.data : null;
  return (
    <main className="page error-page">
      <title>{notFound ? "Page not found" : "Something went wrong"}</title>
      <p className="error-status">{status}</p>
      <h1>
        {notFound
          ? "Page not found"
          : status < 500
            ? "That request cannot be answered"
            : "Something went wrong"}
      </h1>
      <p>
        {notFound
          ? "There is no policy or page at this address. It may have been renamed or never existed."
          : (detail ?? UNEXPECTED_ERROR_ADVICE)}
      </p>
      <p>
        <Link to="/">See all published policies</Link>
      </p>
    </main>
  );
}
