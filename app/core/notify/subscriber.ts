import { displayTextProblem } from "../display-text";
import { isLocale, LOCALE_RULE } from "../identifiers";
import { ATTRIBUTE_NAME_PATTERN, MAX_ATTRIBUTE_VALUE_LENGTH, MAX_ATTRIBUTES } from "./audience";

/** The product's own user id: what the API path and the CSV carry. */
export const EXTERNAL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,127}$/;
/**
 * A deliberately plain address check: one @, no spaces or brackets, a dot in the domain. The
 * provider does the real validation; this keeps obvious typos out of the outbox.
 */
const EMAIL_PATTERN = /^[^\s@<>()[\]",;:\\]+@[^\s@<>()[\]",;:\\.]+(?:\.[^\s@<>()[\]",;:\\.]+)+$/;
const MAX_EMAIL_LENGTH = 254;
const MAX_NAME_LENGTH = 200;

export type SubscriberInput = {
  externalId: string;
  email: string;
  name: string | null;
  locale: string;
  attributes: Record<string, string>;
};

export type FieldProblem = { field: string; message: string };

/** Checks one subscriber's fields; returns every problem found (empty when valid). */
export function subscriberProblems(input: {
  externalId: unknown;
  email: unknown;
  name?: unknown;
  locale?: unknown;
  attributes?: unknown;
}): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const { externalId, email, name, locale, attributes } = input;
  if (typeof externalId !== "string" || !EXTERNAL_ID_PATTERN.test(externalId)) {
    problems.push({
      field: "externalId",
      message: `externalId ${JSON.stringify(externalId ?? "")} must be 1–128 letters, digits or . _ : @ + - starting with a letter or digit`,
    });
  }
  if (typeof email !== "string" || email.length > MAX_EMAIL_LENGTH || !EMAIL_PATTERN.test(email)) {
    problems.push({
      field: "email",
      message: `email ${JSON.stringify(typeof email === "string" ? email.slice(0, 300) : (email ?? ""))} is not an email address`,
    });
  } else {
    const problem = displayTextProblem("email", email);
    if (problem) problems.push({ field: "email", message: problem });
  }
  if (name !== undefined && name !== null) {
    if (typeof name !== "string" || name.length > MAX_NAME_LENGTH) {
      problems.push({ field: "name", message: `name must be text of at most ${MAX_NAME_LENGTH} characters` });
    } else {
      // The name is put into the greeting of every email: nothing that hides or reorders text.
      const problem = displayTextProblem("name", name);
      if (problem) problems.push({ field: "name", message: problem });
    }
  }
  if (locale !== undefined && locale !== null && !isLocale(locale)) {
    problems.push({
      field: "locale",
      message: `locale ${JSON.stringify(typeof locale === "string" ? locale.slice(0, 40) : locale)} is not ${LOCALE_RULE}`,
    });
  }
  if (attributes !== undefined && attributes !== null) {
    const problem = attributesProblem(attributes);
    if (problem) problems.push({ field: "attributes", message: problem });
  }
  return problems;
}

function attributesProblem(attributes: unknown): string | null {
  if (typeof attributes !== "object" || Array.isArray(attributes)) return "attributes must be a JSON object";
  const entries = Object.entries(attributes as Record<string, unknown>);
  if (entries.length > MAX_ATTRIBUTES) return `attributes has more than ${MAX_ATTRIBUTES} entries`;
  for (const [key, value] of entries) {
    if (!ATTRIBUTE_NAME_PATTERN.test(key))
      return `attribute name "${key}" must be letters, digits, _ or - (starting with a letter)`;
    if (typeof value !== "string") return `attribute "${key}" must be a string`;
    if (value.length > MAX_ATTRIBUTE_VALUE_LENGTH)
      return `attribute "${key}" is longer than ${MAX_ATTRIBUTE_VALUE_LENGTH} characters`;
  }
  return null;
}

/** Trims text fields and fills defaults; call after `subscriberProblems` found nothing. */
export function normaliseSubscriber(input: {
  externalId: string;
  email: string;
  name?: string | null;
  locale?: string | null;
  attributes?: Record<string, string> | null;
}): SubscriberInput {
  return {
    externalId: input.externalId,
    email: input.email.trim(),
    name: input.name?.trim() || null,
    locale: input.locale || "en",
    attributes: input.attributes ?? {},
  };
}

/** CSV columns with a meaning of their own; every other non-empty column is an attribute. */
const CSV_FIELDS = ["externalId", "email", "name", "locale", "attributes"] as const;

export type CsvRowResult = { ok: true; subscriber: SubscriberInput } | { ok: false; reason: string };

/**
 * Turns one CSV record (header → cell) into a subscriber. The optional `attributes` column holds
 * a JSON object; other columns become attributes, so `region,plan` columns work directly.
 */
export function subscriberFromCsvRecord(record: Record<string, string>): CsvRowResult {
  const attributes: Record<string, string> = {};
  if (record.attributes?.trim()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(record.attributes);
    } catch {
      return { ok: false, reason: "attributes is not a JSON object" };
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      return { ok: false, reason: "attributes is not a JSON object" };
    }
    Object.assign(attributes, parsed);
  }
  for (const [column, cell] of Object.entries(record)) {
    if ((CSV_FIELDS as readonly string[]).includes(column) || cell === "" || cell === undefined) continue;
    attributes[column] = cell;
  }
  const candidate = {
    externalId: record.externalId?.trim(),
    email: record.email?.trim(),
    name: record.name?.trim() || null,
    locale: record.locale?.trim() || null,
    attributes,
  };
  const problems = subscriberProblems(candidate);
  if (problems.length > 0) return { ok: false, reason: problems.map((p) => p.message).join("; ") };
  return {
    ok: true,
    subscriber: normaliseSubscriber(candidate as Parameters<typeof normaliseSubscriber>[0]),
  };
}
