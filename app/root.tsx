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
  useLocation,
  useMatches,
  useRouteError,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { UNEXPECTED_ERROR_ADVICE } from "./components/error-advice";
import { useNonce } from "./components/nonce";
import { BrandedFooter, BrandedHeader, brandingStyle, usePublicBranding } from "./components/public-shell";
import { logoPath, titleWithOrganisation } from "./core/branding";
import { currentBranding } from "./models/branding.server";
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

/** What pages show of the organisation's branding (ADR 0026): public facts only. */
export type PublicBranding = {
  organisationName: string;
  logoSrc: string | null;
  accentColour: string | null;
  contactUrl: string | null;
  imprintUrl: string | null;
  supportEmail: string | null;
};

/**
 * The branding every page is framed with: public facts, the same for everyone, so a public page
 * stays cacheable (its ETag includes the branding revision, app/models/public-policies.server.ts).
 * A database that cannot be read leaves the pages unbranded rather than failing them.
 */
export async function loader(): Promise<{ branding: PublicBranding | null }> {
  try {
    const branding = await currentBranding();
    if (branding.revision === 0) return { branding: null };
    return {
      branding: {
        organisationName: branding.organisationName,
        logoSrc: logoPath(branding),
        accentColour: branding.accentColour,
        contactUrl: branding.contactUrl,
        imprintUrl: branding.imprintUrl,
        supportEmail: branding.supportEmail,
      },
    };
  } catch {
    return { branding: null };
  }
}

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
  const branding = usePublicBranding();
  // The workspace has its own frame; every other error page wears the organisation's.
  const branded = !useLocation().pathname.startsWith("/admin");
  const title = titleWithOrganisation(notFound ? "Page not found" : "Something went wrong", branding);
  const page = (
    <main className="page error-page">
      <title>{title}</title>
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
  if (!branded || !branding) return page;
  return (
    <div className="public-site" style={brandingStyle(branding)}>
      <BrandedHeader branding={branding} />
      {page}
      <BrandedFooter branding={branding} />
    </div>
  );
}
