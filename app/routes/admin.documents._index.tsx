import {
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { attempt, formError } from "~/auth/errors.server";
import { requireUser, requireUserForm } from "~/auth/session.server";
import { CsrfField, Notice, PageHeader, StateBadge, useCan } from "~/components/admin-ui";
import { formatLongDate } from "~/core/dates";
import { LOCALE_SHAPE, MAX_LOCALE_LENGTH, MAX_SLUG_LENGTH, SLUG_SHAPE } from "~/core/identifiers";
import { listDocuments } from "~/models/documents.server";
import { createDocument } from "~/models/drafts.server";

export const meta: MetaFunction = () => [{ title: "Documents · Redline" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, { role: "viewer" });
  return { documents: await listDocuments() };
}

const CreateDocument = z.object({
  intent: z.literal("create-document"),
  // Bounded here; the slug, locale and title rules themselves are checked (and explained) by createDocument.
  slug: z.string().trim().min(1).max(1000),
  title: z.string().trim().min(1).max(1000),
  locale: z.string().trim().min(1).max(100),
});

export async function action({ request }: ActionFunctionArgs) {
  const { user, form } = await requireUserForm(request, { role: "editor" });
  const parsed = CreateDocument.safeParse(Object.fromEntries(form));
  if (!parsed.success) return formError("Give the document a slug, a title and a language.");
  return attempt(async () => {
    const document = await createDocument({ ...parsed.data, actor: { kind: "user", id: user.id } });
    return redirect(`/admin/documents/${document.id}/edit`);
  });
}

export default function Documents() {
  const { documents } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const canWrite = useCan("writeDrafts");
  return (
    <>
      <PageHeader title="Documents" />
      <table className="table">
        <thead>
          <tr>
            <th>Title</th>
            <th>Slug</th>
            <th>Language</th>
            <th>Open version</th>
            <th>Published</th>
          </tr>
        </thead>
        <tbody>
          {documents.map((d) => (
            <tr key={d.id}>
              <td>
                <Link to={`/admin/documents/${d.id}`}>{d.title}</Link>
                {d.translationOfId ? <span className="muted"> (translation)</span> : null}
              </td>
              <td>
                <code>{d.slug}</code>
              </td>
              <td>{d.locale}</td>
              <td>
                {d.openVersion ? (
                  <>
                    {d.openVersion.number} <StateBadge state={d.openVersion.state} />
                  </>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              <td>
                {d.latestPublished?.lastUpdated ? (
                  <>
                    version {d.latestPublished.number}, last updated{" "}
                    {formatLongDate(d.latestPublished.lastUpdated)}
                  </>
                ) : (
                  <span className="muted">not yet</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {canWrite ? (
        <section className="panel">
          <h2>New document</h2>
          {result && !result.ok ? <Notice kind="error">{result.error}</Notice> : null}
          <Form method="post" className="form-row">
            <CsrfField />
            <input type="hidden" name="intent" value="create-document" />
            <label>
              Title
              <input name="title" required maxLength={200} placeholder="Cookie Policy" />
            </label>
            <label>
              Slug
              <input
                name="slug"
                required
                pattern={SLUG_SHAPE}
                maxLength={MAX_SLUG_LENGTH}
                placeholder="cookies"
              />
            </label>
            <label>
              Language
              <input
                name="locale"
                required
                defaultValue="en"
                size={6}
                pattern={LOCALE_SHAPE}
                maxLength={MAX_LOCALE_LENGTH}
              />
            </label>
            <button type="submit" className="button-primary">
              Create document
            </button>
          </Form>
        </section>
      ) : null}
    </>
  );
}
