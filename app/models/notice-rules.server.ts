/**
 * Two rules of notices (ADR 0007) as SQL fragments, so that the pending notices, the
 * acknowledgement report, its CSV and the proof ledger count the same people the same way.
 */
import { type SQL, sql } from "drizzle-orm";
import { EMAIL_PROBLEMS } from "../core/notify/statuses";

/** A version of a document: columns of the surrounding query, or bound values. */
type VersionOf = { document: SQL | number; version: SQL | number };

/**
 * An acknowledgement covers earlier versions: whoever acknowledged version N of a document has
 * been shown the text of N, whose redline starts at the version they last acknowledged, so a
 * notice of any version up to N of the same document needs nothing more from them. A later
 * version is never covered by an earlier acknowledgement.
 */
export function acknowledgementCovers(acknowledged: VersionOf, notice: VersionOf): SQL {
  return sql`${acknowledged.document} = ${notice.document} AND ${acknowledged.version} >= ${notice.version}`;
}

const covering = (subscriber: SQL, notice: VersionOf) =>
  sql`covering.subscriber_id = ${subscriber} AND ${acknowledgementCovers(
    { document: sql`covering.document_id`, version: sql`covering.version_number` },
    notice,
  )}`;

/** Whether the subscriber has acknowledged the notice's version or a later one (SQL boolean). */
export function hasAcknowledged(subscriber: SQL, notice: VersionOf): SQL {
  return sql`EXISTS (SELECT 1 FROM acknowledgements covering WHERE ${covering(subscriber, notice)})`;
}

/**
 * The id of the acknowledgement that settles the notice for the subscriber (SQL scalar, null for
 * none): that version's own, or failing that the earliest of a later version.
 */
export function coveringAcknowledgementId(subscriber: SQL, notice: VersionOf): SQL {
  return sql`(SELECT covering.id FROM acknowledgements covering WHERE ${covering(subscriber, notice)}
    ORDER BY covering.version_number LIMIT 1)`;
}

/** The one list of app/core/notify/statuses.ts, spelled as SQL literals (constants, never input). */
const EMAIL_PROBLEM_LIST = sql.raw(EMAIL_PROBLEMS.map((status) => `'${status}'`).join(", "));

/** Whether a delivery status is an email problem: the dashboard is then the only way left. */
export function isEmailProblemStatus(status: SQL): SQL {
  return sql`${status} IN (${EMAIL_PROBLEM_LIST})`;
}
