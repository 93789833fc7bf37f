/**
 * The branding form's rules (ADR 0026), shared by the settings page — which checks each field as
 * the person types — and its action, which checks again.
 */
import { z } from "zod";
import { contrastWithWhite, MIN_CONTRAST } from "./branding";

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
