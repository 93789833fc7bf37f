import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useRevalidator } from "@remix-run/react";
import { useEffect } from "react";
import { z } from "zod";
import { attempt, formError } from "~/auth/errors.server";
import { requireUser, requireUserForm } from "~/auth/session.server";
import { CsrfField, formatDateTime, Notice, PageHeader, useCan } from "~/components/admin-ui";
import { parsePositiveInteger } from "~/core/identifiers";
import {
  capturedEmails,
  emailsPerTransport,
  isCaptured,
  type TransportCount,
  transportText,
} from "~/core/notify/delivery-outcome";
import { formatRemaining } from "~/core/notify/send-estimate";
import type { DeliveryStatus } from "~/core/notify/statuses";
import { countOf } from "~/core/plural";
import { getEnv } from "~/env.server";
import { getNoticeProgress, retryFailedDeliveries } from "~/models/notices.server";

export const meta: MetaFunction = () => [{ title: "Notice · Redline" }];

const REFRESH_MS = 2000;

/** The notice the path names; a malformed id names none, like an id that does not exist. */
function noticeIdOf(params: LoaderFunctionArgs["params"]): number {
  const id = parsePositiveInteger(params.noticeId);
  if (id === null) throw new Response("No such notice.", { status: 404 });
  return id;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request, { role: "viewer" });
  const progress = await getNoticeProgress(noticeIdOf(params), Date.now(), getEnv().SEND_RATE_PER_SECOND);
  if (!progress) throw new Response("No such notice.", { status: 404 });
  return { progress };
}

const NoticeAction = z.object({ intent: z.literal("retry-failed") });

/** Retrying failed email sends again: the same people publishing may decide it. */
export async function action({ request, params }: ActionFunctionArgs) {
  const { user, form } = await requireUserForm(request, { role: "approver" });
  if (!NoticeAction.safeParse(Object.fromEntries(form)).success) return formError("Unknown action.");
  const noticeId = noticeIdOf(params);
  return attempt(async () => {
    const retried = await retryFailedDeliveries({ noticeId, actor: { kind: "user", id: user.id } });
    return { ok: true as const, retried };
  });
}

export default function NoticePage() {
  const { progress } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const canRetry = useCan("publish");
  const revalidator = useRevalidator();
  const live = progress.batches.pending > 0;
  // Live progress: reload the figures while batches are still going out.
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [live, revalidator]);
  const email = progress.email;
  return (
    <>
      <PageHeader title={`Notice #${progress.id}`}>
        <Link to="/admin/notices">All notices</Link>
        {progress.audienceKind === "public" ? null : (
          <Link to={`/admin/acknowledgements/${progress.id}`}>Who acknowledged</Link>
        )}
      </PageHeader>
      <p>
        {progress.slug} ({progress.locale}) version {progress.version} · {progress.channels.join(" and ")}
        {progress.audienceKind === "public"
          ? " · public subscribers (people without an account), nothing to acknowledge"
          : progress.audience
            ? ` · audience ${JSON.stringify(progress.audience)}`
            : " · every active subscriber"}
        {progress.requiresAck ? " · acknowledgement required" : ""} · created{" "}
        {formatDateTime(progress.createdAt)}
      </p>
      {result && !result.ok ? <Notice kind="error">{result.error}</Notice> : null}
      {result?.ok ? (
        <Notice kind="success">
          Back in the outbox:{" "}
          {countOf(result.retried.deliveries, { one: "failed email", other: "failed emails" })} in{" "}
          {countOf(result.retried.batches, { one: "batch", other: "batches" })}.
        </Notice>
      ) : null}
      {email ? (
        <section className="panel" aria-label="Email progress">
          <h2>Email</h2>
          <progress max={email.total} value={email.done} aria-label="Emails resolved" className="full-width">
            {email.percent}%
          </progress>
          <p>
            {email.done} of {email.total} resolved ({email.percent}%) · batches sent {progress.batches.sent}{" "}
            of {progress.batches.total}
            {progress.batches.failed > 0 ? `, ${progress.batches.failed} failed` : ""}
            {email.etaSeconds !== null ? (
              <>
                {" "}
                · <span data-testid="send-estimate">{formatRemaining(email.etaSeconds)} to go</span> (
                {email.basis === "measured"
                  ? `at the pace of the last minute, ${Math.round(email.ratePerSecond)} emails/s`
                  : `at the configured send rate, up to ${Math.round(email.ratePerSecond)} emails/s`}
                )
              </>
            ) : null}
            {live ? " · updating" : ""}
          </p>
          {progress.throttledUntil ? (
            <Notice kind="info">
              The email provider is throttling this send (it answered "too many requests"). Batches wait and
              go out again from {formatDateTime(progress.throttledUntil)}; nothing has failed.
            </Notice>
          ) : null}
          <EmailTransports rows={progress.emailTransports} />
          <EmailStatusTable counts={progress.counts.email!} transports={progress.emailTransports} />
          {progress.batches.failed > 0 && canRetry ? (
            <Form method="post">
              <CsrfField />
              <button type="submit" name="intent" value="retry-failed" className="button-primary">
                Retry failed deliveries
              </button>
            </Form>
          ) : null}
        </section>
      ) : null}
      {progress.dashboard ? (
        <section className="panel" aria-label="Dashboard">
          <h2>Dashboard</h2>
          <CountsTable
            caption="Dashboard notices by outcome"
            columns={[
              { key: "pending", label: "pending", n: progress.dashboard.pending },
              { key: "shown", label: "shown", n: progress.dashboard.shown },
              { key: "acknowledged", label: "acknowledged", n: progress.dashboard.acknowledged },
              { key: "dismissed", label: "dismissed", n: progress.dashboard.dismissed },
            ]}
          />
          <p className="help">
            Pending: not shown yet. Shown: the banner showed it and nothing was pressed. Acknowledged: "I
            acknowledge" (or acknowledged by email or through the API). Dismissed: "Dismiss" on a notice that
            did not require acknowledgement.
          </p>
        </section>
      ) : null}
      {progress.reminders ? (
        <section className="panel" aria-label="Reminders">
          <h2>Reminders</h2>
          <p>
            {`Every ${countOf(progress.reminders.afterDays, { one: "day", other: "days" })}, at most ${countOf(progress.reminders.times, { one: "reminder", other: "reminders" })}, by email to those who have not acknowledged.`}
          </p>
          {progress.reminders.rounds.length === 0 ? (
            <p className="muted">No reminder sent yet.</p>
          ) : (
            <table className="table" aria-label="Reminder rounds">
              <thead>
                <tr>
                  <th>Reminder</th>
                  <th>Queued on</th>
                  {EMAIL_COLUMNS.map((c) => (
                    <th key={c.key}>{c.label}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {progress.reminders.rounds.map((round) => (
                  <tr key={round.round} data-round={round.round}>
                    <td>
                      {round.round} of {progress.reminders!.times} (
                      <Link to={`/admin/notices/${round.noticeId}`}>#{round.noticeId}</Link>)
                    </td>
                    <td>{formatDateTime(round.createdAt)}</td>
                    {EMAIL_COLUMNS.map((c) => (
                      <td key={c.key} data-status={c.key}>
                        {c.count(round.email)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ) : null}
      {progress.batchErrors.length > 0 ? (
        <section className="panel">
          <h2>Batch errors</h2>
          <table className="table">
            <thead>
              <tr>
                <th>Batch</th>
                <th>Status</th>
                <th>Attempts</th>
                <th>Last error</th>
                <th>Next attempt</th>
              </tr>
            </thead>
            <tbody>
              {progress.batchErrors.map((b) => (
                <tr key={b.number}>
                  <td>{b.number}</td>
                  <td>{b.status}</td>
                  <td>{b.attempts}</td>
                  <td>{b.lastError}</td>
                  <td>{b.status === "pending" ? formatDateTime(b.nextAttemptAt) : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </>
  );
}

/** What carried the emails handed over so far, with a warning when any were only captured. */
function EmailTransports({ rows }: { rows: TransportCount[] }) {
  const perTransport = emailsPerTransport(rows);
  if (perTransport.length === 0) return null;
  const captured = capturedEmails(rows);
  const capturedTotal = captured.sent + captured.delivered;
  return (
    <>
      {capturedTotal > 0 ? (
        <Notice kind="warning">
          {`${capturedTotal} ${capturedTotal === 1 ? "email was" : "emails were"} captured, not delivered: kept on the sending machine by a capture mail server, never delivered to anyone.`}
        </Notice>
      ) : null}
      <p data-testid="email-transports">
        Carried by:{" "}
        {perTransport.map((t, i) => (
          <span key={t.transport ?? ""} data-transport={t.transport ?? ""}>
            {i > 0 ? " · " : ""}
            {`${transportText(t.transport, true)} — ${t.emails} ${t.emails === 1 ? "email" : "emails"}${isCaptured(t.transport) ? " (captured, not delivered)" : ""}`}
          </span>
        ))}
      </p>
    </>
  );
}

type Counts = Record<DeliveryStatus, number>;

/**
 * The email columns (issue 16, item 5): what a sender of email expects to see. Queued is waiting
 * for its batch (pending) or on its way to the provider (sending); skipped (erased, bounced before
 * the batch went out, or acknowledged before a reminder) is shown only when there is any.
 */
const EMAIL_COLUMNS: { key: string; label: string; count: (c: Counts) => number }[] = [
  { key: "queued", label: "queued", count: (c) => c.pending + c.sending },
  { key: "sent", label: "sent", count: (c) => c.sent },
  { key: "delivered", label: "delivered", count: (c) => c.delivered },
  { key: "bounced", label: "bounced", count: (c) => c.bounced },
  { key: "complained", label: "complained", count: (c) => c.complained },
  { key: "failed", label: "failed", count: (c) => c.failed },
];

/**
 * Email counts per status. Captured messages get their own column instead of reading as "sent" or
 * "delivered": they reached nobody.
 */
function EmailStatusTable({ counts, transports }: { counts: Counts; transports: TransportCount[] }) {
  const captured = capturedEmails(transports);
  const columns: { key: string; label: string; n: number }[] = [];
  for (const c of EMAIL_COLUMNS) {
    const key = c.key as DeliveryStatus;
    const n = key === "sent" || key === "delivered" ? c.count(counts) - captured[key] : c.count(counts);
    columns.push({ key: c.key, label: c.label, n });
    if (c.key === "sent" && captured.sent + captured.delivered > 0)
      columns.push({
        key: "captured",
        label: "captured, not delivered",
        n: captured.sent + captured.delivered,
      });
  }
  if (counts.skipped > 0) columns.push({ key: "skipped", label: "skipped", n: counts.skipped });
  return <CountsTable caption="Emails by status" columns={columns} />;
}

function CountsTable({
  caption,
  columns,
}: {
  caption: string;
  columns: { key: string; label: string; n: number }[];
}) {
  return (
    <table className="table" aria-label={caption}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.key}>{c.label}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        <tr>
          {columns.map((c) => (
            <td key={c.key} data-status={c.key}>
              {c.n}
            </td>
          ))}
        </tr>
      </tbody>
    </table>
  );
}
