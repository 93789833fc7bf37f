import { type Block, SECTION_SEPARATOR } from "./blocks";
import {
  ARTICLE_6_LETTER,
  BASIS_BY_LETTER,
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
  RECIPIENT_CATEGORIES,
  RECIPIENT_COLUMN,
  REFERENCE,
  RETENTION_COLUMN,
  RETENTION_CONTEXT,
  RETENTION_SECTION,
  RIGHT_NARROWERS,
  RIGHT_WIDENERS,
  RIGHTS_SECTION,
  SHARING_CONTEXT,
  SHARING_VERB,
  STREET_ADDRESS,
  TRANSFER_COLUMN,
  TRANSFER_CONTEXT,
  TRANSFER_DESTINATIONS,
  TRANSFER_SECTION,
  URL,
  USER_RIGHTS,
} from "./lexicon";
import { collapseWhitespace, looseText, normalizeTypography, stripHeadingNumber, words } from "./normalize";
import type { DiffPart, MaterialReason, MaterialReasonKind, MaterialSuggestion } from "./types";

/** One changed clause as the suggester sees it: old and/or new block and the word diff between them. */
export type ClauseChange = { section: string; old?: Block; new?: Block; parts: DiffPart[] };

/** What a block says, in the terms a lawyer checks. Keys are canonical; `shown` maps them to the text found. */
type Facts = {
  companies: Set<string>;
  recipientCompanies: Set<string>;
  recipientCategories: Set<string>;
  dataCategories: Set<string>;
  destinations: Set<string>;
  rights: Set<string>;
  bases: Set<string>;
  durations: string[];
  numbers: string[];
  contacts: Set<string>;
  retention: boolean;
  controller: boolean;
  contact: boolean;
  dateline: boolean;
  shown: Map<string, string>;
};

/**
 * Answers "does the other version mention this anywhere?" lazily: a cheap text filter picks the few
 * blocks that could, and only those are read in full. Reading every block of a 50k-word policy for a
 * one-word edit would cost more than the whole diff.
 */
class DocumentIndex {
  private normalized?: string[];
  private lowered?: string[];
  private canonical?: string;
  private scans = 0;
  private full?: { sets: Map<string, Set<string>>; rights: Map<string, number>; companies: Set<string> };
  private readonly answers = new Map<string, boolean | number>();

  constructor(
    private readonly blocks: Block[],
    private readonly facts: (block: Block) => Facts,
  ) {}

  namesCompany(key: string): boolean {
    return this.remember(`company|${key}`, () => {
      const full = this.fullIndex();
      if (full) return full.companies.has(key);
      this.normalized ??= this.blocks.map((block) => normalizeTypography(block.text));
      this.canonical ??= canonicalName(this.normalized.join("\n"));
      return this.canonical.includes(key.slice("company:".length));
    }) as boolean;
  }

  has(dimension: SetDimension, key: string, filter: RegExp | string): boolean {
    return this.remember(`${dimension}|${key}`, () => {
      const full = this.fullIndex();
      if (full) return full.sets.get(dimension)!.has(key);
      return this.candidates(filter).some((block) => this.facts(block)[dimension].has(key));
    }) as boolean;
  }

  rightCount(right: string): number {
    return this.remember(`right|${right}`, () => {
      const full = this.fullIndex();
      if (full) return full.rights.get(right) ?? 0;
      return this.candidates(RIGHT_PATTERNS.get(right)!).filter((block) =>
        this.facts(block).rights.has(right),
      ).length;
    }) as number;
  }

  private remember(key: string, answer: () => boolean | number): boolean | number {
    let found = this.answers.get(key);
    if (found === undefined) {
      found = answer();
      this.answers.set(key, found);
    }
    return found;
  }

  /**
   * After a few dozen lookups (a rewrite, not an edit) reading every block once is cheaper than
   * scanning for each question: the cost stays linear in the document, whatever the change.
   */
  private fullIndex() {
    if (this.full || ++this.scans <= FULL_INDEX_AFTER) return this.full;
    const sets = new Map<string, Set<string>>(
      SET_DIMENSIONS.map((dimension) => [dimension, new Set<string>()]),
    );
    const rights = new Map<string, number>();
    const companies = new Set<string>();
    for (const block of this.blocks) {
      const facts = this.facts(block);
      for (const dimension of SET_DIMENSIONS)
        for (const key of facts[dimension]) sets.get(dimension)!.add(key);
      for (const right of facts.rights) rights.set(right, (rights.get(right) ?? 0) + 1);
      for (const company of facts.companies) companies.add(company);
    }
    this.full = { sets, rights, companies };
    return this.full;
  }

  private candidates(filter: RegExp | string): Block[] {
    // Normalised once per document, not once per question: NFKC over 50k words is not free.
    this.normalized ??= this.blocks.map((block) => normalizeTypography(block.text));
    if (typeof filter === "string") {
      this.lowered ??= this.normalized.map((text) => collapseWhitespace(text).toLowerCase());
      return this.blocks.filter((_, i) => this.lowered![i].includes(filter));
    }
    return this.blocks.filter((_, i) => filter.test(this.normalized![i]));
  }
}

type SetDimension = "recipientCategories" | "dataCategories" | "destinations" | "contacts";
const SET_DIMENSIONS: SetDimension[] = ["recipientCategories", "dataCategories", "destinations", "contacts"];
const FULL_INDEX_AFTER = 32;

const RIGHT_PATTERNS = new Map(USER_RIGHTS);
const CONTACT_PATTERNS = [EMAIL, PHONE, POSTCODE, STREET_ADDRESS, COMPANY_NUMBER];
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
const ANY_BASIS = new RegExp(`${anyOf(LEGAL_BASES).source}|${ARTICLE_6_LETTER.source}`, "i");
const RECIPIENT_PATTERNS = new Map(RECIPIENT_CATEGORIES);
const CATEGORY_PATTERNS = new Map(DATA_CATEGORIES);
const ANY_DESTINATION = new RegExp(TRANSFER_DESTINATIONS.source, "u");

/**
 * Suggests whether a change is material, with reasons a lawyer can check: each names its kind, its
 * section and the words that triggered it. Advice only — a person decides. Formatting, typo, date-only
 * and reordering edits never reach this function or never produce a reason.
 */
export function suggestMateriality(
  changes: ClauseChange[],
  oldBlocks: Block[],
  newBlocks: Block[],
  deadline = Number.POSITIVE_INFINITY,
  alwaysRead = 0,
): MaterialSuggestion {
  const cache = new Map<Block, Facts>();
  const facts = (block: Block | undefined) => {
    if (!block) return undefined;
    let found = cache.get(block);
    if (!found) {
      found = readFacts(block);
      cache.set(block, found);
    }
    return found;
  };
  const read = (block: Block) => facts(block)!;
  const before = new DocumentIndex(oldBlocks, read);
  const after = new DocumentIndex(newBlocks, read);
  let incomplete = false;
  const relevant = changes.filter((change) => !isTrivialEdit(change));
  // Half the budget at most for spotting moved values, so the reasons themselves always get a turn.
  const now = performance.now();
  const moved = valuesMovedBetweenClauses(relevant, facts, now + (deadline - now) / 2, alwaysRead);

  const reasons: MaterialReason[] = [];
  const add = (kind: MaterialReasonKind, change: ClauseChange, detail: string, found: string[]) => {
    const section = change.section;
    if (
      reasons.some((reason) => reason.kind === kind && reason.section === section && reason.detail === detail)
    )
      return;
    reasons.push({ kind, section, detail, words: found });
  };

  const recipientsAdded: Array<[string, ClauseChange, Facts]> = [];
  const recipientsRemoved: Array<[string, ClauseChange, Facts]> = [];
  for (const [read, change] of relevant.entries()) {
    if (read >= alwaysRead && performance.now() > deadline) {
      incomplete = true;
      break;
    }
    const was = facts(change.old);
    const is = facts(change.new);
    const label = change.new?.row ?? change.old?.row;
    const prefix = label ? `${label}: ` : "";

    // Recipients and processors: a company named for the first time, or no longer named at all.
    for (const name of is?.recipientCompanies ?? []) {
      if (!was?.companies.has(name) && !before.namesCompany(name)) recipientsAdded.push([name, change, is!]);
    }
    for (const name of was?.recipientCompanies ?? []) {
      if (!is?.companies.has(name) && !after.namesCompany(name)) recipientsRemoved.push([name, change, was!]);
    }
    for (const category of [...(is?.recipientCategories ?? [])]) {
      if (was?.recipientCategories.has(category)) continue;
      if (before.has("recipientCategories", category, RECIPIENT_PATTERNS.get(category)!)) continue;
      const shown = is!.shown.get(category)!;
      add("recipient-added", change, `Data shared with a new kind of recipient: "${shown}"`, [shown]);
    }
    for (const category of [...(was?.recipientCategories ?? [])]) {
      if (is?.recipientCategories.has(category)) continue;
      if (after.has("recipientCategories", category, RECIPIENT_PATTERNS.get(category)!)) continue;
      const shown = was!.shown.get(category)!;
      add("recipient-removed", change, `Recipient no longer named: "${shown}"`, [shown]);
    }

    for (const category of [...(is?.dataCategories ?? [])]) {
      if (was?.dataCategories.has(category)) continue;
      if (before.has("dataCategories", category, CATEGORY_PATTERNS.get(category)!)) continue;
      const shown = is!.shown.get(category)!;
      add("data-category-added", change, `New category of personal data: ${category} ("${shown}")`, [shown]);
    }

    for (const place of [...(is?.destinations ?? [])]) {
      if (was?.destinations.has(place) || before.has("destinations", place, ANY_DESTINATION)) continue;
      const shown = is!.shown.get(place)!;
      add(
        "international-transfer-added",
        change,
        `Personal data transferred to a new destination: "${shown}"`,
        [shown],
      );
    }

    for (const right of was?.rights ?? []) {
      if (is?.rights.has(right) || after.rightCount(right) >= before.rightCount(right)) continue;
      add("right-removed", change, `Right no longer stated: ${right} ("${was!.shown.get(right)}")`, [
        was!.shown.get(right)!,
      ]);
    }
    if (was && is && (was.rights.size > 0 || RIGHTS_SECTION.test(change.section))) {
      const lost = lostPhrases(change.old!.text, change.new!.text, RIGHT_WIDENERS);
      const gained = lostPhrases(change.new!.text, change.old!.text, RIGHT_NARROWERS);
      if (lost.length || gained.length) {
        const what = [...lost.map((p) => `removed "${p}"`), ...gained.map((p) => `added "${p}"`)].join(", ");
        add("right-removed", change, `Right narrowed: ${what}`, [...lost, ...gained]);
      }
    }

    // Legal bases: compared clause by clause, since the same basis is named in many places.
    if (was && is) {
      const removed = [...was.bases].filter((basis) => !is.bases.has(basis) && !moved.has(`basis:${basis}`));
      const added = [...is.bases].filter((basis) => !was.bases.has(basis) && !moved.has(`basis:${basis}`));
      if (removed.length || added.length) {
        add(
          "legal-basis-changed",
          change,
          `Legal basis ${quoteList(removed) || "(none)"} → ${quoteList(added) || "(none)"}`,
          [...removed, ...added],
        );
      }
    }

    // Durations and numbers: compared clause by clause; a retention clause makes them retention periods.
    if (!(was?.dateline || is?.dateline)) {
      const retention = Boolean(was?.retention || is?.retention);
      const removed = multisetMinus(was?.durations ?? [], is?.durations ?? []).filter(
        (d) => !moved.has(`duration:${d}`),
      );
      const added = multisetMinus(is?.durations ?? [], was?.durations ?? []).filter(
        (d) => !moved.has(`duration:${d}`),
      );
      const paired = Boolean(was && is);
      if ((removed.length || added.length) && (paired || retention)) {
        const shownRemoved = removed.map((d) => was!.shown.get(`duration:${d}`) ?? d);
        const shownAdded = added.map((d) => is!.shown.get(`duration:${d}`) ?? d);
        const kind = retention ? "retention-changed" : "number-changed";
        const subject = retention ? "Retention period" : "Duration";
        add(
          kind,
          change,
          `${prefix}${subject} ${quoteList(shownRemoved) || "(none)"} → ${quoteList(shownAdded) || "(none)"}`,
          [...shownRemoved, ...shownAdded],
        );
      }
      if (was && is) {
        const fewer = multisetMinus(was.numbers, is.numbers).filter((n) => !moved.has(`number:${n}`));
        const more = multisetMinus(is.numbers, was.numbers).filter((n) => !moved.has(`number:${n}`));
        if (fewer.length || more.length) {
          add(
            "number-changed",
            change,
            `${prefix}Number ${quoteList(fewer) || "(none)"} → ${quoteList(more) || "(none)"}`,
            [...fewer, ...more],
          );
        }
      }
    }

    // Who is responsible and how to reach them.
    const removedContacts = [...(was?.contacts ?? [])].filter(
      (c) => !is?.contacts.has(c) && (is || !after.has("contacts", c, contactFilter(c))),
    );
    const addedContacts = [...(is?.contacts ?? [])].filter(
      (c) => !was?.contacts.has(c) && (was || !before.has("contacts", c, contactFilter(c))),
    );
    if (removedContacts.length || addedContacts.length) {
      const controller = Boolean(was?.controller || is?.controller);
      const shownRemoved = removedContacts.map((c) => was!.shown.get(c) ?? c);
      const shownAdded = addedContacts.map((c) => is!.shown.get(c) ?? c);
      add(
        controller ? "controller-changed" : "contact-changed",
        change,
        `${controller ? "Controller details" : "Contact details"} ${quoteList(shownRemoved) || "(none)"} → ${quoteList(shownAdded) || "(none)"}`,
        [...shownRemoved, ...shownAdded],
      );
    }
  }

  // A company name with a typo fixed is neither added nor removed.
  const similar = (a: string, b: string) =>
    editDistance(a, b) <= Math.max(1, Math.floor(Math.max(a.length, b.length) / 5));
  for (const [name, change, found] of recipientsAdded) {
    if (recipientsRemoved.some(([other]) => similar(name, other))) continue;
    const shown = found.shown.get(name)!;
    add("recipient-added", change, `New recipient or processor: "${shown}"`, [shown]);
  }
  for (const [name, change, found] of recipientsRemoved) {
    if (recipientsAdded.some(([other]) => similar(name, other))) continue;
    const shown = found.shown.get(name)!;
    add("recipient-removed", change, `Recipient or processor no longer named: "${shown}"`, [shown]);
  }

  return { suggested: reasons.length > 0, reasons, ...(incomplete ? { incomplete: true as const } : {}) };
}

/**
 * Values (durations, numbers, legal bases) that left one clause and arrived in an inserted or deleted
 * one in equal number — a clause split in two or text moved — are not changes of substance.
 */
function valuesMovedBetweenClauses(
  changes: ClauseChange[],
  facts: (block?: Block) => Facts | undefined,
  deadline: number,
  alwaysRead: number,
) {
  const balance = new Map<string, number>();
  const unpaired = new Set<string>();
  const count = (values: string[], delta: number, paired: boolean) => {
    for (const value of values) {
      balance.set(value, (balance.get(value) ?? 0) + delta);
      if (!paired) unpaired.add(value);
    }
  };
  for (const [read, change] of changes.entries()) {
    if (read >= alwaysRead && performance.now() > deadline) break;
    const was = facts(change.old);
    const is = facts(change.new);
    const paired = Boolean(was && is);
    const keysOf = (f: Facts | undefined) => [
      ...(f?.durations ?? []).map((d) => `duration:${d}`),
      ...(f?.numbers ?? []).map((n) => `number:${n}`),
      ...[...(f?.bases ?? [])].map((b) => `basis:${b}`),
    ];
    const before = keysOf(was);
    const after = keysOf(is);
    count(multisetMinus(before, after), -1, paired);
    count(multisetMinus(after, before), 1, paired);
  }
  return new Set([...unpaired].filter((value) => balance.get(value) === 0));
}

/** Typo fixes ("recieve" → "receive") and case changes: every changed word has a close spelling twin. */
function isTrivialEdit(change: ClauseChange): boolean {
  if (!change.old || !change.new) return false;
  if (looseText(change.old.text).toLowerCase() === looseText(change.new.text).toLowerCase()) return true;
  let deleted = "";
  let inserted = "";
  const runs: Array<[string, string]> = [];
  for (const part of [...change.parts, { op: "equal", text: "" } as DiffPart]) {
    if (part.op === "delete") deleted += part.text;
    else if (part.op === "insert") inserted += part.text;
    else if (deleted || inserted) {
      runs.push([deleted, inserted]);
      deleted = "";
      inserted = "";
    }
  }
  return runs.every(([removed, added]) => {
    const a = words(removed);
    const b = words(added);
    if (a.length !== b.length) return false;
    return a.every((word, i) => {
      const other = b[i];
      if (word === other) return true;
      if (/\d/.test(word) || /\d/.test(other) || Math.min(word.length, other.length) < 4) return false;
      const distance = editDistance(word, other);
      return distance <= 2 && distance <= Math.floor(Math.max(word.length, other.length) / 3);
    });
  });
}

function readFacts(block: Block): Facts {
  const text = collapseWhitespace(
    normalizeTypography(block.kind === "heading" ? stripHeadingNumber(block.text) : block.text),
  );
  const section = block.section;
  const column = block.column ?? "";
  const shown = new Map<string, string>();
  const sentences = splitSentences(text);
  const affirmative = sentences.filter((sentence) => !isNegated(sentence));

  const hasDigits = /\d/.test(text);
  const contacts = new Set<string>();
  for (const pattern of hasDigits || text.includes("@") ? CONTACT_PATTERNS : []) {
    for (const match of text.matchAll(pattern)) {
      const key = `contact:${trimEnd(collapseWhitespace(match[0]).toLowerCase(), ".,;:")}`;
      contacts.add(key);
      shown.set(key, match[0].trim());
    }
  }

  const companies = new Set<string>();
  for (const pattern of LEGAL_FORM_HINT.test(text) ? [COMPANY_NAME, KNOWN_COMPANIES] : [KNOWN_COMPANIES]) {
    for (const match of text.matchAll(pattern)) {
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
    if (!SHARING_VERB.test(sentence) && !sharingSection) continue;
    for (const [name, pattern] of RECIPIENT_CATEGORIES) {
      const match = pattern.exec(sentence);
      if (match) {
        recipientCategories.add(name);
        shown.set(name, match[0]);
      }
    }
  }

  const dataCategories = new Set<string>();
  for (const sentence of ANY_CATEGORY.test(text) ? affirmative : []) {
    for (const [name, pattern] of DATA_CATEGORIES) {
      const match = pattern.exec(sentence);
      if (match) {
        dataCategories.add(name);
        if (!shown.has(name)) shown.set(name, match[0]);
      }
    }
  }

  const destinations = new Set<string>();
  const transferClause = TRANSFER_SECTION.test(section) || TRANSFER_COLUMN.test(column);
  for (const sentence of contact ? [] : affirmative) {
    if (!transferClause && !TRANSFER_CONTEXT.test(sentence)) continue;
    for (const match of sentence.matchAll(TRANSFER_DESTINATIONS)) {
      const key = `place:${canonicalPlace(match[0])}`;
      destinations.add(key);
      if (!shown.has(key)) shown.set(key, match[0]);
    }
  }

  const rights = new Set<string>();
  for (const sentence of ANY_RIGHT.test(text) ? sentences : []) {
    const wording = sentence.replace(/\bright not to\b/gi, "right to");
    const negated = isNegated(wording) && !/\bnot to be subject to\b/i.test(sentence);
    if (negated) continue;
    for (const [name, pattern] of USER_RIGHTS) {
      const match = pattern.exec(sentence);
      if (match) {
        rights.add(name);
        if (!shown.has(name)) shown.set(name, trimEnd(match[0].replace(/^\W+/, ""), " \t\n\r\f\v\u00a0:–-"));
      }
    }
  }

  const bases = new Set<string>();
  for (const sentence of ANY_BASIS.test(text) ? affirmative : []) {
    const wording = sentence.replace(CONSENT_NOT_A_BASIS, " ");
    for (const [name, pattern] of LEGAL_BASES) if (pattern.test(wording)) bases.add(name);
    for (const match of wording.matchAll(ARTICLE_6_LETTER))
      bases.add(BASIS_BY_LETTER[match[1].toLowerCase()]);
  }

  // Numbers: dates, cross-references, contact details and links are not terms of the policy.
  let rest = hasDigits || NUMBER_WORD_HINT.test(text) ? text : "";
  for (const pattern of rest ? NOT_TERMS : []) rest = rest.replace(pattern, " ");
  const durations: string[] = [];
  rest = rest.replace(DURATION, (match, amount: string, upTo: string | undefined, unit: string) => {
    const value = (word: string) => String(NUMBER_WORD_VALUES[word.toLowerCase()] ?? word.replace(",", "."));
    const key = `${value(amount)}${upTo ? `-${value(upTo)}` : ""} ${unit.toLowerCase()}`;
    durations.push(key);
    shown.set(`duration:${key}`, match.trim());
    return " ";
  });
  for (const match of text.matchAll(OPEN_ENDED_RETENTION)) {
    const key = match[0].toLowerCase();
    durations.push(key);
    shown.set(`duration:${key}`, match[0]);
  }
  const numbers = [...rest.matchAll(PLAIN_NUMBER)].map((match) => match[0]);
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
function contactFilter(key: string): string {
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

function canonicalName(name: string): string {
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
function lostPhrases(from: string, to: string, pattern: RegExp): string[] {
  const inTo = new Map<string, number>();
  for (const match of normalizeTypography(to).matchAll(pattern)) {
    const key = match[0].toLowerCase();
    inTo.set(key, (inTo.get(key) ?? 0) + 1);
  }
  const lost: string[] = [];
  for (const match of normalizeTypography(from).matchAll(pattern)) {
    const key = match[0].toLowerCase();
    const left = inTo.get(key) ?? 0;
    if (left > 0) inTo.set(key, left - 1);
    else lost.push(match[0]);
  }
  return lost;
}

function multisetMinus(values: string[], minus: string[]): string[] {
  const left = new Map<string, number>();
  for (const value of minus) left.set(value, (left.get(value) ?? 0) + 1);
  return values.filter((value) => {
    const n = left.get(value) ?? 0;
    if (n > 0) left.set(value, n - 1);
    return n === 0;
  });
}

function quoteList(values: string[]): string {
  return values.map((value) => `"${value}"`).join(", ");
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
 * `text` without any of `characters` at its end. A loop, not `/[…]+$/`: that pattern retries from
 * every position of a long run that is not at the end (quadratic).
 */
function trimEnd(text: string, characters: string): string {
  let end = text.length;
  while (end > 0 && characters.includes(text[end - 1])) end--;
  return text.slice(0, end);
}
