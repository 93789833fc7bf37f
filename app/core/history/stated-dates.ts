/**
 * The dates a policy states about itself — "Last updated: May 5, 2023", "Effective date: 5 May 2023",
 * "Zuletzt aktualisiert am 5. Mai 2023", "Mis à jour le 5 mai 2023". The labels are a small lexicon
 * per language; the dates after them are read by chrono-node's parser for that language, never by
 * patterns of our own. A label counts only when a complete date (day, month and year) follows it at
 * once, so "our emails are more effective" or "effective 30 days after notice" state nothing.
 */
import { type Chrono, de, en, es, fr, it, nl, type ParsedResult, pt } from "chrono-node";

export type StatedDates = { lastUpdated: string | null; effectiveAt: string | null };

type Language = "en" | "de" | "fr" | "nl" | "es" | "it" | "pt";
type Label = { language: Language; kind: keyof StatedDates; pattern: RegExp };

// A label is a whole word or phrase: no letter right before or after it.
const phrase = (source: string) => new RegExp(`(?<!\\p{L})(?:${source})(?!\\p{L})`, "giu");

const LABELS: Label[] = [
  {
    language: "en",
    kind: "lastUpdated",
    pattern: phrase(
      String.raw`last\s+(?:updated|modified|revised|amended|changed|update)|date\s+of\s+last\s+(?:update|revision)|updated(?:\s+on)?|revised(?:\s+on)?`,
    ),
  },
  {
    language: "en",
    kind: "effectiveAt",
    pattern: phrase(
      String.raw`effective(?:\s+(?:date|as\s+of|from|on|since))?|in\s+effect\s+(?:from|since|as\s+of)|effective\s+date\s+of\s+this\s+\p{L}+`,
    ),
  },
  {
    language: "de",
    kind: "lastUpdated",
    pattern: phrase(
      String.raw`zuletzt\s+(?:aktualisiert|geändert|überarbeitet)|letzte\s+(?:aktualisierung|änderung|überarbeitung)|aktualisiert|stand`,
    ),
  },
  {
    language: "de",
    kind: "effectiveAt",
    pattern: phrase(
      String.raw`gültig\s+(?:ab|seit)|in\s+kraft\s+(?:seit|ab)|wirksam\s+(?:ab|seit)|inkrafttreten`,
    ),
  },
  {
    language: "fr",
    kind: "lastUpdated",
    pattern: phrase(
      String.raw`mise?\s+à\s+jour|dernière\s+mise\s+à\s+jour|dernière\s+modification|modifiée?|révisée?`,
    ),
  },
  {
    language: "fr",
    kind: "effectiveAt",
    pattern: phrase(
      String.raw`date\s+d['’]entrée\s+en\s+vigueur|entrée\s+en\s+vigueur|en\s+vigueur(?:\s+(?:depuis|à\s+compter\s+du|à\s+partir\s+du))?|applicable\s+(?:depuis|à\s+compter\s+du|à\s+partir\s+du)`,
    ),
  },
  {
    language: "nl",
    kind: "lastUpdated",
    pattern: phrase(String.raw`laatst\s+(?:bijgewerkt|gewijzigd)|laatste\s+(?:wijziging|update)`),
  },
  {
    language: "nl",
    kind: "effectiveAt",
    pattern: phrase(
      String.raw`van\s+kracht(?:\s+(?:vanaf|sinds|per))?|ingangsdatum|geldig\s+(?:vanaf|sinds)`,
    ),
  },
  {
    language: "es",
    kind: "lastUpdated",
    pattern: phrase(String.raw`última\s+(?:actualización|modificación)|actualizad[oa]`),
  },
  {
    language: "es",
    kind: "effectiveAt",
    pattern: phrase(
      String.raw`fecha\s+de\s+entrada\s+en\s+vigor|en\s+vigor(?:\s+(?:desde|a\s+partir\s+del?))?|vigente\s+desde`,
    ),
  },
  {
    language: "it",
    kind: "lastUpdated",
    pattern: phrase(String.raw`ultimo\s+aggiornamento|aggiornat[oa]`),
  },
  {
    language: "it",
    kind: "effectiveAt",
    pattern: phrase(String.raw`in\s+vigore(?:\s+(?:dal|da))?|data\s+di\s+entrata\s+in\s+vigore`),
  },
  {
    language: "pt",
    kind: "lastUpdated",
    pattern: phrase(String.raw`última\s+(?:atualização|modificação)|atualizad[oa]`),
  },
  {
    language: "pt",
    kind: "effectiveAt",
    pattern: phrase(String.raw`em\s+vigor(?:\s+(?:desde|a\s+partir\s+de))?|data\s+de\s+vigência`),
  },
];

/** Between a label and its date only punctuation, emphasis and one short word ("am", "le", "on", "du"). */
const GAP = /^[\s:：,.\-–—*_()[\]"'«»]*(?:\p{L}{1,4}[\s:,.]+)?$/u;
/** How much of the line after a label the date may take. */
const WINDOW = 48;

const PARSERS: Record<Exclude<Language, "en">, Chrono> = {
  de: de.casual,
  fr: fr.casual,
  nl: nl.casual,
  es: es.casual,
  it: it.casual,
  pt: pt.casual,
};

function parserFor(language: Language, locale: string): Chrono {
  // Day-first numeric dates ("05/04/2023") outside the United States.
  if (language === "en") return /^en(-US)?$/i.test(locale) ? en.casual : en.GB;
  return PARSERS[language];
}

/** A year written out: four digits, or a numeric date's two ("05.05.23"). Relative dates have none. */
const WRITTEN_YEAR = /\d{4}|\d{1,2}[./-]\d{1,2}[./-]\d{2}(?!\d)/;

/** `YYYY-MM-DD` of a parsed date whose day, month and year are all written out. */
function certainDate(result: ParsedResult): string | null {
  const start = result.start;
  if (!WRITTEN_YEAR.test(result.text)) return null;
  if (!start.isCertain("day") || !start.isCertain("month") || !start.isCertain("year")) return null;
  const year = start.get("year");
  const month = start.get("month");
  const day = start.get("day");
  if (!year || !month || !day || year < 1990 || year > 2999) return null;
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/**
 * The first "last updated" and "effective" dates the text states, as `YYYY-MM-DD`. `locale` decides
 * how an English numeric date is read (month first only for `en` and `en-US`).
 * @example statedDates("Privacy\n\nLast updated: May 5, 2023", "en") // { lastUpdated: "2023-05-05", effectiveAt: null }
 */
export function statedDates(text: string, locale = "en"): StatedDates {
  const found: StatedDates = { lastUpdated: null, effectiveAt: null };
  let firstAt: Record<keyof StatedDates, number> = { lastUpdated: Infinity, effectiveAt: Infinity };
  for (const label of LABELS) {
    label.pattern.lastIndex = 0;
    for (const match of text.matchAll(label.pattern)) {
      const at = match.index ?? 0;
      if (at >= firstAt[label.kind]) break;
      const end = at + match[0].length;
      const lineEnd = text.indexOf("\n", end);
      const after = text.slice(end, Math.min(lineEnd < 0 ? text.length : lineEnd, end + WINDOW));
      const date = readDateAfterLabel(after, parserFor(label.language, locale));
      if (date) {
        found[label.kind] = date;
        firstAt = { ...firstAt, [label.kind]: at };
        break;
      }
    }
  }
  return found;
}

function readDateAfterLabel(after: string, parser: Chrono): string | null {
  if (!/\d/.test(after)) return null;
  const [result] = parser.parse(after, new Date(Date.UTC(2000, 0, 1)), { forwardDate: false });
  if (!result || !GAP.test(after.slice(0, result.index))) return null;
  return certainDate(result);
}
