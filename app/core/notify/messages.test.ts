import { describe, expect, it } from "vitest";
import { calendarDate, NOTICE_LANGUAGES, noticeLanguage, noticeMessages } from "./messages";

describe("notice message catalogues", () => {
  it("pick the reader's language from a locale, else English", () => {
    expect(noticeLanguage("de-AT")).toBe("de");
    expect(noticeLanguage("nl_BE")).toBe("nl");
    expect(noticeLanguage("pt-BR")).toBe("en");
    expect(noticeLanguage(null)).toBe("en");
  });

  it("format every message in every language without leaving a placeholder", () => {
    const values = {
      title: "Privacy Policy",
      name: "Pat",
      hasName: "yes",
      date: calendarDate("2026-12-31"),
      language: "X",
      source: "Y",
    };
    for (const language of NOTICE_LANGUAGES) {
      const { t } = noticeMessages(language);
      for (const key of [
        "subject",
        "greeting",
        "intro",
        "effective",
        "untranslated",
        "ackPageDone",
      ] as const) {
        const text = t(key, values);
        expect(text, `${language}.${key}`).not.toMatch(/[{}]/);
        expect(text.length).toBeGreaterThan(3);
      }
    }
  });

  it("print a stored calendar day as that day, whatever the server's time zone", () => {
    expect(noticeMessages("de").t("effective", { date: calendarDate("2026-12-31") })).toBe(
      "Die Änderungen gelten ab dem 31. Dezember 2026.",
    );
    expect(noticeMessages("es").t("bannerEffective", { date: calendarDate("2027-01-01") })).toBe(
      "Entra en vigor el 1 de enero de 2027.",
    );
  });

  it("greet with or without a name, and name languages in the reader's language", () => {
    const fr = noticeMessages("fr");
    expect(fr.t("greeting", { hasName: "yes", name: "Camille" })).toBe("Bonjour Camille,");
    expect(fr.t("greeting", { hasName: "no", name: "" })).toBe("Bonjour,");
    expect(fr.languageName("de")).toBe("allemand");
    expect(noticeMessages("nl").languageName("en")).toBe("Engels");
  });
});
