import {
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { attempt, formError } from "~/auth/errors.server";
import { documentFromParams } from "~/auth/params.server";
import { requireUser, requireUserForm } from "~/auth/session.server";
import { CsrfField, formatDateTime, Notice, PageHeader, StateBadge, useCan } from "~/components/admin-ui";
import { MaterialitySuggestion } from "~/components/admin-ui/materiality";
import { RedlineHtml } from "~/components/admin-ui/redline";
import { countOf, WORDS } from "~/core/plural";
import { refusedAsPage } from "~/http/refusals.server";
import { lastDraftSave } from "~/models/drafts.server";
import { listVersionHistory } from "~/models/history.server";
import { compareWithInEffect, listReviewComments, reviewStep } from "~/models/review.server";
import { getOpenVersion, versionAuthorIds } from "~/models/versions.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Review ${data.document.title} · Redline` : "Review · Redline" },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, { role: "viewer" });
  const document = await documentFromParams(params);
  const open = await getOpenVersion(document.id);
  if (!open || open.state === "draft") throw redirect(`/admin/documents/${document.id}`);
  const [comparison, authors, comments, lastSave, history] = await Promise.all([
    refusedAsPage(compareWithInEffect(document, open)),
    versionAuthorIds(open.id),
    listReviewComments(open.id),
    lastDraftSave(open.id),
    listVersionHistory(document.id),
  ]);
  return {
    document: { id: document.id, title: document.title, slug: document.slug, locale: document.locale },
    version: { number: open.number, state: open.state, revision: open.revision, updatedAt: open.updatedAt },
    authorEmails: history.find((v) => v.id === open.id)?.authorEmails ?? [],
    userIsAuthor: authors.has(user.id),
    inEffect: comparison.inEffect,
    redline: comparison.html,
    changes: comparison.changesHtml,
    stats: comparison.diff.stats,
    material: comparison.diff.material,
    comments,
    lastSave,
  };
}

const ReviewAction = z.object({
  intent: z.enum(["approve", "send-back"]),
  revision: z.coerce.number().int().positive(),
  comment: z.string().max(5000).optional(),
});

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, form } = await requireUserForm(request, { role: "approver" });
  const document = await documentFromParams(params);
  const parsed = ReviewAction.safeParse(Object.fromEntries(form));
  if (!parsed.success) return formError("That request was not understood.");
  const { intent, revision, comment } = parsed.data;
  return attempt(async () => {
    await reviewStep({
      documentId: document.id,
      step: intent,
      expectedRevision: revision,
      comment,
      actor: { kind: "user", id: user.id },
    });
    return redirect(
      intent === "approve" ? `/admin/documents/${document.id}/publish` : `/admin/documents/${document.id}`,
    );
  });
}

export default function Review() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const canReview = useCan("review");
  const { document, version } = data;
  return (
    <>
      <PageHeader title={`Review: ${document.title}`}>
        <Link to={`/admin/documents/${document.id}`} className="button">
          Back to the document
        </Link>
      </PageHeader>
      <p className="muted">
        Version {version.number} <StateBadge state={version.state} /> · revision {version.revision} · written
        by {data.authorEmails.join(", ") || "the command line"}
        {data.lastSave ? <> · last saved {formatDateTime(data.lastSave.at)}</> : null}
      </p>
      {result && !result.ok ? <Notice kind="error">{result.error}</Notice> : null}
      <div className="review-layout">
        <div>
          <h2>
            Changes{" "}
            {data.inEffect ? `against version ${data.inEffect.number}, in effect now` : "(first version)"}
          </h2>
          <p className="muted">
            {countOf(data.stats.wordsAdded, WORDS)} added, {data.stats.wordsRemoved} removed,{" "}
            {countOf(data.stats.blocksChanged, { one: "block", other: "blocks" })} changed
            {data.stats.sectionsChanged.length ? ` in ${data.stats.sectionsChanged.join("; ")}` : ""}.
          </p>
          <RedlineHtml html={data.redline} changesHtml={data.changes} label="Redline" />
        </div>
        <aside className="review-side">
          <MaterialitySuggestion material={data.material} />
          {version.state === "in_review" && canReview ? (
            data.userIsAuthor ? (
              <Notice kind="info">
                You saved a revision of this draft, so another approver must approve it (four eyes). You can
                still send it back.
              </Notice>
            ) : null
          ) : null}
          {version.state === "in_review" && canReview ? (
            <>
              {!data.userIsAuthor ? (
                <Form method="post" className="stack">
                  <CsrfField />
                  <input type="hidden" name="revision" value={version.revision} />
                  <label>
                    Note for the record (optional)
                    <textarea name="comment" rows={2} />
                  </label>
                  <button type="submit" name="intent" value="approve" className="button-primary">
                    Approve
                  </button>
                </Form>
              ) : null}
              <SendBackForm revision={version.revision} label="What needs to change" />
            </>
          ) : null}
          {version.state === "approved" && canReview ? (
            <>
              <Link to={`/admin/documents/${document.id}/publish`} className="button-primary">
                Prepare publication
              </Link>
              <SendBackForm revision={version.revision} label="Why it goes back to draft" />
            </>
          ) : null}
          {data.comments.length > 0 ? (
            <div className="comments">
              <h3>Earlier comments</h3>
              {data.comments.map((c) => (
                <blockquote key={c.id} className="comment">
                  <p>{c.body}</p>
                  <footer>
                    {c.kind === "sent-back" ? "Sent back" : "Approved"} by {c.authorEmail},{" "}
                    {formatDateTime(c.createdAt)}
                  </footer>
                </blockquote>
              ))}
            </div>
          ) : null}
        </aside>
      </div>
    </>
  );
}

/** Sends the version back to draft with a required comment the editor will see. */
function SendBackForm({ revision, label }: { revision: number; label: string }) {
  return (
    <Form method="post" className="stack">
      <CsrfField />
      <input type="hidden" name="revision" value={revision} />
      <label>
        {label}
        <textarea name="comment" rows={4} required />
      </label>
      <button type="submit" name="intent" value="send-back" className="button">
        Send back
      </button>
    </Form>
  );
}
