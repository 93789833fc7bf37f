/**
 * Part of the publish form (issue 16, item 1), kept in its own file: preview the notice email
 * (HTML and text) and banner as one subscriber would get them, per language, and send a test to
 * yourself. It reads the summary, effective date and "require acknowledgement" of the form it sits
 * in, so the preview shows what would be published.
 */
import { useFetcher } from "@remix-run/react";
import { useRef, useState } from "react";

type PreviewAnswer =
  | {
      ok: true;
      reader: { externalId: string | null; locale: string; language: string };
      subject: string;
      text: string;
      banner: { title: string; summary: string; text: Record<string, string | null> };
    }
  | { ok: false; error: string };

type TestAnswer = { ok: true; sentTo: string } | { ok: false; error: string };

const LANGUAGES = [
  ["", "the subscriber's own"],
  ["en", "English"],
  ["nl", "Nederlands"],
  ["de", "Deutsch"],
  ["fr", "Français"],
  ["es", "Español"],
] as const;

export function NoticePreviewPanel({ documentId }: { documentId: number }) {
  const preview = useFetcher<PreviewAnswer>();
  const test = useFetcher<TestAnswer>();
  const anchor = useRef<HTMLDivElement>(null);
  const [externalId, setExternalId] = useState("");
  const [locale, setLocale] = useState("");
  const [htmlUrl, setHtmlUrl] = useState<string | null>(null);
  const action = `/admin/documents/${documentId}/notice-preview`;

  /** The publish form's current answers, plus who and which language to preview for. */
  function fields(): Record<string, string> {
    const form = anchor.current?.closest("form");
    const values = form ? new FormData(form) : new FormData();
    const text = (name: string) => {
      const value = values.get(name);
      return typeof value === "string" ? value : "";
    };
    return {
      externalId: externalId.trim(),
      locale,
      summary: text("summary"),
      effectiveAt: text("effectiveAt"),
      requireAck: text("requireAck"),
    };
  }

  const answer = preview.data;
  const sent = test.data;
  return (
    <div ref={anchor} className="stack notice-preview" data-testid="notice-preview">
      <h3>Preview and test</h3>
      <label>
        Subscriber (externalId, optional)
        <input
          name="previewExternalId"
          value={externalId}
          onChange={(e) => setExternalId(e.target.value)}
          maxLength={128}
          autoComplete="off"
        />
      </label>
      <label>
        Language
        <select name="previewLocale" value={locale} onChange={(e) => setLocale(e.target.value)}>
          {LANGUAGES.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <p className="actions">
        <button
          type="button"
          className="button"
          onClick={() => {
            const query = new URLSearchParams(fields()).toString();
            preview.load(`${action}?${query}`);
            setHtmlUrl(`${action}?${query}&format=html`);
          }}
        >
          Preview the notice
        </button>{" "}
        <button
          type="button"
          className="button"
          onClick={() => {
            const form = anchor.current?.closest("form");
            const csrf = form ? new FormData(form).get("csrf") : null;
            test.submit(
              { ...fields(), intent: "send-test", csrf: typeof csrf === "string" ? csrf : "" },
              { method: "post", action },
            );
          }}
        >
          Send a test to me
        </button>
      </p>
      {sent ? (
        <p role="status" className={sent.ok ? "help" : "error"}>
          {sent.ok ? `A test email (marked as a test, not a notice) went to ${sent.sentTo}.` : sent.error}
        </p>
      ) : null}
      {answer && !answer.ok ? <p className="error">{answer.error}</p> : null}
      {answer?.ok ? (
        <div className="stack" aria-live="polite">
          <p className="help">
            As {answer.reader.externalId ?? "a subscriber"} would get it ({answer.reader.locale}).
          </p>
          <p>
            <strong>Subject:</strong> <span data-testid="preview-subject">{answer.subject}</span>
          </p>
          {htmlUrl ? <iframe title="Email (HTML)" src={htmlUrl} sandbox="" className="mail-frame" /> : null}
          <details>
            <summary>Email (text)</summary>
            <pre data-testid="preview-text">{answer.text}</pre>
          </details>
          <section aria-label="Banner preview" className="banner-preview" data-testid="preview-banner">
            <strong>{answer.banner.text.heading}</strong>
            {answer.banner.text.untranslated ? (
              <p>
                <em>{answer.banner.text.untranslated}</em>
              </p>
            ) : null}
            <p>{answer.banner.summary}</p>
            <p>{answer.banner.text.effective}</p>
            <p>
              <u>{answer.banner.text.readPolicy}</u> ·{" "}
              <span className="button">{answer.banner.text.button}</span>
            </p>
          </section>
        </div>
      ) : null}
    </div>
  );
}
