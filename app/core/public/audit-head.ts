/**
 * How the public site publishes the audit chain's head with each version (ADR 0011): a `<meta>` on
 * the version's pages, an Atom category in the feed and `auditHead` in the JSON API. Whoever keeps
 * one can later run `redline audit verify --head <hash>` (or ask the operator to) to prove that the
 * log up to that publication was not rewritten.
 */

/** `<meta name="…">` of the policy and version pages. */
const AUDIT_HEAD_META = "redline:audit-head";

/** The Atom `<category scheme="…" term="<head>">` of a feed entry. */
export const AUDIT_HEAD_SCHEME = "urn:redline:audit-head";

export function auditHeadMeta(version: { auditHead: string | null }) {
  return version.auditHead ? [{ name: AUDIT_HEAD_META, content: version.auditHead }] : [];
}
