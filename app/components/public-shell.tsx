import type { MetaArgs } from "@remix-run/node";
import { useRouteLoaderData } from "@remix-run/react";
import type { CSSProperties, ReactNode } from "react";
import { titleWithOrganisation } from "~/core/branding";
import { languageName } from "~/core/public/locales";
import type { PublicBranding, loader as rootLoader } from "~/root";

export type LocaleLink = { locale: string; href: string; current: boolean };

/** The branding the root loader read for this request (null when it could not be read). */
export function usePublicBranding(): PublicBranding | null {
  return useRouteLoaderData<typeof rootLoader>("root")?.branding ?? null;
}

/** A public page's title followed by the organisation's name, from the root loader's data (ADR 0026). */
export function organisationTitle(title: string, matches: MetaArgs["matches"]): string {
  const root = matches.find((match) => match.id === "root")?.data as
    | { branding?: PublicBranding }
    | undefined;
  return titleWithOrganisation(title, root?.branding);
}

/**
 * The frame of every public page: a site header with the organisation's logo and name, an optional
 * language switcher, the page's main landmark in the document's language, and a footer with the
 * policy's archive, feed and API links and the organisation's contact, imprint and support links.
 */
export function PublicShell({
  children,
  locale = "en",
  locales = [],
  footerLinks = [],
}: {
  children: ReactNode;
  locale?: string;
  locales?: LocaleLink[];
  footerLinks?: { href: string; label: string }[];
}) {
  const branding = usePublicBranding();
  return (
    <div className="public-site" style={brandingStyle(branding)}>
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <BrandedHeader branding={branding}>
        {locales.length > 1 ? <LanguageSwitcher locales={locales} /> : null}
      </BrandedHeader>
      <main id="content" className="page public-page" lang={locale}>
        {children}
      </main>
      <BrandedFooter branding={branding} links={footerLinks} />
    </div>
  );
}

/** The accent colour as the pages' --accent (a style attribute: the public CSP allows those, not <style>). */
export function brandingStyle(branding: PublicBranding | null): CSSProperties | undefined {
  return branding?.accentColour ? ({ "--accent": branding.accentColour } as CSSProperties) : undefined;
}

/** The site header: the organisation's logo and name (or "Policies" before any branding is saved). */
export function BrandedHeader({
  branding,
  children,
}: {
  branding: PublicBranding | null;
  children?: ReactNode;
}) {
  const name = branding?.organisationName;
  return (
    <header className="public-header">
      <div className="public-header-inner">
        <a className="public-home" href="/">
          {/* The name follows, so the logo is decoration to a screen reader. */}
          {name && branding?.logoSrc ? (
            <img className="public-logo" src={branding.logoSrc} alt="" height={32} />
          ) : null}
          {name || "Policies"}
        </a>
        {children}
      </div>
    </header>
  );
}

/** The site footer: the page's own links, then the organisation's contact, imprint and support address. */
export function BrandedFooter({
  branding,
  links = [],
}: {
  branding: PublicBranding | null;
  links?: { href: string; label: string }[];
}) {
  const own = [
    ...(branding?.contactUrl ? [{ href: branding.contactUrl, label: "Contact" }] : []),
    ...(branding?.imprintUrl ? [{ href: branding.imprintUrl, label: "Imprint" }] : []),
  ];
  if (links.length === 0 && own.length === 0 && !branding?.supportEmail && !branding?.organisationName)
    return null;
  return (
    <footer className="public-footer">
      <ul>
        {links.map((link) => (
          <li key={link.href}>
            <a href={link.href}>{link.label}</a>
          </li>
        ))}
        {own.map((link) => (
          <li key={link.label} className="organisation-link">
            <a href={link.href}>{link.label}</a>
          </li>
        ))}
        {branding?.supportEmail ? (
          <li className="organisation-link">
            Support: <a href={`mailto:${branding.supportEmail}`}>{branding.supportEmail}</a>
          </li>
        ) : null}
        {branding?.organisationName ? (
          <li className="organisation-name">{branding.organisationName}</li>
        ) : null}
      </ul>
    </footer>
  );
}

function LanguageSwitcher({ locales }: { locales: LocaleLink[] }) {
  return (
    <nav className="language-switcher" aria-label="Language">
      <ul>
        {locales.map((entry) => (
          <li key={entry.locale}>
            {entry.current ? (
              <span aria-current="true" lang={entry.locale}>
                {languageName(entry.locale)}
              </span>
            ) : (
              <a href={entry.href} hrefLang={entry.locale} lang={entry.locale}>
                {languageName(entry.locale)}
              </a>
            )}
          </li>
        ))}
      </ul>
    </nav>
  );
}
