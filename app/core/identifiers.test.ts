import { describe, expect, it } from "vitest";
import { isLocale, isSlug, MAX_SLUG_LENGTH, parsePositiveInteger } from "./identifiers";

describe("the one slug rule and the one locale rule", () => {
  it("takes slugs of lowercase letters, digits and single dashes, up to 100 characters", () => {
    for (const slug of ["privacy", "cookie-policy", "dpa-2026", "a".repeat(MAX_SLUG_LENGTH)]) {
      expect(isSlug(slug)).toBe(true);
    }
    for (const slug of [
      "",
      "Privacy",
      "cookie--policy",
      "-privacy",
      "privacy-",
      "a b",
      "a".repeat(101),
      "priv%61cy",
    ]) {
      expect(isSlug(slug)).toBe(false);
    }
  });

  it("takes language tags such as en, de and pt-BR, up to 35 characters", () => {
    for (const locale of ["en", "de", "pt-BR", "zh-Hant-TW", "gsw"]) expect(isLocale(locale)).toBe(true);
    for (const locale of ["", "EN", "e", "english", "pt_BR", "de-", `en${"-ab".repeat(20)}`]) {
      expect(isLocale(locale)).toBe(false);
    }
  });
});

describe("the one positive-integer rule of URLs and the command line", () => {
  it("reads 1 to 10 digits without a leading zero", () => {
    expect(["1", "42", "9999999999"].map(parsePositiveInteger)).toEqual([1, 42, 9_999_999_999]);
  });

  it.each([undefined, null, "", "0", "007", "-1", "+1", "1e3", "1.0", " 1", "1 ", "0x10", "99999999999"])(
    "refuses %o",
    (value) => {
      expect(parsePositiveInteger(value)).toBeNull();
    },
  );
});
