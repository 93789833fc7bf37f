/**
 * Audiences: which subscribers a notice targets. A filter maps attribute names to a value or a
 * list of accepted values; every named attribute must match (AND), any listed value will do (OR).
 * `null` (or `{}`) targets every active subscriber.
 */
import { Refusal } from "../refusal";

export type Audience = Record<string, string | string[]>;

/** One attribute subscribers have, with its most common values and how many subscribers have each. */
export type AttributeChoice = { name: string; values: { value: string; subscribers: number }[] };

/** Attribute names become JSON paths in SQL, so they are kept to a safe alphabet. */
export const ATTRIBUTE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
export const MAX_ATTRIBUTES = 32;
export const MAX_ATTRIBUTE_VALUE_LENGTH = 256;
const MAX_AUDIENCE_VALUES = 100;

/**
 * Validates an audience given as parsed JSON (or a JSON string); returns null for "everyone".
 * Throws an "invalid" Refusal naming what is wrong.
 */
export function parseAudience(input: unknown): Audience | null {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch {
      // Named, not echoed whole: the text may be as long as the form allows.
      const shown = input.length > 80 ? `${input.slice(0, 80)}…` : input;
      throw new Refusal("invalid", `audience is not JSON: ${shown}`);
    }
  }
  if (value === null || value === undefined) return null;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new Refusal("invalid", 'audience must be a JSON object such as {"region":"EU"}');
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return null;
  if (entries.length > MAX_ATTRIBUTES)
    throw new Refusal("invalid", `audience names more than ${MAX_ATTRIBUTES} attributes`);
  const audience: Audience = {};
  for (const [name, accepted] of entries) {
    if (!ATTRIBUTE_NAME_PATTERN.test(name)) {
      throw new Refusal(
        "invalid",
        `audience attribute "${name}" is not a valid name (letters, digits, _ and -)`,
      );
    }
    const values = Array.isArray(accepted) ? accepted : [accepted];
    if (values.length === 0 || values.length > MAX_AUDIENCE_VALUES) {
      throw new Refusal("invalid", `audience attribute "${name}" needs 1–${MAX_AUDIENCE_VALUES} values`);
    }
    for (const v of values) {
      if (typeof v !== "string" || v.length > MAX_ATTRIBUTE_VALUE_LENGTH) {
        throw new Refusal("invalid", `audience attribute "${name}" must be a string or a list of strings`);
      }
    }
    audience[name] = Array.isArray(accepted) ? [...new Set(values as string[])].sort() : (accepted as string);
  }
  return audience;
}

/**
 * The filter as (attribute, accepted values) pairs, in a stable order, for the query builder
 * (`audienceCondition` in app/models/subscribers.server.ts, tested in test/integration/audience.test.ts).
 */
export function audienceConditions(audience: Audience | null): { name: string; values: string[] }[] {
  if (!audience) return [];
  return Object.keys(audience)
    .sort()
    .map((name) => {
      const accepted = audience[name];
      return { name, values: Array.isArray(accepted) ? accepted : [accepted] };
    });
}
