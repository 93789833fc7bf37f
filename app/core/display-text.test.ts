import { describe, expect, it } from "vitest";
import { displayTextProblem, forbiddenCharacter } from "./display-text";

describe("names and titles people type", () => {
  it.each([
    ["Ana Lima"],
    ["José Álvarez-Núñez"],
    ["محمد"],
    ["Zoë 👩‍💻"],
    ["میرزا\u200cیی"], // Persian names need the zero-width non-joiner
  ])("accepts %s", (name) => {
    expect(displayTextProblem("name", name)).toBeNull();
  });

  it.each([
    ["Ana\u0000", "U+0000", "a control character", 4],
    ["Ana\nBcc: x", "U+000A", "a control character", 4],
    ["Ana\tLima", "U+0009", "a control character", 4],
    ["Ana\u202Egnp.exe", "U+202E", "a text-direction control", 4],
    ["\u2066Ana\u2069", "U+2066", "a text-direction control", 1],
    ["A\u200Fna", "U+200F", "a text-direction control", 2],
    ["Ana\u2028Lima", "U+2028", "a line separator", 4],
    ["👩‍💻\ud800", "U+D800", "a broken character", 4],
  ])("refuses %j, naming %s", (name, codePoint, kind, position) => {
    expect(forbiddenCharacter(name)).toEqual({ codePoint, kind, position });
    expect(displayTextProblem("name", name)).toBe(
      `name contains ${kind} (${codePoint}) at position ${position}; control characters, line breaks and text-direction controls are not allowed`,
    );
  });
});
