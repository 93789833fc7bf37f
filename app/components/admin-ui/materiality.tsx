import type { MaterialSuggestion } from "~/core/diff/types";

/** The diff engine's advice on whether a change is material, with reasons a lawyer can check. */
export function MaterialitySuggestion({ material }: { material: MaterialSuggestion }) {
  return (
    <section
      className={material.suggested ? "materiality is-material" : "materiality"}
      aria-label="Materiality"
    >
      <h2>{material.suggested ? "Looks like a material change" : "No material change detected"}</h2>
      {material.reasons.length > 0 ? (
        <ul>
          {material.reasons.map((reason, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: reasons have no identity and never reorder
            <li key={i}>
              <strong>{reason.section || "Document"}</strong>: {reason.detail}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">The suggestion is advice only: you decide whether the change is material.</p>
      )}
    </section>
  );
}
