import type { ReactNode } from "react";
import { languageName } from "~/core/public/locales";

export type LocaleLink = { locale: string; href: string; current: boolean };

/**
 * The frame of every public page: a site header, an optional language switcher, the page's main
 * landmark in the document's language, and a footer with the policy's archive, feed and API links.
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
  return (
    <div className="public-site">
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <header className="public-header">
        <div className="public-header-inner">
          <a className="public-home" href="/">
            Policies
          </a>
          {locales.length > 1 ? <LanguageSwitcher locales={locales} /> : null}
        </div>
      </header>
      <main id="content" className="page public-page" lang={locale}>
        {children}
      </main>
      {footerLinks.length > 0 ? (
        <footer className="public-footer">
          <ul>
            {footerLinks.map((link) => (
              <li key={link.href}>
                <a href={link.href}>{link.label}</a>
              </li>
            ))}
          </ul>
        </footer>
      ) : null}
    </div>
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
