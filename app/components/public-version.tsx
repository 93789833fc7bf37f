import { formatLongDate } from "~/core/dates";
import type { OutlineEntry } from "~/core/document/types";
import { type PublicStatus, publicStatusLabel } from "~/core/versions/in-effect";

export function StatusBadge({ status }: { status: PublicStatus }) {
  return <span className={`badge badge-${status}`}>{publicStatusLabel(status)}</span>;
}

export function MaterialBadge({ material, imported = false }: { material: boolean; imported?: boolean }) {
  if (imported) {
    return (
      <span
        className="badge badge-imported"
        title="Imported from the earlier history of this policy: whether the change was material is not known"
      >
        Imported
      </span>
    );
  }
  return material ? (
    <span className="badge badge-material" title="A material change: affected people were told">
      Material change
    </span>
  ) : null;
}

export function DateText({ date }: { date: string }) {
  return <time dateTime={date}>{formatLongDate(date)}</time>;
}

/** Table of contents with the body's stable section anchors (levels deeper than 3 left out). */
export function PublicToc({ outline }: { outline: OutlineEntry[] }) {
  const entries = outline.filter((entry) => entry.level <= 3);
  if (entries.length === 0) return null;
  const top = Math.min(...entries.map((entry) => entry.level));
  return (
    <nav className="toc" aria-label="Contents">
      <h2>Contents</h2>
      <ol>
        {entries.map((entry) => (
          <li key={entry.id} className={`toc-level-${entry.level - top}`}>
            <a href={`#${entry.id}`}>{entry.text}</a>
          </li>
        ))}
      </ol>
    </nav>
  );
}
