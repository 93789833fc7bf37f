import { useEffect, useId, useState } from "react";
import {
  type AttributeChoice,
  type Audience,
  audienceConditions,
  parseAudience,
} from "~/core/notify/audience";
import { countOf } from "~/core/plural";

type Condition = { name: string; values: string[] };

const SUBSCRIBERS = { one: "active subscriber", other: "active subscribers" } as const;

/** The JSON field's text for a list of conditions: one value as a string, several as a list. */
function audienceText(conditions: Condition[]): string {
  const audience: Audience = {};
  // Names in order, as parseAudience reads them back: the JSON reads in the order the pickers show.
  for (const { name, values } of [...conditions].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (values.length === 0) continue;
    audience[name] = values.length === 1 ? values[0] : values;
  }
  return Object.keys(audience).length === 0 ? "" : JSON.stringify(audience);
}

/**
 * The conditions the JSON text holds, read by parseAudience — the rule the server applies when it
 * counts and publishes — or the reason it cannot be read. Empty text is everyone.
 */
function read(text: string): { conditions: Condition[] } | { error: string } {
  if (!text.trim()) return { conditions: [] };
  try {
    return { conditions: audienceConditions(parseAudience(text)) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

type Count = { kind: "counting" } | { kind: "count"; count: number } | { kind: "error"; message: string };

/**
 * Builds the audience of a notice from the attributes subscribers actually have: pick an attribute,
 * tick the values; every condition must match, any ticked value of one will do. The JSON it stands
 * for stays visible and editable in the "Audience (optional)" field, which is what the form sends.
 * The count of active subscribers reached is asked from the server as the audience changes.
 */
export function AudienceBuilder({
  attributes,
  activeSubscribers,
}: {
  attributes: AttributeChoice[];
  activeSubscribers: number;
}) {
  const id = useId();
  const [text, setText] = useState("");
  const [count, setCount] = useState<Count>({ kind: "count", count: activeSubscribers });
  const [live, setLive] = useState(false);
  const parsed = read(text);
  const conditions = "conditions" in parsed ? parsed.conditions : null;

  useEffect(() => setLive(true), []);

  useEffect(() => {
    if (!live) return;
    const controller = new AbortController();
    setCount({ kind: "counting" });
    const timer = setTimeout(async () => {
      try {
        const response = await fetch(`/admin/audiences/count?${new URLSearchParams({ audience: text })}`, {
          signal: controller.signal,
          headers: { accept: "application/json" },
        });
        const body = (await response.json()) as { count?: number; error?: string };
        if (typeof body.count === "number") setCount({ kind: "count", count: body.count });
        else setCount({ kind: "error", message: body.error ?? "The audience cannot be counted." });
      } catch {
        if (!controller.signal.aborted)
          setCount({ kind: "error", message: "The audience cannot be counted now." });
      }
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [text, live]);

  const change = (next: Condition[]) => setText(audienceText(next));
  const valuesOf = (name: string) => attributes.find((a) => a.name === name)?.values ?? [];
  const unused = attributes.filter((a) => !conditions?.some((c) => c.name === a.name));

  return (
    <div className="stack audience-builder">
      {live ? (
        <fieldset className="stack" disabled={conditions === null}>
          <legend>Audience builder</legend>
          {attributes.length === 0 ? (
            <p className="help">No subscriber has attributes yet: the notice goes to everyone.</p>
          ) : null}
          {conditions?.length === 0 ? <p className="help">Everyone: no condition yet.</p> : null}
          {conditions?.map((condition, index) => {
            const known = valuesOf(condition.name);
            const extra = condition.values.filter((v) => !known.some((k) => k.value === v));
            const choices = [...known, ...extra.map((value) => ({ value, subscribers: null }))];
            return (
              <div key={condition.name} className="audience-condition stack" data-condition={condition.name}>
                <label>
                  Attribute {index + 1}
                  <select
                    value={condition.name}
                    onChange={(event) => {
                      const name = event.target.value;
                      const first = valuesOf(name)[0]?.value;
                      change(
                        conditions.map((c, i) =>
                          i === index ? { name, values: first === undefined ? [] : [first] } : c,
                        ),
                      );
                    }}
                  >
                    {[
                      condition.name,
                      ...attributes
                        .map((a) => a.name)
                        .filter((n) => n !== condition.name && unused.some((u) => u.name === n)),
                    ]
                      .sort()
                      .map((name) => (
                        <option key={name} value={name}>
                          {name}
                        </option>
                      ))}
                  </select>
                </label>
                <fieldset className="checkbox-list">
                  <legend>Values of {condition.name}</legend>
                  {choices.map(({ value, subscribers }) => (
                    <label key={value} className="checkbox">
                      <input
                        type="checkbox"
                        checked={condition.values.includes(value)}
                        onChange={(event) => {
                          const values = event.target.checked
                            ? [...condition.values, value]
                            : condition.values.filter((v) => v !== value);
                          change(
                            values.length === 0
                              ? conditions.filter((_, i) => i !== index)
                              : conditions.map((c, i) => (i === index ? { ...c, values } : c)),
                          );
                        }}
                      />{" "}
                      {value}
                      {subscribers === null ? null : <span className="muted"> ({subscribers})</span>}
                    </label>
                  ))}
                </fieldset>
                <button
                  type="button"
                  className="button"
                  onClick={() => change(conditions.filter((_, i) => i !== index))}
                >
                  Remove {condition.name}
                </button>
              </div>
            );
          })}
          {unused.length > 0 && conditions !== null ? (
            <button
              type="button"
              className="button"
              onClick={() =>
                change([
                  ...conditions,
                  { name: unused[0].name, values: unused[0].values.slice(0, 1).map((v) => v.value) },
                ])
              }
            >
              Add a condition
            </button>
          ) : null}
        </fieldset>
      ) : null}
      <label>
        Audience (optional)
        <textarea
          name="audience"
          rows={2}
          value={text}
          onChange={(event) => setText(event.target.value)}
          placeholder='Everyone, or attributes such as {"region":"EU"}'
          aria-describedby={`${id}-help ${id}-count`}
          spellCheck={false}
        />
      </label>
      <p id={`${id}-help`} className="help">
        The audience as JSON, for experts: attribute names to a value or a list of values. Empty: all{" "}
        {countOf(activeSubscribers, SUBSCRIBERS)}.
        {"error" in parsed ? ` This is not an audience yet: ${parsed.error}.` : ""}
      </p>
      {live ? (
        <output
          id={`${id}-count`}
          aria-live="polite"
          className="audience-count"
          data-count-state={count.kind}
        >
          {count.kind === "counting"
            ? "Counting…"
            : count.kind === "error"
              ? count.message
              : `This audience reaches ${countOf(count.count, SUBSCRIBERS)}.`}
        </output>
      ) : null}
    </div>
  );
}
