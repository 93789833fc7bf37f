import type { JSONContent } from "@tiptap/core";
import type { Slice } from "@tiptap/pm/model";
import { type Editor, EditorContent, useEditor, useEditorState } from "@tiptap/react";
import { useEffect, useRef, useState } from "react";
// The browser may import the extension list, never ~/core/document (it pulls in server-only code).
import { formatDateTime } from "~/core/dates";
import { isSafeHref, policyExtensions } from "~/core/document/extensions";
import { RedlineHtml } from "../admin-ui/redline";
import { type SaveStatus, statusLabel } from "./autosave";
import { normalizeOfficeHtml } from "./office-paste";
import { judgePaste, type PasteCheck, preparePaste } from "./paste-check";
import { useAutosave } from "./use-autosave";

export type PolicyEditorProps = {
  documentId: number;
  versionNumber: number;
  initialContent: JSONContent;
  initialRevision: number;
  csrfToken: string;
  /** Where drafts are POSTed (the JSON draft endpoint). */
  saveUrl: string;
  /** A page showing the draft as stored now, for a conflict. */
  currentDraftUrl: string;
  signInUrl: string;
  /** Called with the saved revision whenever it changes (for the "Submit for review" form). */
  onRevision?: (revision: number, clean: boolean) => void;
};

/**
 * The Tiptap editor with its toolbar, its save status and the offer of text this browser kept; the
 * saving itself is `useAutosave` (autosave-session.ts).
 */
export function PolicyEditor(props: PolicyEditorProps) {
  const [toolbarMessage, setToolbarMessage] = useState<string | null>(null);
  const autosave = useAutosave(props);
  const { status, staleCopy } = autosave;

  const pasteCheck = useRef<PasteCheck | null>(null);
  /** True (handled: nothing goes in) when the paste is refused; shows what was left out otherwise. */
  const admitPaste = (slice: Slice): boolean => {
    const check = pasteCheck.current;
    pasteCheck.current = null;
    const { allow, message } = judgePaste(check, slice.content.textBetween(0, slice.content.size, " ", " "));
    setToolbarMessage(message);
    return !allow;
  };

  const editor = useEditor({
    extensions: policyExtensions,
    content: props.initialContent,
    immediatelyRender: false,
    // A <style> element would break the workspace's Content-Security-Policy: the rules are in admin.css.
    injectCSS: false,
    editorProps: {
      // Pasted HTML follows the importer's rules: what is left out on purpose is said, and a
      // paste that would lose text is refused (see paste-check.ts).
      transformPastedHTML: (html) => {
        const { html: prepared, check } = preparePaste(normalizeOfficeHtml(html), new DOMParser());
        pasteCheck.current = check;
        return prepared;
      },
      handlePaste: (_view, _event, slice) => admitPaste(slice),
      handleDrop: (_view, _event, slice, moved) => (moved ? false : admitPaste(slice)),
      attributes: {
        class: "editor-content policy-body",
        "aria-label": "Policy text",
        "aria-multiline": "true",
        role: "textbox",
        spellcheck: "true",
      },
    },
    onUpdate: ({ transaction }) => {
      if (!transaction.docChanged) return;
      autosave.changed();
      // A refused link or paste is news until the next edit; the paste's own change keeps its message.
      const event = transaction.getMeta("uiEvent");
      if (event !== "paste" && event !== "drop") setToolbarMessage(null);
    },
  });

  // Autosave reads the text to save it, and puts back text this browser kept from an earlier visit.
  const { attach } = autosave;
  useEffect(() => {
    if (!editor) return;
    attach({
      read: () => editor.getJSON(),
      replace: (content) => editor.commands.setContent(content as JSONContent, { emitUpdate: false }),
    });
  }, [editor, attach]);

  return (
    <div className="editor">
      {staleCopy ? (
        <div className="notice notice-info" role="status">
          {staleCopy.fromClosedTab
            ? "A tab of this browser that was closed left unsaved text"
            : "This tab kept unsaved text"}{" "}
          from {formatDateTime(staleCopy.savedAt)}, written on revision {staleCopy.baseRevision}. The draft
          has been saved since (revision {autosave.revision}).{" "}
          <a href={props.currentDraftUrl} target="_blank" rel="noreferrer">
            See the saved draft
          </a>{" "}
          <button type="button" className="button" onClick={autosave.restoreStaleCopy}>
            Use my unsaved text
          </button>{" "}
          <button type="button" className="button-link" onClick={autosave.discardStaleCopy}>
            Discard it
          </button>
        </div>
      ) : null}
      {autosave.restored ? (
        <div className="notice notice-info" role="status">
          Unsaved text from this browser was restored and is being saved.
        </div>
      ) : null}
      <div className="editor-chrome">
        <Toolbar editor={editor} onMessage={setToolbarMessage} onSave={autosave.saveNow} status={status} />
        {toolbarMessage ? (
          <p className="toolbar-message" role="alert">
            {toolbarMessage}
          </p>
        ) : null}
        <SaveStatusLine status={status} {...props} onOverwrite={autosave.overwriteWithMine} />
      </div>
      {status.kind === "conflict" && status.redline ? (
        <section className="conflict-redline" aria-labelledby="conflict-redline-title">
          <h2 id="conflict-redline-title">
            What this tab's text changes in the saved draft (revision {status.currentRevision})
          </h2>
          <p className="help">
            Struck through: only in the saved draft. Underlined: only in this tab. Nothing else differs.
          </p>
          <RedlineHtml
            html={status.redline.html}
            changesHtml={status.redline.changesHtml}
            label="This tab's text compared with the saved draft"
          />
        </section>
      ) : null}
      <EditorContent editor={editor} className="editor-frame" />
      {!editor ? <p className="muted">Loading the editor…</p> : null}
    </div>
  );
}

function SaveStatusLine({
  status,
  currentDraftUrl,
  signInUrl,
  onOverwrite,
}: { status: SaveStatus; onOverwrite: () => void } & PolicyEditorProps) {
  return (
    <div
      className={`save-status save-${status.kind}`}
      data-save-status={status.kind}
      role="status"
      aria-live="polite"
    >
      <strong>{statusLabel(status)}</strong>
      {status.kind === "saved" && status.at ? (
        <span className="muted"> at {formatDateTime(status.at)}</span>
      ) : null}
      {status.kind === "offline" ? (
        <span>
          {" "}
          — you seem to be offline. Your text is kept in this browser and will be saved when you are back.
        </span>
      ) : null}
      {status.kind === "error" || status.kind === "rejected" ? <span> — {status.message}</span> : null}
      {status.kind === "signed-out" ? (
        <span>
          {" "}
          — your session has ended. Your text is kept in this browser.{" "}
          <a href={signInUrl} target="_blank" rel="noreferrer">
            Sign in again
          </a>{" "}
          (in a new tab), then reload this page to save it.
        </span>
      ) : null}
      {status.kind === "conflict" ? (
        <span>
          {" "}
          — {status.message}
          {status.savedBy && !status.savedByYou ? ` (last saved by ${status.savedBy})` : ""}. This tab's text
          is kept in this browser.{" "}
          {status.redline ? null : (
            <a href={currentDraftUrl} target="_blank" rel="noreferrer">
              See the saved draft
            </a>
          )}{" "}
          <button type="button" className="button-link" onClick={() => window.location.reload()}>
            {status.savedByYou ? "Load the saved version" : "Load their version"}
          </button>{" "}
          <button type="button" className="button-link" onClick={onOverwrite}>
            {status.savedByYou ? "Replace it with this tab's text" : "Replace it with mine"}
          </button>
        </span>
      ) : null}
    </div>
  );
}

function Toolbar({
  editor,
  onMessage,
  onSave,
  status,
}: {
  editor: Editor | null;
  onMessage: (message: string | null) => void;
  onSave: () => void;
  status: SaveStatus;
}) {
  const state = useEditorState({
    editor,
    selector: ({ editor: e }) =>
      e
        ? {
            paragraph: e.isActive("paragraph"),
            h2: e.isActive("heading", { level: 2 }),
            h3: e.isActive("heading", { level: 3 }),
            h4: e.isActive("heading", { level: 4 }),
            blockquote: e.isActive("blockquote"),
            bold: e.isActive("bold"),
            italic: e.isActive("italic"),
            strike: e.isActive("strike"),
            bulletList: e.isActive("bulletList"),
            orderedList: e.isActive("orderedList"),
            link: e.isActive("link"),
            table: e.isActive("table"),
          }
        : null,
  });
  const run = (fn: (e: Editor) => boolean) => () => {
    if (editor) fn(editor);
  };
  const [linkDialog, setLinkDialog] = useState<{ href: string } | null>(null);
  const openLinkDialog = () => {
    if (!editor) return;
    const previous = editor.getAttributes("link").href as string | undefined;
    setLinkDialog({ href: previous ?? "https://" });
  };
  /** Applies the dialog's address; a refused one keeps the dialog open with the reason. */
  const applyLink = (href: string): string | null => {
    if (!editor) return null;
    const trimmed = href.trim();
    if (trimmed === "") {
      editor.chain().focus().extendMarkRange("link").unsetLink().run();
      return null;
    }
    if (!isSafeHref(trimmed)) {
      return "That link was refused: links may only use http, https or mailto.";
    }
    onMessage(null);
    editor.chain().focus().extendMarkRange("link").setLink({ href: trimmed }).run();
    return null;
  };
  const button = (label: string, active: boolean | undefined, action: () => void, text: string) => (
    <button
      type="button"
      className={active ? "tool is-active" : "tool"}
      aria-label={label}
      aria-pressed={active === undefined ? undefined : active}
      title={label}
      onMouseDown={(e) => e.preventDefault()}
      onClick={action}
      disabled={!editor}
    >
      {text}
    </button>
  );
  return (
    <div className="toolbar" role="toolbar" aria-label="Formatting">
      <div className="tool-group">
        {button(
          "Paragraph",
          state?.paragraph,
          run((e) => e.chain().focus().setParagraph().run()),
          "¶",
        )}
        {button(
          "Heading 2",
          state?.h2,
          run((e) => e.chain().focus().toggleHeading({ level: 2 }).run()),
          "H2",
        )}
        {button(
          "Heading 3",
          state?.h3,
          run((e) => e.chain().focus().toggleHeading({ level: 3 }).run()),
          "H3",
        )}
        {button(
          "Heading 4",
          state?.h4,
          run((e) => e.chain().focus().toggleHeading({ level: 4 }).run()),
          "H4",
        )}
        {button(
          "Quotation",
          state?.blockquote,
          run((e) => e.chain().focus().toggleBlockquote().run()),
          "❝ Quote",
        )}
      </div>
      <div className="tool-group">
        {button(
          "Bold",
          state?.bold,
          run((e) => e.chain().focus().toggleBold().run()),
          "B",
        )}
        {button(
          "Italic",
          state?.italic,
          run((e) => e.chain().focus().toggleItalic().run()),
          "I",
        )}
        {button(
          "Strikethrough",
          state?.strike,
          run((e) => e.chain().focus().toggleStrike().run()),
          "S̶",
        )}
      </div>
      <div className="tool-group">
        {button(
          "Bulleted list",
          state?.bulletList,
          run((e) => e.chain().focus().toggleBulletList().run()),
          "• List",
        )}
        {button(
          "Numbered list",
          state?.orderedList,
          run((e) => e.chain().focus().toggleOrderedList().run()),
          "1. List",
        )}
      </div>
      <div className="tool-group">
        {button("Link", state?.link, openLinkDialog, "Link")}
        {button(
          "Remove link",
          undefined,
          run((e) => e.chain().focus().unsetLink().run()),
          "Unlink",
        )}
      </div>
      <div className="tool-group">
        {button(
          "Insert table",
          undefined,
          run((e) => e.chain().focus().insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run()),
          "Table",
        )}
        {state?.table ? (
          <>
            {button(
              "Add row",
              undefined,
              run((e) => e.chain().focus().addRowAfter().run()),
              "+ Row",
            )}
            {button(
              "Add column",
              undefined,
              run((e) => e.chain().focus().addColumnAfter().run()),
              "+ Column",
            )}
            {button(
              "Delete row",
              undefined,
              run((e) => e.chain().focus().deleteRow().run()),
              "− Row",
            )}
            {button(
              "Delete table",
              undefined,
              run((e) => e.chain().focus().deleteTable().run()),
              "× Table",
            )}
          </>
        ) : null}
      </div>
      <div className="tool-group">
        {button(
          "Undo",
          undefined,
          run((e) => e.chain().focus().undo().run()),
          "↶",
        )}
        {button(
          "Redo",
          undefined,
          run((e) => e.chain().focus().redo().run()),
          "↷",
        )}
      </div>
      {linkDialog ? (
        <LinkDialog
          initial={linkDialog.href}
          onApply={(href) => {
            const refused = applyLink(href);
            if (!refused) setLinkDialog(null);
            return refused;
          }}
          onClose={() => {
            setLinkDialog(null);
            editor?.commands.focus();
          }}
        />
      ) : null}
      <div className="tool-group tool-save">
        <button
          type="button"
          className="button"
          onClick={onSave}
          disabled={!editor || status.kind === "saving"}
        >
          Save draft
        </button>
      </div>
    </div>
  );
}

/**
 * The link address, asked in a modal dialog of the page (not `window.prompt`, which cannot explain
 * a refusal or be styled): only http, https, mailto and relative addresses are accepted; an empty
 * address removes the link.
 */
function LinkDialog({
  initial,
  onApply,
  onClose,
}: {
  initial: string;
  /** Returns why the address was refused, or null once it is applied. */
  onApply: (href: string) => string | null;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [href, setHref] = useState(initial);
  const [refused, setRefused] = useState<string | null>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);
  return (
    <dialog ref={dialog} className="link-dialog" aria-labelledby="link-dialog-title" onClose={onClose}>
      <form
        method="dialog"
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          setRefused(onApply(href));
        }}
      >
        <h2 id="link-dialog-title">Link</h2>
        <label>
          Link address
          <input
            type="text"
            inputMode="url"
            value={href}
            autoFocus
            aria-describedby="link-dialog-help"
            aria-invalid={refused ? true : undefined}
            onChange={(event) => {
              setHref(event.target.value);
              setRefused(null);
            }}
          />
        </label>
        <p id="link-dialog-help" className="help">
          https://…, http://…, mailto:… or an address on this site (/policies/…). Empty removes the link.
        </p>
        {refused ? (
          <p className="toolbar-message" role="alert">
            {refused}
          </p>
        ) : null}
        <div className="dialog-actions">
          <button type="submit" className="button-primary">
            Apply link
          </button>
          <button type="button" className="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
