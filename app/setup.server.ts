import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { isoDateOf } from "./core/dates";
import { detectFormat, parsePolicy } from "./core/document";
import { getEnv } from "./env.server";
import { countDocuments } from "./models/documents.server";
import { saveDraft } from "./models/drafts.server";
import { publishVersion } from "./models/publication.server";
import { countUsers, createUser, generatePassword } from "./models/users.server";

export { migrate, repairNotice } from "./models/migrations.server";

export type FirstRun = {
  imported: { slug: string; number: number }[];
  admin: { email: string; password: string } | null;
};

const DEFAULT_ADMIN_EMAIL = "admin@redline.localhost";

/**
 * On a fresh database: imports every document in `contentDir` (file name = slug) and publishes
 * it as version 1, and creates an admin login whose generated password is returned so it can be
 * shown once. Does nothing for what already exists.
 */
export async function seedFirstRun({ contentDir }: { contentDir: string }): Promise<FirstRun> {
  const result: FirstRun = { imported: [], admin: null };
  if ((await countDocuments()) === 0) {
    const files = (await readdir(contentDir)).filter(
      (f) => /\.(md|markdown|html?|json)$/i.test(f) && !/^readme\./i.test(f),
    );
    for (const file of files.sort()) {
      const source = await readFile(join(contentDir, file), "utf8");
      const slug = basename(file)
        .replace(/\.[^.]+$/, "")
        .toLowerCase();
      const parsed = parsePolicy(source, detectFormat(file, source));
      await saveDraft({
        slug,
        title: parsed.title ?? slug,
        content: parsed.content,
        actor: { kind: "system" },
      });
      const today = isoDateOf(new Date());
      const version = await publishVersion({
        slug,
        request: {
          material: false,
          lastUpdated: today,
          effectiveAt: today,
          summary: "First published version.",
        },
        actor: { kind: "system" },
        noticePeriodDays: getEnv().NOTICE_PERIOD_DAYS,
        requireApproval: false,
      });
      result.imported.push({ slug, number: version.number });
    }
  }
  if ((await countUsers()) === 0) {
    const password = generatePassword();
    await createUser({
      email: DEFAULT_ADMIN_EMAIL,
      role: "admin",
      password,
      name: "Admin",
      actor: { kind: "system" },
    });
    result.admin = { email: DEFAULT_ADMIN_EMAIL, password };
  }
  return result;
}
