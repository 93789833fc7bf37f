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
import { formatLongDate } from "~/core/dates";
import { LOCALE_SHAPE, MAX_LOCALE_LENGTH } from "~/core/identifiers";
import { listRelatedDocuments } from "~/models/documents.server";
import { createTranslation, lastDraftSave, startDraft } from "~/models/drafts.server";
import { listVersionHistory, versionOrigin } from "~/models/history.server";
import { listReviewComments, reviewStep } from "~/models/review.server";
import { getOpenVersion, versionAuthorIds } from "~/models/versions.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.document.title} · Redline` : "Document · Redline" },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, { role: "viewer" });
  const document = await documentFromParams(params);
  const open = await getOpenVersion(document.id);
  const [history, related, comments, authors, lastSave, origin] = await Promise.all([
    listVersionHistory(document.id),
    listRelatedDocuments(document),
    open ? listReviewComments(open.id) : [],
    open ? versionAuthorIds(open.id) : new Set<number>(),
    open ? lastDraftSave(open.id) : null,
    versionOrigin(open?.basedOnVersionId ?? null),
  ]);
  const published = history.find((v) => v.state === "published");
  return {
    document,
    open: open
      ? {
          number: open.number,
          state: open.state,
          revision: open.revision,
          updatedAt: open.updatedAt,
          origin:
            origin && origin.documentId !== document.id
              ? `translates version ${origin.number} of ${origin.title} (${origin.locale})`
              : origin
                ? `based on version ${origin.number}`
                : null,
        }
      : null,
    authors: open ? (history.find((v) => v.id === open.id)?.authorEmails ?? []) : [],
    userIsAuthor: authors.has(user.id),
    lastSave,
    comments,
    related,
    published: published
      ? { number: published.number, lastUpdated: published.lastUpdated, effectiveAt: published.effectiveAt }
      : null,
    versionCount: history.length,
  };
}

const DocumentAction = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("start-draft") }),
  z.object({ intent: z.literal("submit-for-review"), revision: z.coerce.number().int().positive() }),
  z.object({
    intent: z.literal("create-translation"),
    locale: z.string().trim().min(1).max(100),
    title: z.string().trim().min(1).max(200),
  }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, form } = await requireUserForm(request, { role: "editor" });
  const document = await documentFromParams(params);
  const parsed = DocumentAction.safeParse(Object.fromEntries(form));
  if (!parsed.success) return formError("That request was not understood.");
  const actor = { kind: "user" as const, id: user.id };
  const input = parsed.data;
  return attempt(async () => {
    switch (input.intent) {
      case "start-draft":
        await startDraft({ documentId: document.id, actor });
        return redirect(`/admin/documents/${document.id}/edit`);
      case "submit-for-review":
        await reviewStep({
          documentId: document.id,
          step: "submit",
          expectedRevision: input.revision,
          actor,
        });
        return redirect(`/admin/documents/${document.id}?submitted=1`);
      case "create-translation": {
        const translation = await createTranslation({
          sourceDocumentId: document.id,
          locale: input.locale,
          title: input.title,
          actor,
        });
        return redirect(`/admin/documents/${translation.id}/edit`);
      }
    }
  });
}

export default function DocumentPage() {
  const { document, open, authors, userIsAuthor, lastSave, comments, related, published, versionCount } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const canWrite = useCan("writeDrafts");
  const canReview = useCan("review");
  const base = `/admin/documents/${document.id}`;
  const publicUrl = `/policies/${document.slug}${document.locale === "en" ? "" : `?lang=${document.locale}`}`;
  return (
    <>
      <PageHeader title={document.title}>
        <Link to={`${base}/history`} className="button">
          History ({versionCount})
        </Link>
        {published ? (
          <a href={publicUrl} className="button">
            Public page
          </a>
        ) : null}
      </PageHeader>
      <p className="muted">
        <code>{document.slug}</code> · {document.locale}
        {published?.lastUpdated ? (
          <>
            {" "}
            · version {published.number} published, last updated {formatLongDate(published.lastUpdated)}
          </>
        ) : (
          " · not published yet"
        )}
      </p>
      {result && !result.ok ? <Notice kind="error">{result.error}</Notice> : null}

      <section className="panel">
        <h2>Open version</h2>
        {open ? (
          <>
            <p>
              Version {open.number} <StateBadge state={open.state} /> · revision {open.revision}
              {lastSave ? (
                <>
                  {" "}
                  · last saved by {lastSave.email} on {formatDateTime(lastSave.at)}
                </>
              ) : null}
              {open.origin ? <> · {open.origin}</> : null}
            </p>
            <p className="muted">Written by {authors.join(", ") || "the command line"}</p>
            {comments.length > 0 ? (
              <div className="comments">
                <h3>Review comments</h3>
                {comments.map((c) => (
                  <blockquote key={c.id} className={`comment comment-${c.kind}`}>
                    <p>{c.body}</p>
                    <footer>
                      {c.kind === "sent-back" ? "Sent back" : "Approved"} by {c.authorEmail},{" "}
                      {formatDateTime(c.createdAt)} (revision {c.revision})
                    </footer>
                  </blockquote>
                ))}
              </div>
            ) : null}
            <div className="actions">
              {open.state === "draft" && canWrite ? (
                <>
                  <Link to={`${base}/edit`} className="button">
                    Edit draft
                  </Link>
                  <Form method="post" className="inline-form">
                    <CsrfField />
                    <input type="hidden" name="revision" value={open.revision} />
                    <button type="submit" name="intent" value="submit-for-review" className="button-primary">
                      Submit for review
                    </button>
                  </Form>
                </>
              ) : null}
              {open.state === "draft" && !canWrite ? (
                <Link to={`${base}/versions/${open.number}`} className="button">
                  Read the draft
                </Link>
              ) : null}
              {open.state === "in_review" ? (
                <Link to={`${base}/review`} className={canReview ? "button-primary" : "button"}>
                  {canReview
                    ? userIsAuthor
                      ? "See the review (you are an author)"
                      : "Review"
                    : "See the draft under review"}
                </Link>
              ) : null}
              {open.state === "approved" ? (
                canReview ? (
                  <Link to={`${base}/publish`} className="button-primary">
                    Prepare publication
                  </Link>
                ) : (
                  <Link to={`${base}/review`} className="button">
                    See the approved draft
                  </Link>
                )
              ) : null}
            </div>
          </>
        ) : (
          <>
            <p className="muted">No version is being worked on.</p>
            {canWrite ? (
              <Form method="post">
                <CsrfField />
                <button type="submit" name="intent" value="start-draft" className="button-primary">
                  Start a new draft
                </button>
              </Form>
            ) : null}
          </>
        )}
      </section>

      <section className="panel">
        <h2>Translations</h2>
        {document.translationOfId ? (
          <p>This document is a translation. Its first draft started from the original's published text.</p>
        ) : null}
        {related.length === 0 ? (
          <p className="muted">No other languages yet.</p>
        ) : (
          <ul className="plain-list">
            {related.map((d) => (
              <li key={d.id}>
                <Link to={`/admin/documents/${d.id}`}>{d.title}</Link>{" "}
                <span className="muted">({d.locale})</span>
                {d.id === document.translationOfId ? <span className="muted"> — original</span> : null}
              </li>
            ))}
          </ul>
        )}
        {canWrite && !document.translationOfId ? (
          <Form method="post" className="form-row">
            <CsrfField />
            <input type="hidden" name="intent" value="create-translation" />
            <label>
              Language
              <input
                name="locale"
                required
                placeholder="de"
                size={6}
                pattern={LOCALE_SHAPE}
                maxLength={MAX_LOCALE_LENGTH}
              />
            </label>
            <label>
              Translated title
              <input name="title" required placeholder="Datenschutzerklärung" />
            </label>
            <button type="submit" className="button">
              Add translation
            </button>
          </Form>
        ) : null}
      </section>
    </>
  );
}
