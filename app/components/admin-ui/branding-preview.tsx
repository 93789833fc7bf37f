import type { CSSProperties } from "react";
import { contrastWithWhite, DEFAULT_ACCENT, MIN_CONTRAST, titleWithOrganisation } from "../../core/branding";

type Values = {
  organisationName: string;
  accentColour: string;
  contactUrl: string;
  imprintUrl: string;
  supportEmail: string;
};

/**
 * How the branding being typed will look — the public page's header, title and footer, a notice
 * email's sender, header and footer, and the dashboard banner — redrawn on every keystroke. The
 * real pages are drawn by their own components; this is a faithful sketch, not a frame of them.
 */
export function BrandingPreview({
  values,
  logoSrc,
  logoPending,
}: {
  values: Values;
  logoSrc: string | null;
  logoPending: boolean;
}) {
  const valid =
    /^#[0-9a-fA-F]{6}$/.test(values.accentColour) &&
    contrastWithWhite(values.accentColour.toLowerCase()) >= MIN_CONTRAST;
  const accent = valid ? values.accentColour.toLowerCase() : DEFAULT_ACCENT;
  const name = values.organisationName.trim();
  const style = { "--preview-accent": accent } as CSSProperties;
  const links = [
    values.contactUrl.trim() ? "Contact" : null,
    values.imprintUrl.trim() ? "Imprint" : null,
    values.supportEmail.trim() ? `Support: ${values.supportEmail.trim()}` : null,
    name || null,
  ].filter((link): link is string => link !== null);
  const logo = logoSrc ? (
    <img src={logoSrc} alt="" height={24} />
  ) : logoPending ? (
    <span className="preview-logo-pending">[new logo]</span>
  ) : null;
  return (
    <section className="panel branding-preview" style={style} aria-label="Preview" aria-live="polite">
      <h2>Preview</h2>
      <h3>Public page</h3>
      <div className="preview-page" data-testid="preview-page">
        <p className="preview-tab">{titleWithOrganisation("Privacy Policy", { organisationName: name })}</p>
        <div className="preview-header">
          {logo}
          <strong>{name || "Policies"}</strong>
        </div>
        <p>
          Last updated 1 December 2026 · <span className="preview-link">All versions</span>
        </p>
        <div className="preview-footer">{["All versions", "Atom feed", ...links].join(" · ")}</div>
      </div>
      <h3>Notice email</h3>
      <div className="preview-email" data-testid="preview-email">
        <p className="small">
          From: <strong>{name || "Redline"}</strong>
        </p>
        <div className="preview-header">
          {logo}
          <strong>{name}</strong>
        </div>
        <p>We have updated our Privacy Policy.</p>
        <span className="preview-button">What changed</span>
        <div className="preview-footer">{links.join(" · ")}</div>
      </div>
      <h3>Dashboard banner</h3>
      <div className="preview-banner" data-testid="preview-banner">
        {name ? <p className="small preview-from">{name}</p> : null}
        <strong>Privacy Policy updated</strong>
        <p>
          <span className="preview-link">What changed</span> <span className="preview-button">Dismiss</span>
        </p>
      </div>
    </section>
  );
}
