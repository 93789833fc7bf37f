import { type ActionFunctionArgs, type LoaderFunctionArgs, redirect } from "@remix-run/node";
import { z } from "zod";
import { sentence } from "~/auth/errors.server";
import { documentFromParams } from "~/auth/params.server";
import { type FormRefusal, requireUser, requireUserForm } from "~/auth/session.server";
import type { SaveResponse } from "~/components/admin-editor/autosave";
import { isRefusal } from "~/core/refusal";
import { BODY_LIMITS } from "~/http/body.server";
import { refusalStatus } from "~/http/refusals.server";
import { lastDraftSave, saveWorkspaceDraft, staleDraftOf } from "~/models/drafts.server";
import { compareWithStoredDraft } from "~/models/review.server";

const SaveDraft = z.object({
  intent: z.literal("save-draft"),
  revision: z.coerce.number().int().positive(),
  content: z.string().min(2),
});

const answer = (body: SaveResponse, status = 200) => Response.json(body, { status });

/** The editor is a fetch, not a page: it is told why, in JSON, never redirected. */
function autosaveRefusal(refusal: FormRefusal): Response {
  switch (refusal.kind) {
    case "signed-out":
      return answer({ status: "signed-out" }, 401);
    case "role":
      return answer({ status: "forbidden", message: "Your role cannot edit drafts." }, 403);
    case "cross-site":
      return answer({ status: "forbidden", message: "Cross-site request refused." }, 403);
    case "body":
      return answer(
        {
          status: "rejected",
          message:
            refusal.error.status === 413
              ? "The document is larger than 2 MB, so it was not saved."
              : `The editor's request was refused (${refusal.error.message}), so nothing was saved.`,
        },
        refusal.error.status,
      );
    case "expired-form":
      return answer(
        {
          status: "forbidden",
          message: "This page has expired. Copy your text, reload the page and try again.",
        },
        403,
      );
  }
}

/**
 * The editor's autosave endpoint. It answers JSON, never a redirect, so the editor can keep the text
 * and say what happened: 401 when the session has ended, 409 when someone else saved first, 400/413
 * when the content is refused (the stored draft is then unchanged).
 */
export async function action({ request, params }: ActionFunctionArgs) {
  const { user, form } = await requireUserForm(request, {
    role: "editor",
    limit: BODY_LIMITS.draft,
    refuse: autosaveRefusal,
  });
  const document = await documentFromParams(params);
  const parsed = SaveDraft.safeParse(Object.fromEntries(form));
  if (!parsed.success)
    return answer({ status: "rejected", message: "The editor sent an incomplete request." }, 400);
  try {
    const version = await saveWorkspaceDraft({
      documentId: document.id,
      content: parsed.data.content,
      expectedRevision: parsed.data.revision,
      actor: { kind: "user", id: user.id },
    });
    return answer({ status: "saved", revision: version.revision, savedAt: version.updatedAt });
  } catch (error) {
    if (!isRefusal(error)) throw error;
    if (error.reason === "invalid" || error.reason === "too-large") {
      return answer({ status: "rejected", message: error.message }, refusalStatus(error));
    }
    // Someone saved first (another person, or this one in another tab), the draft went to review,
    // or it was published: the editor keeps the text, and is shown what differs.
    const current = staleDraftOf(error);
    const lastSave = current ? await lastDraftSave(current.versionId) : null;
    const savedByYou = lastSave?.userId === user.id;
    const stillDraft = current?.state === "draft";
    const comparison =
      current && stillDraft ? await compareWithStoredDraft(current.versionId, parsed.data.content) : null;
    const moved = `you started from revision ${parsed.data.revision}; it is now at revision ${current?.revision}`;
    return answer(
      {
        status: "conflict",
        message: stillDraft
          ? savedByYou
            ? `You saved this draft in another tab, window or browser while this tab was editing (this tab started from revision ${parsed.data.revision}; it is now at revision ${current?.revision})`
            : `Someone else saved this draft while you were editing (${moved})`
          : sentence(error.message),
        currentRevision: stillDraft ? (current?.revision ?? null) : null,
        savedBy: lastSave?.email ?? null,
        savedByYou,
        redline: comparison ? { html: comparison.html, changesHtml: comparison.changesHtml } : null,
      },
      409,
    );
  }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request, { role: "editor" });
  const document = await documentFromParams(params);
  return redirect(`/admin/documents/${document.id}/edit`);
}
