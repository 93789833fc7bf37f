import { describe, expect, it } from "vitest";
import { audienceLanguages } from "./fallback-languages";

describe("the languages of a notice's audience", () => {
  it("say who falls back to the source's summary, and whose buttons stay English", () => {
    const languages = audienceLanguages(
      "en",
      [
        { locale: "en", subscribers: 10 },
        { locale: "de-DE", subscribers: 3 },
        { locale: "de", subscribers: 2 },
        { locale: "ja", subscribers: 1 },
      ],
      ["fr"],
    );
    expect(languages).toEqual([
      { language: "en", subscribers: 10, catalogue: true, translated: true },
      { language: "de", subscribers: 5, catalogue: true, translated: false },
      { language: "ja", subscribers: 1, catalogue: false, translated: false },
    ]);
  });
});
