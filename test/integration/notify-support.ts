import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
/** Helpers shared by the notification tests (test/integration/notify-*.test.ts). */
import { addDays, isoDateOf } from "../../app/core/dates";
import { parsePolicy } from "../../app/core/document";
import { saveDraft } from "../../app/models/drafts.server";
import type { NoticeRequest } from "../../app/models/notices.server";
import { publishVersion } from "../../app/models/publication.server";
import { upsertSubscribers } from "../../app/models/subscribers.server";
import { Dispatcher, type DispatcherOptions } from "../../app/notify/dispatcher.server";
import type { MailServer } from "../../app/notify/mail-server.server";
import { resendProvider } from "../../app/notify/provider.server";
import { describeMailTransport } from "../../app/notify/transport.server";
import { ROOT } from "../support/server";

const cli = { kind: "cli" } as const;
let revision = 0;

/** Publishes a new material version of `slug` (creating version 1 first when needed). */
export async function publishMaterial(
  slug: string,
  notify?: NoticeRequest,
  summary = "We now share data with Parcelpay.",
) {
  revision++;
  const content = parsePolicy(
    `# Privacy\n\n## 1. Sharing\n\nRevision ${revision}: we share data.`,
    "markdown",
  ).content;
  await saveDraft({ slug, title: "Privacy Policy", content, actor: cli });
  // Each material publication gets a day of its own: two announced for one day are refused.
  return publishVersion({
    slug,
    request: { material: true, summary, effectiveAt: addDays(isoDateOf(new Date()), 30 + revision) },
    actor: cli,
    noticePeriodDays: 30,
    requireApproval: false,
    notify,
  });
}

/** Publishes version 1 of a document without notifying anyone. */
export async function publishFirst(slug: string) {
  revision++;
  const content = parsePolicy(`# Privacy\n\n## 1. Sharing\n\nRevision ${revision}.`, "markdown").content;
  await saveDraft({ slug, title: "Privacy Policy", content, actor: cli });
  return publishVersion({
    slug,
    request: { material: false },
    actor: cli,
    noticePeriodDays: 30,
    requireApproval: false,
  });
}

/**
 * `count` subscribers named `<prefix>-<i>` with addresses `<prefix>-<i>@example.test`, all with the
 * attribute `group: <prefix>` so that a test's notice reaches only its own subscribers.
 */
export async function addSubscribers(
  prefix: string,
  count: number,
  attributes: (i: number) => Record<string, string> = () => ({}),
) {
  const rows = Array.from({ length: count }, (_, i) => ({
    externalId: `${prefix}-${i}`,
    email: `${prefix}-${i}@example.test`,
    name: i % 2 === 0 ? `Person ${i}` : null,
    locale: i % 3 === 0 ? "de" : "en",
    attributes: { group: prefix, ...attributes(i) },
  }));
  await upsertSubscribers(rows);
  return rows.map((r) => r.email);
}

/**
 * A dispatcher that talks to a mail server (by default the bundled capture server, described as
 * such) through the real Resend SDK, with short waits.
 */
export function testDispatcher(
  mail: Pick<MailServer, "url">,
  options: Partial<DispatcherOptions> & { timeoutMs?: number } = {},
) {
  const { timeoutMs = 5000, ...rest } = options;
  return new Dispatcher({
    provider: resendProvider({ apiKey: "re_test_key", baseUrl: mail.url, timeoutMs }),
    transport: describeMailTransport("capture", mail.url),
    from: "Redline <notices@example.test>",
    baseUrl: "https://policies.example.test",
    ratePerSecond: null,
    maxAttempts: 5,
    concurrency: 2,
    leaseMs: timeoutMs + 2000,
    pollMs: 20,
    backoff: { baseMs: 20, maxMs: 100 },
    ...rest,
  });
}

/** How many emails the server accepted per address, for the given addresses. */
export function receivedBy(mail: MailServer, addresses: string[]): number[] {
  const counts = mail.recipientCounts();
  return addresses.map((a) => counts.get(a) ?? 0);
}

/** An email notice to the subscribers added with `await addSubscribers(group, …)`. */
export const emailTo = (group: string, more: Partial<NoticeRequest> = {}): NoticeRequest => ({
  channels: ["email"],
  audience: { group },
  ...more,
});

/**
 * `redline worker` processes, as an operator runs them, sending to the test's mail server (read
 * at each start: the server is started in beforeAll). `killAll()` in afterEach SIGKILLs what is left.
 */
export function workerProcesses(mailUrl: () => string, defaults: Record<string, string> = {}) {
  const children = new Set<ChildProcess>();
  const start = (args: string[], env: Record<string, string> = {}) => {
    const child = spawn(
      process.execPath,
      [join(ROOT, "bin/redline.js"), "worker", "--lease", "3", "--request-timeout", "2", ...args],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          RESEND_BASE_URL: mailUrl(),
          SEND_RATE_PER_SECOND: "1000",
          LOG_LEVEL: "silent",
          ...defaults,
          ...env,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    children.add(child);
    let output = "";
    child.stdout?.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    return { child, exited, output: () => output };
  };
  const killAll = () => {
    for (const child of children) child.kill("SIGKILL");
    children.clear();
  };
  return { start, killAll };
}
