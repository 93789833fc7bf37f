import { describe, expect, it } from "vitest";
import { contrastWithWhite, senderWithName, sniffLogoType, titleWithOrganisation } from "./branding";
import { BrandingInput, brandingErrors } from "./branding-input";

const valid = {
  organisationName: "Acme GmbH",
  accentColour: "#1D4ED8",
  contactUrl: "https://acme.example/contact",
  imprintUrl: "",
  supportEmail: "privacy@acme.example",
};

function errorsOf(input: Record<string, string>) {
  const parsed = BrandingInput.safeParse(input);
  return parsed.success ? {} : brandingErrors(parsed.error);
}

describe("the branding form", () => {
  it("accepts a complete branding, lower-cases the colour and turns empty links into none", () => {
    expect(BrandingInput.parse(valid)).toEqual({
      organisationName: "Acme GmbH",
      accentColour: "#1d4ed8",
      contactUrl: "https://acme.example/contact",
      imprintUrl: null,
      supportEmail: "privacy@acme.example",
    });
  });

  it("refuses a javascript: link with a message that says which protocols are allowed", () => {
    expect(errorsOf({ ...valid, contactUrl: "javascript:alert(1)" }).contactUrl).toBe(
      "The contact link must start with https:// or mailto:, not javascript: — other kinds of link can run code or lead nowhere.",
    );
    expect(errorsOf({ ...valid, imprintUrl: "data:text/html,<b>x</b>" }).imprintUrl).toMatch(/not data:/);
    expect(errorsOf({ ...valid, imprintUrl: "http://acme.example/imprint" }).imprintUrl).toMatch(/not http:/);
    expect(errorsOf({ ...valid, imprintUrl: "mailto:legal@acme.example" })).toEqual({});
  });

  it("refuses a pale accent colour, naming its contrast, and a colour not written as #rrggbb", () => {
    expect(errorsOf({ ...valid, accentColour: "#ffcc00" }).accentColour).toBe(
      "The accent colour #ffcc00 has a contrast of 1.5:1 against white; links and buttons need at least 4.5:1. Choose a darker colour.",
    );
    expect(errorsOf({ ...valid, accentColour: "blue" }).accentColour).toMatch(/#rrggbb/);
  });

  it("refuses a name that would break an email header, and a support address that is not one", () => {
    expect(errorsOf({ ...valid, organisationName: "Acme\r\nBcc: x@y" }).organisationName).toMatch(
      /line breaks/,
    );
    expect(errorsOf({ ...valid, organisationName: " " }).organisationName).toBe(
      "Enter the organisation's name.",
    );
    expect(errorsOf({ ...valid, supportEmail: "privacy at acme" }).supportEmail).toMatch(
      /not an email address/,
    );
  });
});

describe("branding in words", () => {
  it("measures contrast as WCAG does", () => {
    expect(contrastWithWhite("#000000")).toBeCloseTo(21, 5);
    expect(contrastWithWhite("#ffffff")).toBeCloseTo(1, 5);
    expect(contrastWithWhite("#767676")).toBeGreaterThanOrEqual(4.5);
  });

  it("puts the organisation after page titles and before the sender's address", () => {
    expect(titleWithOrganisation("Privacy Policy", { organisationName: "Acme GmbH" })).toBe(
      "Privacy Policy — Acme GmbH",
    );
    expect(titleWithOrganisation("Privacy Policy", { organisationName: "" })).toBe("Privacy Policy");
    expect(senderWithName("Redline <notices@acme.example>", "Acme GmbH")).toBe(
      "Acme GmbH <notices@acme.example>",
    );
    expect(senderWithName("notices@acme.example", "Acme, Inc.")).toBe('"Acme, Inc." <notices@acme.example>');
    expect(senderWithName("Redline <notices@acme.example>", "")).toBe("Redline <notices@acme.example>");
  });

  it("tells a logo's type from its bytes, not its name", () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
    expect(sniffLogoType(png)).toBe("image/png");
    expect(
      sniffLogoType(
        new TextEncoder().encode('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'),
      ),
    ).toBe("image/svg+xml");
    expect(sniffLogoType(new TextEncoder().encode("<html><script>alert(1)</script>"))).toBeNull();
  });
});
