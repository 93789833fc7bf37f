import { describe, expect, it } from "vitest";
import { languageName } from "./locales";
import { apiPath, policyPath } from "./urls";

describe("public URLs", () => {
  it("adds ?lang= only for a translation", () => {
    expect(policyPath("privacy", "en")).toBe("/policies/privacy");
    expect(policyPath("privacy", "de", "/versions")).toBe("/policies/privacy/versions?lang=de");
    expect(policyPath("privacy", "de", "/compare", { from: 1, to: 2 })).toBe(
      "/policies/privacy/compare?from=1&to=2&lang=de",
    );
    expect(apiPath("privacy", "en", "/versions/3")).toBe("/api/v1/policies/privacy/versions/3");
  });

  it("names languages in their own language", () => {
    expect(languageName("de")).toBe("Deutsch");
    expect(languageName("en")).toBe("English");
    expect(languageName("xx")).toBe("xx");
  });
});
