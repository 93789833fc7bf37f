/**
 * Names and titles that people type end up in email greetings, subjects, the admin pages and
 * CSV exports. Characters that are invisible there yet change what a reader sees are refused at
 * every entry: control characters (NUL, line breaks, tabs, escape …), the line and paragraph
 * separators, the bidirectional controls that reorder text ("Trojan Source": U+202A–U+202E,
 * U+2066–U+2069, U+200E, U+200F, U+061C) and broken UTF-16 (a lone surrogate). Pure, safe for
 * the browser.
 */

const FORBIDDEN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export type ForbiddenCharacter = {
  /** 1-based position in the text, counted in characters as a person sees them. */
  position: number;
  /** "U+202E". */
  codePoint: string;
  /** What the character is, in words. */
  kind: "a control character" | "a text-direction control" | "a line separator" | "a broken character";
};

/**
 * The first character a name or title must not contain, or null when there is none.
 * @example forbiddenCharacter("Ana\u202Egnp.exe") // { position: 4, codePoint: "U+202E", kind: "a text-direction control" }
 */
export function forbiddenCharacter(text: string): ForbiddenCharacter | null {
  const match = FORBIDDEN.exec(text);
  if (!match) return null;
  const code = match[0].charCodeAt(0);
  const kind =
    code >= 0xd800 && code <= 0xdfff
      ? "a broken character"
      : code === 0x2028 || code === 0x2029
        ? "a line separator"
        : code < 0x20 || (code >= 0x7f && code <= 0x9f)
          ? "a control character"
          : "a text-direction control";
  return {
    position: Array.from(text.slice(0, match.index)).length + 1,
    codePoint: `U+${code.toString(16).toUpperCase().padStart(4, "0")}`,
    kind,
  };
}

/**
 * Why `text` cannot be used as `what` (a name, a title), or null when it can.
 * @example displayTextProblem("name", "Ana\u0000") // 'name contains a control character (U+0000) at position 4; …'
 */
export function displayTextProblem(what: string, text: string): string | null {
  const found = forbiddenCharacter(text);
  if (!found) return null;
  return `${what} contains ${found.kind} (${found.codePoint}) at position ${found.position}; control characters, line breaks and text-direction controls are not allowed`;
}
