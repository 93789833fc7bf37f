/**
 * The organisation's branding (issue 16, item 6): its name, logo, accent colour, footer links and
 * support address, shown on the public site, in notice emails and in the dashboard banner. Pure:
 * the contrast rule, the logo's type and the few ways the name is woven into text. The form's zod
 * schema is in ./branding-input.ts, apart: this module is imported by the root's component tree,
 * and a zod schema built there would be built before the browser is told to run zod without eval
 * (app/zod-jitless.client.ts), a CSP violation.
 */
/** What a page, an email or the banner needs to carry the organisation's branding. */
export type Branding = {
  /** The revision these facts are (0: nothing saved yet, Redline's defaults). */
  revision: number;
  organisationName: string;
  /** The stored logo's content hash; served at logoPath(hash). Null: no logo. */
  logoHash: string | null;
  logoType: LogoType | null;
  accentColour: string;
  contactUrl: string | null;
  imprintUrl: string | null;
  supportEmail: string | null;
};

/** Redline's own look before anybody saves a branding: no name, the red the emails always had. */
export const DEFAULT_ACCENT = "#b42318";

export const DEFAULT_BRANDING: Branding = {
  revision: 0,
  organisationName: "",
  logoHash: null,
  logoType: null,
  accentColour: DEFAULT_ACCENT,
  contactUrl: null,
  imprintUrl: null,
  supportEmail: null,
};

/** Uploaded logos: small, and only types every browser shows in an <img>. */
const LOGO_TYPES = ["image/png", "image/jpeg", "image/svg+xml"] as const;
export type LogoType = (typeof LOGO_TYPES)[number];
/** A logo is shown at most 48 px high: 100 KB is plenty, and keeps the form under its body limit. */
export const MAX_LOGO_BYTES = 100 * 1024;

/** WCAG 2 AA for normal text: the accent colours links on white and is the background of white button text. */
export const MIN_CONTRAST = 4.5;

/** The relative luminance of an sRGB colour "#rrggbb" (WCAG 2.2, definition of relative luminance). */
function luminance(hex: string): number {
  const channel = (offset: number) => {
    const value = Number.parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** The contrast ratio of a colour against white, from 1 (white) to 21 (black). */
export function contrastWithWhite(hex: string): number {
  return 1.05 / (luminance(hex) + 0.05);
}

/**
 * The type of an uploaded logo from its bytes (never from the name or the browser's claim), or null
 * when it is none of LOGO_TYPES.
 */
export function sniffLogoType(bytes: Uint8Array): LogoType | null {
  const starts = (...signature: number[]) => signature.every((byte, i) => bytes[i] === byte);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "image/png";
  if (starts(0xff, 0xd8, 0xff)) return "image/jpeg";
  const head = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(0, 1024)).trimStart();
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(head)) {
    return "image/svg+xml";
  }
  return null;
}

/** Where a stored logo is served: the hash makes the address change with the image (cached for a year). */
export function logoPath(branding: Pick<Branding, "logoHash" | "logoType">): string | null {
  if (!branding.logoHash || !branding.logoType) return null;
  const extension =
    branding.logoType === "image/svg+xml" ? "svg" : branding.logoType === "image/png" ? "png" : "jpg";
  return `/branding/logo/${branding.logoHash}.${extension}`;
}

/** A page title followed by the organisation: "Privacy Policy — Acme GmbH" (just the title without one). */
export function titleWithOrganisation(
  title: string,
  branding: Pick<Branding, "organisationName"> | null | undefined,
) {
  const name = branding?.organisationName;
  return name && name !== title ? `${title} — ${name}` : title;
}

/**
 * The sender of notice emails: MAIL_FROM's address under the organisation's name
 * ("Acme GmbH <notices@acme.example>"), or MAIL_FROM as configured when no name is set.
 */
export function senderWithName(mailFrom: string, organisationName: string): string {
  if (!organisationName) return mailFrom;
  const address = /<([^<>]+)>\s*$/.exec(mailFrom)?.[1] ?? mailFrom.trim();
  // RFC 5322: a display name with specials is a quoted string (the name has no " or \ by validation).
  const name = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/.test(organisationName)
    ? organisationName
    : `"${organisationName}"`;
  return `${name} <${address}>`;
}
