/**
 * `redline import-history <slug> <source> [--path FILE] [--ref REV] [--locale L] [--title T]
 * [--dry-run] [--format json]`: a company's earlier policy versions, from a git repository or a folder
 * of dated files, stored as published versions marked imported (ADR 0020-import-history).
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import { isLocale, isSlug, LOCALE_RULE, SLUG_RULE } from "../../app/core/identifiers";
import type { ImportHistoryOptions } from "./history-run";

type Io = { out: (text: string) => void; err: (text: string) => void };

function slugArgument(value: string): string {
  if (!isSlug(value)) throw new InvalidArgumentError(`use ${SLUG_RULE}`);
  return value;
}
function localeArgument(value: string): string {
  if (!isLocale(value)) throw new InvalidArgumentError(`use ${LOCALE_RULE}`);
  return value;
}
function refArgument(value: string): string {
  if (!/^[\w./^~@{}-]+$/.test(value) || value.startsWith("-")) {
    throw new InvalidArgumentError("use a branch, tag or commit name");
  }
  return value;
}

export function registerHistoryCommands(program: Command, io: Io): void {
  program
    .command("import-history")
    .description(
      "import a company's earlier versions of a policy, from a git repository (--path) or a folder of dated files, as published versions marked imported",
    )
    .argument("<slug>", "document slug, e.g. privacy", slugArgument)
    .argument(
      "<source>",
      "a git repository (working copy or bare) with --path, or a folder of files named YYYY-MM-DD…",
    )
    .option("--path <file>", "the policy file inside the git repository (renames are followed)")
    .option("--ref <rev>", "the git branch, tag or commit whose history is read", refArgument, "HEAD")
    .option("--locale <locale>", "language of the document", localeArgument, "en")
    .option("--title <title>", "document title (default: the document's, else the newest version's)")
    .option("--dry-run", "say what would be imported, write nothing", false)
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (slug: string, sourcePath: string, options: ImportHistoryOptions) => {
      const { runImportHistory } = await import("./history-run");
      await runImportHistory(io, slug, sourcePath, options);
    });
}
