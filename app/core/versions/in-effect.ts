/**
 * What a reader sees of a published version: in effect, upcoming or no longer in effect, computed
 * from effective dates on a given day (ADR 0002: nothing runs at midnight). Not the database's
 * workflow state: a version the database marks replaced (`superseded`) by a later publication stays
 * in effect until its successor's effective date comes.
 */

/** The reader's status of a published version; these words are the public JSON API's `status`. */
export type PublicStatus = "current" | "upcoming" | "superseded";

/** How the public site and the workspace name each status. */
const PUBLIC_STATUS_LABELS: Record<PublicStatus, string> = {
  current: "In effect",
  upcoming: "Upcoming",
  superseded: "Superseded",
};

export function publicStatusLabel(status: PublicStatus): string {
  return PUBLIC_STATUS_LABELS[status];
}

/**
 * Which published version is in effect on `today`: the highest-numbered one whose effective date
 * has come. Versions whose date has not come are upcoming; the rest are no longer in effect.
 */
export function publicStatuses<T extends { number: number; effectiveAt: string }>(
  published: readonly T[],
  today: string,
): Map<number, PublicStatus> {
  const inEffect = published
    .filter((v) => v.effectiveAt <= today)
    .reduce<T | null>((best, v) => (!best || v.number > best.number ? v : best), null);
  // A version whose announcement a later one replaced (same effective date or earlier, see
  // core/versions/publication.ts) never takes effect: it is not upcoming any more.
  const replaced = (v: T) => published.some((w) => w.number > v.number && w.effectiveAt <= v.effectiveAt);
  return new Map(
    published.map((v) => [
      v.number,
      v.effectiveAt > today && !replaced(v)
        ? "upcoming"
        : v.number === inEffect?.number
          ? "current"
          : "superseded",
    ]),
  );
}
