import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { isIsoDate } from "../app/core/dates";
import {
  describeLeftOut,
  detectFormat,
  MAX_SOURCE_BYTES,
  type ParsedPolicy,
  type PolicyContent,
  parsePolicy,
} from "../app/core/document";
import { isLocale, isSlug, LOCALE_RULE, SLUG_RULE } from "../app/core/identifiers";
import { sameVersionRefusal } from "../app/core/public/params";
import { getEnv } from "../app/env.server";
import { createApiKey, revokeApiKey } from "../app/models/api-keys.server";
import { verifyAuditLog } from "../app/models/audit.server";
import { db } from "../app/models/db.server";
import { DocumentError, findDocument } from "../app/models/documents.server";
import { createUser, generatePassword } from "../app/models/users.server";
import { getVersion, publishVersion, saveDraft } from "../app/models/versions.server";
import { migrate } from "../app/setup.server";
import { makePrivateFile } from "../db/client";
import { ROLES, type Role } from "../db/schema";
import {
  describeNotice,
  noticeRequestFromOptions,
  noticesForVersion,
  registerNotificationCommands,
} from "./cli/notifications";
import { registerProofCommands } from "./cli/proof";

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
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError("must be a whole number from 1 up");
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
  // Loaded on demand: most commands never diff.
  const { diffPolicies, renderDiffHtml, renderDiffText } = await import("../app/core/diff");
  const diff = diffPolicies(oldContent, newContent);
  if (format === "json") io.out(JSON.stringify(diff, null, 2));
  else if (format === "html") io.out(renderDiffHtml(diff));
  else io.out(renderDiffText(diff));
}

/** Opens the database named by DATABASE_URL and brings its schema up to date. */
function openDatabase() {
  getEnv();
  migrate();
}

export function buildProgram(io: Io): Command {
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
        openDatabase();
        const existing = await findDocument({ slug, locale: options.locale });
        const title = options.title?.trim() || existing?.title || parsed.title;
        if (!title) throw new UsageError("the file has no first-level heading to use as title: pass --title");
        const { version, outcome } = await saveDraft({
          slug,
          locale: options.locale,
          title,
          content: parsed.content,
          actor: { kind: "cli" },
        }).catch((error) => {
          throw error instanceof DocumentError ? new UsageError(error.message) : error;
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
          format: Format;
        },
      ) => {
        const notify = noticeRequestFromOptions(options);
        openDatabase();
        const version = await publishVersion({
          slug,
          locale: options.locale,
          number: options.version,
          request: {
            lastUpdated: options.lastUpdated,
            effectiveAt: options.effective,
            material: options.material,
            summary: options.summary,
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
      openDatabase();
      const document = await findDocument({ slug, locale: options.locale });
      if (!document) throw new UsageError(`no document "${slug}" (${options.locale})`);
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
    .action(async (email: string, options: { role: Role; password?: string; name?: string }) => {
      if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) throw new UsageError(`"${email}" is not an email address`);
      openDatabase();
      const password = options.password ?? generatePassword();
      const created = await createUser({
        email,
        role: options.role,
        password,
        name: options.name,
        actor: { kind: "cli" },
      });
      io.out(`created ${created.role} ${created.email}`);
      if (!options.password) io.out(`password: ${password}`);
    });

  program
    .command("backup")
    .description("write a consistent copy of the database while it is in use")
    .argument("<file>", "where to write the backup")
    .option("--force", "overwrite the file if it exists", false)
    .action(async (file: string, options: { force: boolean }) => {
      const target = resolve(file);
      if (existsSync(target) && !options.force)
        throw new UsageError(`${file} exists; pass --force to overwrite it`);
      openDatabase();
      // The copy holds the same personal data as the database: private from its first byte.
      makePrivateFile(target);
      const result = await db().$client.backup(target);
      io.out(`backed up ${result.totalPages} pages to ${target}`);
    });

  const apikey = program.command("apikey").description("API keys for the product's backend");
  apikey
    .command("create")
    .description("create a key; it is printed once and stored only as a hash")
    .argument("<name>", "a name to tell keys apart, e.g. backend-production")
    .action(async (name: string) => {
      openDatabase();
      const { key, apiKey } = await createApiKey({ name, actor: { kind: "cli" } });
      io.out(key);
      io.err(`created API key "${apiKey.name}" (${apiKey.prefix}…); store it now, it cannot be shown again`);
    });
  apikey
    .command("revoke")
    .description("revoke a key by name")
    .argument("<name>", "the key's name")
    .action(async (name: string) => {
      openDatabase();
      await revokeApiKey({ name, actor: { kind: "cli" } });
      io.out(`revoked API key "${name}"`);
    });

  const audit = program.command("audit").description("the hash-chained audit log");
  audit
    .command("verify")
    .description("check the audit log's hash chain; exits non-zero naming the first broken entry")
    .addOption(new Option("--format <format>", "output format").choices(["json", "text"]).default("text"))
    .action(async (options: { format: Format }) => {
      openDatabase();
      const result = await verifyAuditLog();
      if (options.format === "json") io.out(JSON.stringify({ ok: !result.break, ...result }));
      if (result.break) {
        throw new UsageError(`audit log broken at entry ${result.break.id} (${result.break.reason})`);
      }
      if (options.format !== "json") io.out(`audit log intact: ${result.entries} entries`);
    });

  registerNotificationCommands(program, io);
  registerProofCommands(program, io);
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

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
