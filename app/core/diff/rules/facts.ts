// What one block says, in the terms a lawyer checks: read once per block and shared by every rule.
import { type Block, SECTION_SEPARATOR } from "../blocks";
import {
  AGE_LIMIT,
  ARTICLE_6_LETTER,
  BASIS_BY_LETTER,
  CHILDREN_CONTEXT,
  COMPANY_NAME,
  COMPANY_NUMBER,
  CONSENT_NOT_A_BASIS,
  CONTACT_SECTION,
  CONTROLLER_CONTEXT,
  CONTROLLER_SECTION,
  DATA_CATEGORIES,
  DATE,
  DATELINE,
  DURATION,
  EMAIL,
  KNOWN_COMPANIES,
  LEGAL_BASES,
  NAME_STOPWORDS,
  NEGATION,
  NUMBER_WORD_VALUES,
  OPEN_ENDED_RETENTION,
  PHONE,
  PLAIN_NUMBER,
  POSTCODE,
  PROCESSING_PURPOSES,
  RECIPIENT_CATEGORIES,
  RECIPIENT_COLUMN,
  REFERENCE,
  RETENTION_COLUMN,
  RETENTION_CONTEXT,
  RETENTION_SECTION,
  SHARING_CONTEXT,
  SHARING_VERB,
  STREET_ADDRESS,
  TRANSFER_COLUMN,
  TRANSFER_CONTEXT,
  TRANSFER_DESTINATIONS,
  TRANSFER_SECTION,
  URL,
  USER_RIGHTS,
} from "../lexicon";
import { collapseWhitespace, normalizeTypography, stripHeadingNumber } from "../normalize";

/** What a block says, in the terms a lawyer checks. Keys are canonical; `shown` maps them to the text found. */
export type Facts = {
  companies: Set<string>;
  recipientCompanies: Set<string>;
  recipientCategories: Set<string>;
  dataCategories: Set<string>;
  destinations: Set<string>;
  rights: Set<string>;
  bases: Set<string>;
  /** Purposes of processing stated affirmatively (advertising, selling data, training AI models, …). */
  purposes: Set<string>;
  /** Age limits stated in a clause about children or ages ("under the age of 16" → "16"). */
  ages: string[];
  durations: string[];
  numbers: string[];
  contacts: Set<string>;
  retention: boolean;
  controller: boolean;
  contact: boolean;
  dateline: boolean;
  shown: Map<string, string>;
};

export const RIGHT_PATTERNS = new Map(USER_RIGHTS);
const CONTACT_PATTERNS = [EMAIL, PHONE, POSTCODE, STREET_ADDRESS, COMPANY_NUMBER];
// Every one of these but EMAIL needs a digit, and EMAIL needs an "@": a block without either skips them.
const CONTACT_PATTERNS_NO_EMAIL = CONTACT_PATTERNS.filter((pattern) => pattern !== EMAIL);
function contactPatterns(hasDigits: boolean, hasAt: boolean): RegExp[] {
  if (hasDigits) return hasAt ? CONTACT_PATTERNS : CONTACT_PATTERNS_NO_EMAIL;
  return hasAt ? [EMAIL] : [];
}
/** Numbers in these are dates, cross-references, contact details or links, not terms of the policy. */
const NOT_TERMS = [
  URL,
  EMAIL,
  PHONE,
  POSTCODE,
  STREET_ADDRESS,
  COMPANY_NUMBER,
  DATE,
  REFERENCE,
  ARTICLE_6_LETTER,
];
/** NOT_TERMS that can match the text: all but URL and EMAIL need a digit, EMAIL needs an "@". */
const NOT_TERMS_NO_EMAIL = NOT_TERMS.filter((pattern) => pattern !== EMAIL);
const NOT_TERMS_WITHOUT_DIGITS = [URL, EMAIL];
function notTerms(hasDigits: boolean, hasAt: boolean): RegExp[] {
  if (hasDigits) return hasAt ? NOT_TERMS : NOT_TERMS_NO_EMAIL;
  return hasAt ? NOT_TERMS_WITHOUT_DIGITS : [URL];
}
// Cheap tests that let most blocks skip the costlier patterns.
const LEGAL_FORM_HINT =
  /\b(?:Inc|Incorporated|Ltd|Limited|LLC|LLP|L\.[LP]|GmbH|AG|KG|SE|S\.?A|SAS|SARL|S\.à|B\.?V|N\.?V|ApS|A\/S|AB|Oyj?|plc|PLC|Corp|Corporation|Co|Pty|Pte|K\.K|S\.r\.l|S\.p\.A|SpA|S\.L|Sp|ASA|Lda)\b/;
const NUMBER_WORD_HINT = new RegExp(`\\b(?:${Object.keys(NUMBER_WORD_VALUES).join("|")})\\b`, "i");
/** One test per block before trying each pattern of a list: most blocks mention none of them. */
const anyOf = (patterns: Array<[string, RegExp]>) =>
  new RegExp(patterns.map(([, pattern]) => `(?:${pattern.source})`).join("|"), "im");
const ANY_RECIPIENT = anyOf(RECIPIENT_CATEGORIES);
const ANY_CATEGORY = anyOf(DATA_CATEGORIES);
const ANY_RIGHT = anyOf(USER_RIGHTS);
const ANY_PURPOSE = anyOf(PROCESSING_PURPOSES);
/** Selling a business is a corporate transaction (see the buyers recipient), not selling data. */
const CORPORATE_TRANSACTION =
  /\bmerger|\bacqui(?:red|sition)|\bbankrupt|\breorgani[sz]|\b(?:sale|sell) (?:of )?(?:all|part|some|substantially|our (?:business|company|assets))/i;
export const PURPOSE_PATTERNS = new Map(PROCESSING_PURPOSES);
const ANY_BASIS = new RegExp(`${anyOf(LEGAL_BASES).source}|${ARTICLE_6_LETTER.source}`, "i");
export const RECIPIENT_PATTERNS = new Map(RECIPIENT_CATEGORIES);
export const CATEGORY_PATTERNS = new Map(DATA_CATEGORIES);
export const ANY_DESTINATION = new RegExp(TRANSFER_DESTINATIONS.source, "u");

/**
 * What one sentence says, read once per comparison: a long clause edited in one sentence keeps all
 * its other sentences, and the old and new clause share those readings. Each list keeps the matches
 * in the order readFacts records them, so replaying them gives the same facts as reading again.
 */
type SentenceReading = {
  negated?: boolean;
  sharingVerb?: boolean;
  recipients?: Array<[string, string]>;
  categories?: Array<[string, string]>;
  transferContext?: boolean;
  destinations?: string[];
  rights?: Array<[string, string]>;
  bases?: Array<[string, string]>;
  purposes?: Array<[string, string]>;
};
/** Sentence readings shared by every block read in one comparison; never kept beyond it. */
export type SentenceCache = Map<string, SentenceReading>;

function firstMatches(
  sentence: string,
  any: RegExp,
  patterns: Array<[string, RegExp]>,
): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  if (!any.test(sentence)) return found;
  for (const [name, pattern] of patterns) {
    const match = pattern.exec(sentence);
    if (match) found.push([name, match[0]]);
  }
  return found;
}

function rightsIn(sentence: string): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  const wording = sentence.replace(/\bright not to\b/gi, "right to");
  const negated = isNegated(wording) && !/\bnot to be subject to\b/i.test(sentence);
  if (negated || !ANY_RIGHT.test(sentence)) return found;
  for (const [name, pattern] of USER_RIGHTS) {
    const match = pattern.exec(sentence);
    if (match) found.push([name, trimEnd(match[0].replace(/^\W+/, ""), " \t\n\r\f\v\u00a0:–-")]);
  }
  return found;
}

function purposesIn(sentence: string): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  if (!ANY_PURPOSE.test(sentence)) return found;
  for (const [name, pattern] of PROCESSING_PURPOSES) {
    const match = pattern.exec(sentence);
    if (!match || (name === "selling personal data" && CORPORATE_TRANSACTION.test(sentence))) continue;
    found.push([name, match[0]]);
  }
  return found;
}

function basesIn(sentence: string): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  const wording = sentence.replace(CONSENT_NOT_A_BASIS, " ");
  if (!ANY_BASIS.test(wording)) return found;
  for (const [name, pattern] of LEGAL_BASES) {
    const match = pattern.exec(wording);
    if (match) found.push([name, match[0]]);
  }
  for (const match of matchesOf(wording, ARTICLE_6_LETTER))
    found.push([BASIS_BY_LETTER[match[1].toLowerCase()], match[0].trim()]);
  return found;
}

export function readFacts(block: Block, cache: SentenceCache = new Map()): Facts {
  const reading = (sentence: string): SentenceReading => {
    let found = cache.get(sentence);
    if (!found) {
      found = {};
      cache.set(sentence, found);
    }
    return found;
  };
  const text = collapseWhitespace(
    normalizeTypography(block.kind === "heading" ? stripHeadingNumber(block.text) : block.text),
  );
  const section = block.section;
  const column = block.column ?? "";
  const shown = new Map<string, string>();
  const sentences = splitSentences(text);
  const affirmative = sentences.filter((sentence) => {
    const read = reading(sentence);
    read.negated ??= isNegated(sentence);
    return !read.negated;
  });

  const hasDigits = /\d/.test(text);
  const contacts = new Set<string>();
  for (const pattern of contactPatterns(hasDigits, text.includes("@"))) {
    for (const match of matchesOf(text, pattern)) {
      const key = `contact:${trimEnd(collapseWhitespace(match[0]).toLowerCase(), ".,;:")}`;
      contacts.add(key);
      shown.set(key, match[0].trim());
    }
  }

  const companies = new Set<string>();
  for (const pattern of LEGAL_FORM_HINT.test(text) ? [COMPANY_NAME, KNOWN_COMPANIES] : [KNOWN_COMPANIES]) {
    for (const match of matchesOf(text, pattern)) {
      const name = trimName(match[0]);
      const key = `company:${canonicalName(name)}`;
      companies.add(key);
      if (!shown.has(key)) shown.set(key, name);
    }
  }
  const sharingSection = SHARING_CONTEXT.test(section);
  if (block.kind === "tableCell" && sharingSection && RECIPIENT_COLUMN.test(column)) {
    const key = `company:${canonicalName(text)}`;
    companies.add(key);
    if (!shown.has(key)) shown.set(key, text);
  }

  // In a "who we are" or "contact us" clause a company is the controller or its representative,
  // not a recipient, and a place is an address, not a transfer.
  // The nearest heading decides: "1. Who We Are › 1.3 Our Data Protection Officer" is a contact point.
  const heading = section.split(SECTION_SEPARATOR).pop() ?? "";
  const controller =
    CONTROLLER_CONTEXT.test(text) ||
    (CONTROLLER_SECTION.test(heading) && !CONTACT_SECTION.test(heading)) ||
    (block.opening && companies.size > 0);
  const contact = controller || CONTACT_SECTION.test(section);
  const recipientCompanies = contact ? new Set<string>() : companies;
  if (contact) for (const company of companies) contacts.add(company);

  const recipientCategories = new Set<string>();
  for (const sentence of ANY_RECIPIENT.test(text) ? affirmative : []) {
    const read = reading(sentence);
    read.sharingVerb ??= SHARING_VERB.test(sentence);
    if (!read.sharingVerb && !sharingSection) continue;
    read.recipients ??= firstMatches(sentence, ANY_RECIPIENT, RECIPIENT_CATEGORIES);
    for (const [name, match] of read.recipients) {
      recipientCategories.add(name);
      shown.set(name, match);
    }
  }

  // No test of the whole text first (nor for purposes): these patterns have no anchors or lookarounds,
  // so a sentence, a piece of the text between spaces, matches only where the text does; reading the
  // sentences alone finds the same, and both versions share those readings.
  const dataCategories = new Set<string>();
  for (const sentence of affirmative) {
    const read = reading(sentence);
    read.categories ??= firstMatches(sentence, ANY_CATEGORY, DATA_CATEGORIES);
    for (const [name, match] of read.categories) {
      dataCategories.add(name);
      if (!shown.has(name)) shown.set(name, match);
    }
  }

  const destinations = new Set<string>();
  const transferClause = TRANSFER_SECTION.test(section) || TRANSFER_COLUMN.test(column);
  for (const sentence of contact ? [] : affirmative) {
    const read = reading(sentence);
    if (!transferClause) {
      read.transferContext ??= TRANSFER_CONTEXT.test(sentence);
      if (!read.transferContext) continue;
    }
    read.destinations ??= matchesOf(sentence, TRANSFER_DESTINATIONS).map((match) => match[0]);
    for (const place of read.destinations) {
      const key = `place:${canonicalPlace(place)}`;
      destinations.add(key);
      if (!shown.has(key)) shown.set(key, place);
    }
  }

  const rights = new Set<string>();
  for (const sentence of ANY_RIGHT.test(text) ? sentences : []) {
    const read = reading(sentence);
    read.rights ??= rightsIn(sentence);
    for (const [name, shownAs] of read.rights) {
      rights.add(name);
      if (!shown.has(name)) shown.set(name, shownAs);
    }
  }

  const bases = new Set<string>();
  for (const sentence of ANY_BASIS.test(text) ? affirmative : []) {
    const read = reading(sentence);
    read.bases ??= basesIn(sentence);
    for (const [name, shownAs] of read.bases) {
      bases.add(name);
      if (!shown.has(`basis:${name}`)) shown.set(`basis:${name}`, shownAs);
    }
  }

  const purposes = new Set<string>();
  for (const sentence of affirmative) {
    const read = reading(sentence);
    read.purposes ??= purposesIn(sentence);
    for (const [name, match] of read.purposes) {
      purposes.add(name);
      if (!shown.has(`purpose:${name}`)) shown.set(`purpose:${name}`, match);
    }
  }

  // An age in a clause about children is an age limit, not one more number.
  const ages: string[] = [];
  const ageWordings: string[] = [];
  const childrenClause = CHILDREN_CONTEXT.test(section);
  for (const sentence of /\d/.test(text) ? sentences : []) {
    if (!childrenClause && !CHILDREN_CONTEXT.test(sentence)) continue;
    for (const match of matchesOf(sentence, AGE_LIMIT)) {
      const age = match[1] ?? match[2] ?? match[3];
      ages.push(age);
      ageWordings.push(match[0]);
      if (!shown.has(`age:${age}`)) shown.set(`age:${age}`, age);
    }
  }

  // Numbers: dates, cross-references, contact details and links are not terms of the policy.
  let rest = hasDigits || NUMBER_WORD_HINT.test(text) ? text : "";
  for (const pattern of rest ? notTerms(hasDigits, text.includes("@")) : [])
    rest = rest.replace(pattern, " ");
  // "13 years of age" is an age limit, neither a duration nor one more number.
  if (rest) for (const wording of ageWordings) rest = rest.replace(wording, " ");
  const durations: string[] = [];
  rest = rest.replace(DURATION, (match, amount: string, upTo: string | undefined, unit: string) => {
    const value = (word: string) => String(NUMBER_WORD_VALUES[word.toLowerCase()] ?? word.replace(",", "."));
    const key = `${value(amount)}${upTo ? `-${value(upTo)}` : ""} ${unit.toLowerCase()}`;
    durations.push(key);
    shown.set(`duration:${key}`, match.trim());
    return " ";
  });
  for (const match of matchesOf(text, OPEN_ENDED_RETENTION)) {
    const key = match[0].toLowerCase();
    durations.push(key);
    shown.set(`duration:${key}`, match[0]);
  }
  const numbers = matchesOf(rest, PLAIN_NUMBER).map((match) => match[0]);
  const retention =
    RETENTION_CONTEXT.test(text) || RETENTION_SECTION.test(section) || RETENTION_COLUMN.test(column);

  return {
    companies,
    recipientCompanies,
    recipientCategories,
    dataCategories,
    destinations,
    rights,
    bases,
    purposes,
    ages,
    durations: retention ? durations : durations.filter((d) => /\d/.test(d)),
    numbers,
    contacts,
    retention,
    controller,
    contact,
    dateline: DATELINE.test(text),
    shown,
  };
}

/** Text to look for in a block before reading it for a contact key. */
export function contactFilter(key: string): string {
  const value = key.replace(/^(?:contact|company):/, "");
  return key.startsWith("company:") ? value.split(" ")[0] : value;
}

function splitSentences(text: string): string[] {
  return text.split(/(?<=[.!?;])\s+(?=[^a-z])|\n+/).filter((sentence) => sentence.trim() !== "");
}

function isNegated(sentence: string): boolean {
  return NEGATION.test(sentence);
}

function trimName(name: string): string {
  const parts = name.trim().split(/\s+/);
  while (parts.length > 1 && NAME_STOPWORDS.has(parts[0].toLowerCase())) parts.shift();
  return parts.join(" ");
}

export function canonicalName(name: string): string {
  return collapseWhitespace(name.toLowerCase().replace(/[.,]/g, " "));
}

function canonicalPlace(place: string): string {
  const lower = place.toLowerCase().replace(/\./g, "");
  if (/^(?:us|usa|united states(?: of america)?)$/.test(lower)) return "united states";
  if (/^(?:uk|united kingdom|great britain)$/.test(lower)) return "united kingdom";
  if (/^(?:uae|united arab emirates)$/.test(lower)) return "united arab emirates";
  return lower;
}

/** Phrases matched in `from` that `to` has fewer of. */
export function lostPhrases(from: string, to: string, pattern: RegExp): string[] {
  const inTo = new Map<string, number>();
  for (const match of matchesOf(normalizeTypography(to), pattern)) {
    const key = match[0].toLowerCase();
    inTo.set(key, (inTo.get(key) ?? 0) + 1);
  }
  const lost: string[] = [];
  for (const match of matchesOf(normalizeTypography(from), pattern)) {
    const key = match[0].toLowerCase();
    const left = inTo.get(key) ?? 0;
    if (left > 0) inTo.set(key, left - 1);
    else lost.push(match[0]);
  }
  return lost;
}

export function multisetMinus(values: string[], minus: string[]): string[] {
  const left = new Map<string, number>();
  for (const value of minus) left.set(value, (left.get(value) ?? 0) + 1);
  return values.filter((value) => {
    const n = left.get(value) ?? 0;
    if (n > 0) left.set(value, n - 1);
    return n === 0;
  });
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > 3) return Math.abs(a.length - b.length);
  let previous2: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, previous2[j - 2] + 1);
      current.push(value);
    }
    previous2 = previous;
    previous = current;
  }
  return previous[b.length];
}

/**
 * The matches `text.matchAll(pattern)` gives (a global pattern, from its lastIndex, which is left as it
 * was), without matchAll's copy of the pattern and iterator per call: facts try a dozen patterns on
 * every clause read.
 */
function matchesOf(text: string, pattern: RegExp): RegExpExecArray[] {
  const found: RegExpExecArray[] = [];
  const start = pattern.lastIndex;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    found.push(match);
    // An empty match would be found again at the same place: step past it, by code point in /u.
    if (match[0] === "") {
      const at = pattern.lastIndex;
      const pair =
        pattern.unicode &&
        at + 1 < text.length &&
        /[\ud800-\udbff]/.test(text[at]) &&
        /[\udc00-\udfff]/.test(text[at + 1]);
      pattern.lastIndex = at + (pair ? 2 : 1);
    }
  }
  pattern.lastIndex = start;
  return found;
}

/**
 * `text` without any of `characters` at its end. A loop, not `/[…]+$/`: that pattern retries from
 * every position of a long run that is not at the end (quadratic).
 */
function trimEnd(text: string, characters: string): string {
  let end = text.length;
  while (end > 0 && characters.includes(text[end - 1])) end--;
  return text.slice(0, end);
}
