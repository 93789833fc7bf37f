/**
 * A flood of cold `/compare` requests does not hold up anyone else: redlines are computed in the
 * diff pool, off the web process's event loop (ADR 0018). Generous bounds only; the numbers are in
 * `npm run bench -- compare-flood`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePolicy } from "../../app/core/document";
import { saveDraft } from "../../app/models/drafts.server";
import { publishVersion } from "../../app/models/publication.server";
import { closeSharedDatabases } from "../../db/client";
import { type RunningServer, startServer } from "../support/server";

const VERSIONS = 7;
const SLUGS = ["terms-a", "terms-b"];
let server: RunningServer;

/** About 12,000 words in 40 sections; version `n` rewords a different third of the sentences. */
function largePolicy(slug: string, n: number): string {
  const sections: string[] = [];
  for (let s = 0; s < 40; s++) {
    const paragraphs: string[] = [];
    for (let p = 0; p < 5; p++) {
      const sentences: string[] = [];
      for (let k = 0; k < 5; k++) {
        const i = s * 25 + p * 5 + k;
        const edited = (i + n) % 3 === 0;
        sentences.push(
          edited
            ? `In version ${n} of ${slug} we keep record ${i} for ${(i * n) % 48} months and may share it with processor ${(i + n) % 13} in region ${n}.`
            : `We keep record ${i} for ${i % 48} months and share it only with processor ${i % 13} under contract.`,
        );
      }
      paragraphs.push(sentences.join(" "));
    }
    sections.push(`## ${s + 1}. Section ${s + 1}\n\n${paragraphs.join("\n\n")}`);
  }
  return `# Terms\n\n${sections.join("\n\n")}\n`;
}

async function probe(path: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${server.url}${path}`);
  await response.arrayBuffer();
  expect(response.status).toBe(200);
  return performance.now() - started;
}

const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  // Published in this process, into the database the server then opens: each consecutive redline
  // is stored at publication, every other pair is cold.
  for (const slug of SLUGS) {
    for (let n = 1; n <= VERSIONS; n++) {
      const content = parsePolicy(largePolicy(slug, n), "markdown").content;
      await saveDraft({ slug, title: "Terms", content, actor: { kind: "cli" } });
      const date = `2020-01-0${n}`;
      await publishVersion({
        slug,
        request: { material: false, lastUpdated: date, effectiveAt: date },
        actor: { kind: "cli" },
        noticePeriodDays: 0,
        requireApproval: false,
      });
    }
  }
  await closeSharedDatabases();
  server = await startServer({ DATABASE_URL: process.env.DATABASE_URL!, DIFF_THREADS: "1" });
}, 120_000);
afterAll(() => server?.stop());

describe("a flood of cold compare requests", () => {
  it("does not delay other requests, and is answered with redlines or 503 and Retry-After", async () => {
    const unrelated = `/policies/${SLUGS[0]}/versions`;
    await probe(unrelated);
    const baseline: number[] = [];
    for (let i = 0; i < 15; i++) baseline.push(await probe(unrelated));

    const cold: string[] = [];
    for (const slug of SLUGS) {
      for (let from = 1; from <= VERSIONS; from++) {
        for (let to = from + 2; to <= VERSIONS; to++)
          cold.push(`/policies/${slug}/compare?from=${from}&to=${to}`);
      }
    }
    let flooding = true;
    const answers: { status: number; retryAfter: string | null }[] = [];
    const flood = Array.from({ length: 6 }, async (_, client) => {
      for (let i = client; i < cold.length; i += 6) {
        const response = await fetch(`${server.url}${cold[i]}`);
        await response.arrayBuffer();
        answers.push({ status: response.status, retryAfter: response.headers.get("retry-after") });
      }
    });
    const during: number[] = [];
    const probing = (async () => {
      while (flooding) {
        during.push(await probe(unrelated));
        await sleep(20);
      }
    })();
    await Promise.all(flood);
    flooding = false;
    await probing;

    expect(answers).toHaveLength(cold.length);
    for (const answer of answers) {
      if (answer.status === 503) expect(Number(answer.retryAfter)).toBeGreaterThan(0);
      else expect(answer.status).toBe(200);
    }
    expect(answers.some((answer) => answer.status === 200)).toBe(true);
    // Computed on the event loop, each cold comparison of these versions held every other request
    // for tens of milliseconds (probe medians of several hundred ms); in the pool the probe waits
    // for a share of the CPU at most.
    expect(median(during)).toBeLessThan(3 * median(baseline) + 150);
    // Once computed, a pair is served from the store.
    expect((await fetch(`${server.url}${cold[0]}`)).status).toBe(200);
  });
});
