import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { ALL_ROLES as ROLES } from "../app/auth/roles";
import { AUDIT_HEAD_PATTERN, type AuditProblem } from "../app/core/audit";
import { isIsoDate } from "../app/core/dates";
import type { ParsedPolicy, PolicyContent } from "../app/core/document";
import { isLocale, isSlug, LOCALE_RULE, parsePositiveInteger, SLUG_RULE } from "../app/core/identifiers";
import { sameVersionRefusal } from "../app/core/public/params";
import { getEnv } from "../app/env.server";
import type { AuditVerification } from "../app/models/audit.server";
import { db } from "../app/models/db.server";
import { findDocument } from "../app/models/documents.server";
import { closeSharedDatabases, engineKind, makePrivateFile } from "../db/client";
import type { Role } from "../db/tables";
import { openDatabase as openDatabaseWarningTo } from "./cli/database";
import { registerHistoryCommands } from "./cli/history";
import { registerMigrateToCommand } from "./cli/migrate-to";
import {
  describeNotice,
  noticeRequestFromOptions,
  noticesForVersion,
  registerNotificationCommands,
} from "./cli/notifications";
import { registerProofCommands } from "./cli/proof";

// Loaded when a command needs them, so that `redline --help` and light commands start fast: the
// document model (Tiptap, an HTML parser), email rendering and password hashing are heavy.
const load = {
  document: () => import("../app/core/document"),
  diff: () => import("../app/core/diff"),
  drafts: () => import("../app/models/drafts.server"),
  publication: () => import("../app/models/publication.server"),
  versions: () => import("../app/models/versions.server"),
  users: () => import("../app/models/users.server"),
  accounts: () => import("../app/models/accounts.server"),
  signInLimits: () => import("../app/models/login-throttle.server"),
  passwordResets: () => import("../app/models/password-resets.server"),
  apiKeys: () => import("../app/models/api-keys.server"),
  sso: () => import("../app/models/sso.server"),
  audit: () => import("../app/models/audit.server"),
};

/** A bad request from the person at the keyboard: printed as one line, exit code 1. */
class UsageError extends Error {}

export type Io = { out: (text: string) => void; err: (text: string) => void };
const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
};

const FORMATS = ["json", "text", "html"] as const;
type Format = (typeof FORMATS)[number];

function positiveInteger(value: string): number {
  const number = parsePositiveInteger(value);
  if (number === null) throw new InvalidArgumentError("must be a whole number from 1 up");
  return number;
}
function nonNegativeInteger(value: string): number {
  if (!/^\d{1,5}$/.test(value)) throw new InvalidArgumentError("must be a whole number from 0 up");
  return Number(value);
}
function dateArgument(value: string): string {
  if (!isIsoDate(value)) throw new InvalidArgumentError("use a real date written YYYY-MM-DD");
  return value;
}
function slugArgument(value: string): string {
  if (!isSlug(value)) throw new InvalidArgumentError(`use ${SLUG_RULE}`);
  return value;
}
function localeArgument(value: string): string {
  if (!isLocale(value)) throw new InvalidArgumentError(`use ${LOCALE_RULE}`);
  return value;
}
const formatOption = (fallback: Format) =>
  new Option("--format <format>", "output format").choices(FORMATS).default(fallback);

async function readPolicyFile(file: string): Promise<ParsedPolicy> {
  const { detectFormat, MAX_SOURCE_BYTES, parsePolicy } = await load.document();
  const info = await stat(file).catch(() => {
    throw new UsageError(`cannot read ${file}: no such file`);
  });
  if (!info.isFile()) throw new UsageError(`${file} is not a file`);
  if (info.size > MAX_SOURCE_BYTES)
    throw new UsageError(`${file} is larger than ${MAX_SOURCE_BYTES / 1024 / 1024} MB`);
  const source = await readFile(file, "utf8");
  try {
    return parsePolicy(source, detectFormat(file, source));
  } catch (error) {
    throw new UsageError(`${file}: ${(error as Error).message}`);
  }
}

async function printDiff(io: Io, oldContent: PolicyContent, newContent: PolicyContent, format: Format) {
  const { diffPolicies, renderDiffHtml, renderDiffText } = await load.diff();
  const diff = diffPolicies(oldContent, newContent);
  if (format === "json") io.out(JSON.stringify(diff, null, 2));
  else if (format === "html") io.out(renderDiffHtml(diff));
  else io.out(renderDiffText(diff));
}

function auditHeadArgument(value: string): string {
  if (!AUDIT_HEAD_PATTERN.test(value))
    throw new InvalidArgumentError("use a chain head as published: 64 lowercase hex digits");
  return value;
}

/** What `redline backup` says when the data lives in PostgreSQL, instead of copying anything. */
const POSTGRES_BACKUP = `Redline's data is in PostgreSQL (DATABASE_URL), which Redline does not copy itself: back it up with the server's own tools. pg_dump --format=custom (restored with pg_restore) gives a consistent logical copy of the one database while Redline runs; continuous archiving — a base backup (pg_basebackup) plus the archived WAL — restores the whole server to any moment (point-in-time recovery), which is what a database with millions of deliveries should rely on; a managed service's snapshots and PITR do the same. Whatever you choose, restore a copy now and then and run \`redline audit verify\` against it.`;

export function buildProgram(io: Io): Command {
  /**
   * Opens the database named by DATABASE_URL and brings it up to date; says so when a protective
   * trigger had to be restored.
   */
  const openDatabase = () => openDatabaseWarningTo(io.err);

  const program = new Command("redline")
    .description("Redline — versioned privacy policies, redlines and change notices")
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .showSuggestionAfterError();

  program
    .command("import")
    .description(
      "store a Markdown, HTML or Tiptap JSON file as the document's draft; prints the version number",
    )
    .argument("<slug>", "document slug, e.g. privacy", slugArgument)
    .argument("<file>", "Markdown (.md), HTML (.html) or Tiptap JSON (.json)")
    .option("--title <title>", "document title (default: the file's first heading)")
    .option("--locale <locale>", "language of the document", localeArgument, "en")
    .addOption(formatOption("text"))
    .action(
      async (slug: string, file: string, options: { title?: string; locale: string; format: Format }) => {
        const parsed = await readPolicyFile(file);
        await openDatabase();
        const existing = await findDocument({ slug, locale: options.locale });
        const title = options.title?.trim() || existing?.title || parsed.title;
        if (!title) throw new UsageError("the file has no first-level heading to use as title: pass --title");
        const { saveDraft } = await load.drafts();
        const { version, outcome } = await saveDraft({
          slug,
          locale: options.locale,
          title,
          content: parsed.content,
          actor: { kind: "cli" },
        });
        if (options.format === "json") {
          io.out(
            JSON.stringify({
              slug,
              locale: options.locale,
              version: version.number,
              state: version.state,
              outcome,
              leftOut: parsed.leftOut,
            }),
          );
        } else {
          io.out(String(version.number));
          io.err(`${slug} (${options.locale}): draft version ${version.number} ${outcome}`);
          const { describeLeftOut } = await load.document();
          const leftOut = describeLeftOut(parsed.leftOut);
          if (leftOut.length > 0)
            io.err(`left out on purpose:\n${leftOut.map((line) => `  - ${line}`).join("\n")}`);
        }
      },
    );

  program
    .command("publish")
    .description("publish the draft (or --version N) of a document; recorded in the audit log")
    .argument("<slug>", "document slug", slugArgument)
    .option("--version <n>", "version number to publish (default: the open draft)", positiveInteger)
    .option("--locale <locale>", "language of the document", localeArgument, "en")
    .option("--last-updated <date>", "the 'Last updated' date, YYYY-MM-DD (default: today)", dateArgument)
    .option(
      "--effective <date>",
      "effective date, YYYY-MM-DD (default: today; material: today + notice period)",
      dateArgument,
    )
    .option("--material", "a material change: affected users must be told", false)
    .option("--summary <text>", "plain-language summary of what changed (required with --material)")
    .option("--notify <channels>", "channels to notify: email,dashboard")
    .option("--audience <json>", 'subscribers to notify, e.g. {"region":"EU"}')
    .option("--require-ack", "subscribers must acknowledge the change (with --notify)", false)
    .option(
      "--replace-announcement <reason>",
      "replace the announcement of an upcoming version with the same effective date, saying why",
    )
    .addOption(formatOption("text"))
    .action(
      async (
        slug: string,
        options: {
          version?: number;
          locale: string;
          lastUpdated?: string;
          effective?: string;
          material: boolean;
          summary?: string;
          notify?: string;
          audience?: string;
          requireAck: boolean;
          replaceAnnouncement?: string;
          format: Format;
        },
      ) => {
        const notify = noticeRequestFromOptions(options);
        await openDatabase();
        const { publishVersion } = await load.publication();
        const version = await publishVersion({
          slug,
          locale: options.locale,
          number: options.version,
          request: {
            lastUpdated: options.lastUpdated,
            effectiveAt: options.effective,
            material: options.material,
            summary: options.summary,
            replaceAnnouncementReason: options.replaceAnnouncement,
          },
          actor: { kind: "cli" },
          noticePeriodDays: getEnv().NOTICE_PERIOD_DAYS,
          requireApproval: false,
          notify,
        });
        const notices = notify
          ? ((await noticesForVersion({ slug, locale: options.locale, number: version.number })) ?? [])
          : [];
        const facts = {
          slug,
          locale: options.locale,
          version: version.number,
          lastUpdated: version.lastUpdated,
          effectiveAt: version.effectiveAt,
          material: version.material,
          url: `${getEnv().PUBLIC_BASE_URL}/policies/${slug}${options.locale === "en" ? "" : `?lang=${options.locale}`}`,
        };
        if (options.format === "json") io.out(JSON.stringify(notify ? { ...facts, notices } : facts));
        else {
          io.out(
            `published ${slug} version ${facts.version}: last updated ${facts.lastUpdated}, effective ${facts.effectiveAt}${facts.material ? ", material" : ""} — ${facts.url}`,
          );
          for (const notice of notices) io.out(describeNotice(notice));
        }
      },
    );

  program
    .command("diff")
    .description("diff two stored versions of a document")
    .argument("<slug>", "document slug", slugArgument)
    .argument("<from>", "old version number", positiveInteger)
    .argument("<to>", "new version number", positiveInteger)
    .option("--locale <locale>", "language of the document", localeArgument, "en")
    .addOption(formatOption("text"))
    .action(async (slug: string, from: number, to: number, options: { locale: string; format: Format }) => {
      if (from === to) throw new UsageError(sameVersionRefusal(from));
      await openDatabase();
      const document = await findDocument({ slug, locale: options.locale });
      if (!document) throw new UsageError(`no document "${slug}" (${options.locale})`);
      const { getVersion } = await load.versions();
      const [older, newer] = await Promise.all([
        getVersion({ documentId: document.id, number: from }),
        getVersion({ documentId: document.id, number: to }),
      ]);
      if (!older) throw new UsageError(`${slug} has no version ${from}`);
      if (!newer) throw new UsageError(`${slug} has no version ${to}`);
      await printDiff(io, older.content, newer.content, options.format);
    });

  program
    .command("diff-files")
    .description("diff two files (Markdown, HTML or Tiptap JSON) without a database")
    .argument("<a>", "old file")
    .argument("<b>", "new file")
    .addOption(formatOption("text"))
    .action(async (a: string, b: string, options: { format: Format }) => {
      const [older, newer] = await Promise.all([readPolicyFile(a), readPolicyFile(b)]);
      await printDiff(io, older.content, newer.content, options.format);
    });

  const user = program.command("user").description("logins for the legal team");
  user
    .command("add")
    .description("create a login; prints a generated password when none is given")
    .argument("<email>", "email address used to sign in")
    .addOption(new Option("--role <role>", "what the user may do").choices(ROLES).makeOptionMandatory())
    .option("--password <password>", "initial password (12+ characters; default: generated)")
    .option("--name <name>", "display name")
    .option(
      "--break-glass",
      "an admin who may sign in with a password even when AUTH_PASSWORDS=off (every use is audited)",
      false,
    )
    .action(
      async (
        email: string,
        options: { role: Role; password?: string; name?: string; breakGlass: boolean },
      ) => {
        if (!/^[^\s@]+@[^\s@]+$/.test(email.trim()))
          throw new UsageError(`"${email}" is not an email address`);
        if (options.breakGlass && options.role !== "admin") {
          throw new UsageError("--break-glass is for admins only: add --role admin");
        }
        await openDatabase();
        const { createUser, generatePassword } = await load.users();
        const password = options.password ?? generatePassword();
        const created = await createUser({
          email,
          role: options.role,
          password,
          name: options.name,
          breakGlass: options.breakGlass,
          actor: { kind: "cli" },
        });
        io.out(`created ${created.role} ${created.email}${created.breakGlass ? " (break-glass)" : ""}`);
        if (!options.password) io.out(`password: ${password}`);
      },
    );

  /** The user an email names, or a one-line refusal. */
  async function existingUser(email: string) {
    await openDatabase();
    const { findUserByEmail } = await load.accounts();
    const found = await findUserByEmail(email);
    if (!found) throw new UsageError(`no user has the email ${email}`);
    return found;
  }
  user
    .command("deactivate")
    .description("someone left: end their sessions and refuse their sign-in; their history stays theirs")
    .argument("<email>", "the user's email")
    .action(async (email: string) => {
      const found = await existingUser(email);
      const { deactivateUser } = await load.accounts();
      const { sessionsEnded } = await deactivateUser({ userId: found.id, actor: { kind: "cli" } });
      io.out(`deactivated ${found.email} (${sessionsEnded} session${sessionsEnded === 1 ? "" : "s"} ended)`);
    });
  user
    .command("reactivate")
    .description("let a deactivated user sign in again")
    .argument("<email>", "the user's email")
    .action(async (email: string) => {
      const found = await existingUser(email);
      const { reactivateUser } = await load.accounts();
      await reactivateUser({ userId: found.id, actor: { kind: "cli" } });
      io.out(`reactivated ${found.email}`);
    });
  user
    .command("reset")
    .description("print a one-time link that sets a new password (valid 24 hours; ends all their sessions)")
    .argument("<email>", "the user's email")
    .action(async (email: string) => {
      const found = await existingUser(email);
      const { issuePasswordReset, PASSWORD_RESET_PATH } = await load.passwordResets();
      const { token, expiresAt } = await issuePasswordReset({ userId: found.id, actor: { kind: "cli" } });
      io.out(`${getEnv().PUBLIC_BASE_URL}${PASSWORD_RESET_PATH}/${token}`);
      io.err(
        `one-time link for ${found.email}, valid until ${expiresAt.toISOString()}; it cannot be shown again`,
      );
    });
  user
    .command("break-glass")
    .description("let an existing admin sign in with a password even when AUTH_PASSWORDS=off (audited)")
    .argument("<email>", "the admin's email")
    .option("--off", "no longer a break-glass account", false)
    .action(async (email: string, options: { off: boolean }) => {
      const found = await existingUser(email);
      const { setBreakGlass } = await load.sso();
      const { changed } = await setBreakGlass({
        userId: found.id,
        breakGlass: !options.off,
        actor: { kind: "cli" },
      });
      const state = options.off ? "is not a break-glass account" : "is a break-glass account";
      io.out(`${found.email} ${state}${changed ? "" : " (unchanged)"}`);
    });
  user
    .command("link-sso")
    .description(
      "link an existing login to the person's account at the identity provider (OIDC_ISSUER), by its subject",
    )
    .argument("<email>", "the user's email")
    .requiredOption(
      "--subject <sub>",
      "the provider's subject for them (shown on their refused sign-in and in the audit log)",
    )
    .action(async (email: string, options: { subject: string }) => {
      const issuer = getEnv().OIDC_ISSUER;
      if (!issuer)
        throw new UsageError("single sign-on is not configured: set OIDC_ISSUER as the server has it");
      const found = await existingUser(email);
      const { linkProviderIdentity } = await load.sso();
      await linkProviderIdentity({
        userId: found.id,
        issuer,
        subject: options.subject,
        actor: { kind: "cli" },
      });
      io.out(`linked ${found.email} to ${options.subject} at ${issuer}`);
    });
  user
    .command("unlock")
    .description("lift the sign-in delays of one account (after an attack on it)")
    .argument("<email>", "the user's email")
    .action(async (email: string) => {
      const found = await existingUser(email);
      const { liftSignInLimits } = await load.signInLimits();
      const cleared = await liftSignInLimits({ userId: found.id, actor: { kind: "cli" } });
      io.out(
        `lifted the sign-in limits of ${found.email} (${cleared} counter${cleared === 1 ? "" : "s"} cleared)`,
      );
    });

  program
    .command("backup")
    .description("write a consistent copy of the database while it is in use")
    .argument("<file>", "where to write the backup")
    .option("--force", "overwrite the file if it exists", false)
    .action(async (file: string, options: { force: boolean }) => {
      if (engineKind(getEnv().DATABASE_URL) === "postgres") {
        io.err(POSTGRES_BACKUP);
        throw new UsageError(
          "backup copies a SQLite file; on PostgreSQL use the server's own backups (above)",
        );
      }
      const target = resolve(file);
      if (existsSync(target) && !options.force)
        throw new UsageError(`${file} exists; pass --force to overwrite it`);
      await openDatabase();
      // The copy holds the same personal data as the database: private from its first byte.
      makePrivateFile(target);
      const result = await db().$client.backup(target);
      io.out(`backed up ${result.totalPages} pages to ${target}`);
    });

  program
    .command("migrate")
    .description("bring the database named by DATABASE_URL up to date (start-up and every command also do)")
    .action(async () => {
      await openDatabase();
      io.out(`migrated ${getEnv().DATABASE_URL}`);
    });

  program
    .command("mail-server")
    .description(
      "run the bundled Resend-compatible mail server on its own: it captures mail, never delivers it",
    )
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--port <port>", "port to listen on (0: any free port)", nonNegativeInteger, 3025)
    .option("--rate <n>", "requests per second above which it answers 429 (none: no limit)", "2")
    .option("--keep <n>", "captured messages kept in memory", positiveInteger, 20_000)
    .action(async (options: { host: string; port: number; rate: string; keep: number }) => {
      const rate = options.rate === "none" ? null : Number(options.rate);
      if (rate !== null && !(rate > 0)) throw new UsageError('--rate must be a positive number or "none"');
      const { startMailServer } = await import("../app/notify/mail-server.server");
      const server = await startMailServer({
        host: options.host,
        port: options.port,
        ratePerSecond: rate,
        maxMessages: options.keep,
      });
      io.out(`mail server listening on ${server.url} (captures mail, delivers nothing)`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await server.close();
    });

  const apikey = program.command("apikey").description("API keys for the product's backend");
  apikey
    .command("create")
    .description("create a key; it is printed once and stored only as a hash")
    .argument("<name>", "a name to tell keys apart, e.g. backend-production")
    .action(async (name: string) => {
      await openDatabase();
      const { createApiKey } = await load.apiKeys();
      const { key, apiKey } = await createApiKey({ name, actor: { kind: "cli" } });
      io.out(key);
      io.err(`created API key "${apiKey.name}" (${apiKey.prefix}…); store it now, it cannot be shown again`);
    });
  apikey
    .command("revoke")
    .description("revoke a key by name")
    .argument("<name>", "the key's name")
    .action(async (name: string) => {
      await openDatabase();
      const { revokeApiKey } = await load.apiKeys();
      await revokeApiKey({ name, actor: { kind: "cli" } });
      io.out(`revoked API key "${name}"`);
    });

  const audit = program.command("audit").description("the hash-chained, signed audit log");
  audit
    .command("verify")
    .description(
      "check the audit log (hash chain, signatures, a saved head), the database's protective rules, and that the proof tables agree with the log; exits non-zero naming each problem",
    )
    .option(
      "--head <hash>",
      "a chain head saved earlier (published with each version): it must still be in the chain, in its place",
      auditHeadArgument,
    )
    .addOption(new Option("--format <format>", "output format").choices(["json", "text"]).default("text"))
    .action(async (options: { head?: string; format: Format }) => {
      const repaired = await openDatabase();
      const { databaseRuleProblems, verifyAuditLog } = await load.audit();
      const result = await verifyAuditLog({ head: options.head ?? null, proof: true });
      const problems = [
        ...result.problems,
        ...repaired.restoredTriggers.map(
          ({ name, problem }): AuditProblem => ({
            kind: "trigger",
            message: `protective trigger ${name} was ${problem}; it has been restored now`,
          }),
        ),
        // Anything still wrong after the repair: triggers no migration defines, orphaned rows.
        ...(await databaseRuleProblems()),
      ];
      if (options.format === "json") {
        io.out(JSON.stringify({ ok: problems.length === 0, ...result, problems }));
      } else {
        for (const problem of problems) io.out(`✗ ${problem.message}`);
        if (problems.length === 0) {
          io.out(`audit log intact: ${result.entries} entries${signedSummary(result)}`);
          if (result.savedHead)
            io.out(`saved head found at entry ${result.savedHead.id}; the chain is intact from there`);
          io.out("published versions, notices, deliveries and acknowledgements agree with their entries");
          if (result.head) io.out(`head: ${result.head.hash} (entry ${result.head.id})`);
        }
      }
      if (problems.length > 0) {
        const more =
          problems.length > 1
            ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? "s" : ""})`
            : "";
        throw new UsageError(`${problems[0].message}${more}`);
      }
    });

  registerNotificationCommands(program, io);
  registerProofCommands(program, io);
  registerHistoryCommands(program, io);
  registerMigrateToCommand(program, io);
  return program;
}

/** Runs the command line; returns the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const program = buildProgram(io);
  if (argv.length === 0) {
    program.outputHelp();
    return 1;
  }
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not failures; commander has already printed its one-line reason.
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.err(`redline: ${message.split("\n")[0]}`);
    if (process.env.DEBUG && error instanceof Error) io.err(error.stack ?? "");
    return 1;
  }
}

function signedSummary(result: AuditVerification): string {
  if (result.signedFrom === null) return "";
  return result.signedFrom === 1 ? ", all signed" : `, signed from entry ${result.signedFrom} on`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
  await closeSharedDatabases();
}

/** For bin/redline.js, which runs `main` and then lets the process end. */
export { closeSharedDatabases };
