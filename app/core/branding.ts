/**
 * The organisation's branding (issue 16, item 6): its name, logo, accent colour, footer links and
 * support address, shown on the public site, in notice emails and in the dashboard banner. Pure:
 * the form's validation, the contrast rule and the few ways the name is woven into text. Shared
 * by the server and the settings page (the preview validates as the person types).
 */
import { z } from "zod";

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
export const LOGO_TYPES = ["image/png", "image/jpeg", "image/svg+xml"] as const;
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

const COLOUR = /^#[0-9a-f]{6}$/;

/** Links people follow from every page and email: only https: and mailto:, never javascript: or data:. */
const SAFE_LINK_PROTOCOLS = ["https:", "mailto:"];

function optionalLink(label: string) {
  return z
    .string()
    .trim()
    .max(500, `${label} is longer than 500 characters.`)
    .transform((value, ctx) => {
      if (value === "") return null;
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({
          code: "custom",
          message: `${label} must be a full address starting with https:// or mailto: (got "${value.slice(0, 60)}").`,
        });
        return z.NEVER;
      }
      if (!SAFE_LINK_PROTOCOLS.includes(url.protocol)) {
        ctx.addIssue({
          code: "custom",
          message: `${label} must start with https:// or mailto:, not ${url.protocol} — other kinds of link can run code or lead nowhere.`,
        });
        return z.NEVER;
      }
      if (url.protocol === "https:" && (!url.hostname || url.username || url.password)) {
        ctx.addIssue({
          code: "custom",
          message: `${label} must name a web site, without a user name or password.`,
        });
        return z.NEVER;
      }
      return url.href;
    });
}

/**
 * The branding form, as people type it. Text fields are trimmed; empty optional fields become null.
 * Control characters are refused in the name: it becomes an email's sender display name.
 */
export const BrandingInput = z.object({
  organisationName: z
    .string()
    .trim()
    .min(1, "Enter the organisation's name.")
    .max(100, "The organisation's name is longer than 100 characters.")
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    .refine((value) => !/[\u0000-\u001f\u007f<>"\\]/.test(value), {
      message: "The organisation's name cannot contain line breaks, < > \" or \\.",
    }),
  accentColour: z
    .string()
    .trim()
    .toLowerCase()
    .regex(COLOUR, "The accent colour must be written as #rrggbb, for example #1d4ed8.")
    .refine((value) => contrastWithWhite(value) >= MIN_CONTRAST, {
      error: (issue) =>
        `The accent colour ${issue.input} has a contrast of ${contrastWithWhite(String(issue.input)).toFixed(1)}:1 against white; links and buttons need at least ${MIN_CONTRAST}:1. Choose a darker colour.`,
    }),
  contactUrl: optionalLink("The contact link"),
  imprintUrl: optionalLink("The imprint link"),
  supportEmail: z
    .string()
    .trim()
    .max(254, "The support address is longer than 254 characters.")
    .transform((value, ctx) => {
      if (value === "") return null;
      if (!z.email().safeParse(value).success) {
        ctx.addIssue({
          code: "custom",
          message: `The support address "${value.slice(0, 60)}" is not an email address.`,
        });
        return z.NEVER;
      }
      return value;
    }),
});
export type BrandingInput = z.infer<typeof BrandingInput>;

/** The fields of a refused form, each with its first message. */
export function brandingErrors(error: z.ZodError): Partial<Record<keyof BrandingInput | "logo", string>> {
  const errors: Partial<Record<string, string>> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? "organisationName");
    errors[field] ??= issue.message;
  }
  return errors;
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
