import { describe, expect, it } from "vitest";
import { describeLostText, findLostText } from "./text-integrity";

const source = [
  { text: "1. Who we are", line: 3 },
  { text: "Acme Ltd is the controller.", line: 5 },
  { text: "We keep logs\nfor thirty days and then delete them.", line: 7 },
  { text: "Contact: dpo@acme.example", line: 10 },
];

describe("checking that no text vanished", () => {
  it("accepts the same words however they are spaced or split into blocks", () => {
    expect(
      findLostText(
        source,
        "1.  Who we are\n\nAcme Ltd is the controller.We keep logs for thirty days and then delete them.\u00ad Contact: dpo@acme.example",
      ),
    ).toBeNull();
  });

  it("names the first missing words, their line and the words before them", () => {
    const lost = findLostText(
      source,
      "1. Who we are Acme Ltd is the controller. We keep logs Contact: dpo@acme.example",
    );
    expect(lost).toEqual({
      line: 8,
      missing: "for thirty days and then delete them. Contact:…",
      after: "is the controller. We keep logs",
    });
    expect(describeLostText(lost!)).toBe(
      'text would be lost at line 8: "for thirty days and then delete them. Contact:…" (after "is the controller. We keep logs")',
    );
  });

  it("finds text lost at the very end and at the very start", () => {
    expect(
      findLostText(
        source,
        "1. Who we are Acme Ltd is the controller. We keep logs for thirty days and then delete them.",
      ),
    ).toMatchObject({
      line: 10,
      missing: "Contact: dpo@acme.example",
    });
    expect(findLostText(source, "")).toMatchObject({
      line: 3,
      missing: expect.stringMatching(/^1\. Who we are/),
      after: "",
    });
  });

  it("does not let added text pass silently either", () => {
    const lost = findLostText([{ text: "Short.", line: 1 }], "Short. And more.");
    expect(lost).not.toBeNull();
    expect(describeLostText(lost!)).toMatch(/would add text that is not in the source/);
  });
});
