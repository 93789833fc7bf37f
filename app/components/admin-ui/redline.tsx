import { useState } from "react";

/**
 * Renders a redline produced on the server by `renderDiffHtml` (app/core/diff), which escapes every
 * piece of policy text; it is trusted markup, like PolicyHtml. By default only the changed blocks
 * are shown, under their section names; the whole text is one click away. It is one element, so it
 * takes one cell of whatever grid it is put in (the wide column of `.review-layout`), toggle and all.
 */
export function RedlineHtml({
  html,
  changesHtml,
  label,
}: {
  html: string;
  changesHtml: string;
  label: string;
}) {
  const [onlyChanges, setOnlyChanges] = useState(true);
  return (
    <div className="redline-panel">
      <div className="redline-toggle">
        <label className="checkbox">
          <input type="checkbox" checked={onlyChanges} onChange={(e) => setOnlyChanges(e.target.checked)} />
          Show only what changed
        </label>
      </div>
      <section className={onlyChanges ? "redline-view only-changes" : "redline-view"} aria-label={label}>
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: escaped server-rendered redline, see above */}
        <div dangerouslySetInnerHTML={{ __html: onlyChanges ? changesHtml : html }} />
      </section>
    </div>
  );
}
