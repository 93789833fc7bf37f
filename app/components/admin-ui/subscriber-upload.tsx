import { useRevalidator } from "@remix-run/react";
import { useRef, useState } from "react";
import type { ImportEvent, ImportProgress, ImportReport } from "~/core/notify/subscriber-import";
import { countOf } from "~/core/plural";
import { Notice, useAdminUser } from "./index";

const ROWS = { one: "row", other: "rows" } as const;

type Phase =
  | { kind: "idle" }
  | { kind: "sending"; sent: number; total: number; progress: ImportProgress | null }
  | { kind: "done"; report: ImportReport }
  | { kind: "failed"; message: string };

/** The server's events read so far from a response still arriving (one JSON object a line). */
function eventsIn(text: string): ImportEvent[] {
  return text
    .split("\n")
    .slice(0, -1)
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as ImportEvent);
}

/**
 * Uploads a subscribers CSV to POST /admin/imports/subscribers and shows how far it got: the upload
 * itself, then the rows written as the server reports them, then every rejected line with its reason.
 * XMLHttpRequest, not fetch: only it reports the progress of an upload.
 */
export function SubscriberUpload({ limitText }: { limitText: string }) {
  const user = useAdminUser();
  const revalidator = useRevalidator();
  const input = useRef<HTMLInputElement>(null);
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });

  function upload(file: File) {
    const request = new XMLHttpRequest();
    request.open("POST", "/admin/imports/subscribers");
    request.setRequestHeader("Content-Type", "text/csv; charset=utf-8");
    request.setRequestHeader("X-CSRF-Token", user?.csrfToken ?? "");
    let last: ImportEvent | null = null;
    let progress: ImportProgress | null = null;
    let sent = 0;
    const show = () => setPhase({ kind: "sending", sent, total: file.size, progress });
    request.upload.onprogress = (event) => {
      sent = event.loaded;
      show();
    };
    request.onprogress = () => {
      if (request.status !== 200) return;
      for (const event of eventsIn(request.responseText)) {
        last = event;
        if (event.type === "progress") {
          progress = event;
          sent = Math.max(sent, event.bytes);
        }
      }
      show();
    };
    request.onload = () => {
      if (request.status !== 200) {
        setPhase({
          kind: "failed",
          message: request.responseText || `The upload was refused (${request.status}).`,
        });
        return;
      }
      const events = eventsIn(`${request.responseText}\n`);
      last = events.at(-1) ?? last;
      if (last?.type === "done") {
        setPhase({ kind: "done", report: last.report });
        revalidator.revalidate();
      } else if (last?.type === "failed") setPhase({ kind: "failed", message: last.message });
      else setPhase({ kind: "failed", message: "The server stopped answering before the import ended." });
    };
    request.onerror = () =>
      setPhase({ kind: "failed", message: "The connection was lost. Rows already written are kept." });
    setPhase({ kind: "sending", sent: 0, total: file.size, progress: null });
    request.send(file);
  }

  const busy = phase.kind === "sending";
  return (
    <section className="panel stack" aria-label="Import subscribers">
      <h2>Import subscribers</h2>
      <p className="help" id="upload-help">
        A CSV file with a header row: <code>externalId,email</code>, optionally <code>name</code>,{" "}
        <code>locale</code>, <code>attributes</code> (a JSON object) and any other column, which becomes an
        attribute. Existing subscribers are updated; bad lines are named and skipped, the others are kept —
        the same rules as <code>redline subscribers import</code>. At most {limitText}.
      </p>
      <form
        className="form-row"
        onSubmit={(event) => {
          event.preventDefault();
          const file = input.current?.files?.[0];
          if (file) upload(file);
        }}
      >
        <label>
          CSV file
          <input
            ref={input}
            type="file"
            name="file"
            accept=".csv,text/csv"
            required
            aria-describedby="upload-help"
          />
        </label>
        <button type="submit" className="button" disabled={busy}>
          Upload and import
        </button>
      </form>
      <div aria-live="polite">
        {phase.kind === "sending" ? <UploadProgress {...phase} /> : null}
        {phase.kind === "failed" ? <Notice kind="error">{phase.message}</Notice> : null}
        {phase.kind === "done" ? <UploadReport report={phase.report} /> : null}
      </div>
    </section>
  );
}

function UploadProgress({
  sent,
  total,
  progress,
}: {
  sent: number;
  total: number;
  progress: ImportProgress | null;
}) {
  return (
    <div className="stack">
      <label>
        Import progress
        <progress max={Math.max(total, 1)} value={Math.min(sent, total)} />
      </label>
      <p className="help">
        {progress
          ? `Read ${countOf(progress.rows, ROWS)}: ${progress.created} new, ${progress.updated} updated, ${progress.rejected} rejected…`
          : "Sending the file…"}
      </p>
    </div>
  );
}

function UploadReport({ report }: { report: ImportReport }) {
  const rejected = report.rejected.length + report.moreRejected;
  return (
    <div className="stack" data-import-report>
      <Notice kind={rejected > 0 || report.stopped ? "warning" : "success"}>
        Imported {report.created + report.updated} of {countOf(report.rows, ROWS)} ({report.created} new,{" "}
        {report.updated} updated), rejected {rejected}.
      </Notice>
      {report.stopped ? (
        <p>
          The file cannot be read from line {report.stopped.line} on: {report.stopped.reason}. The rows before
          it were imported.
        </p>
      ) : null}
      {rejected > 0 ? (
        <table className="table" aria-label="Rejected lines">
          <thead>
            <tr>
              <th>Line</th>
              <th>externalId</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {report.rejected.map((row) => (
              <tr key={row.line}>
                <td>{row.line}</td>
                <td>{row.externalId ?? "—"}</td>
                <td>{row.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {report.moreRejected > 0 ? (
        <p>
          … and {countOf(report.moreRejected, { one: "more rejected line", other: "more rejected lines" })}.
        </p>
      ) : null}
    </div>
  );
}
