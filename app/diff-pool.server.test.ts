import { readdirSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, test } from "vitest";
import { computeRedline } from "./core/diff";
import { paragraphs } from "./core/diff/test-support";
import { isRefusal, type Refusal } from "./core/refusal";
import { runPdf, runRedline, startDiffPool, stopDiffPool } from "./diff-pool.server";

/** A policy of about `words` words, every sentence different, so that a comparison has work to do. */
function largePolicy(words: number, seed: string) {
  const sentences = Array.from(
    { length: Math.ceil(words / 12) },
    (_, i) => `We keep record ${i} of ${seed} for ${i % 37} months and share it with processor ${i % 11}.`,
  );
  const blocks: string[] = [];
  for (let i = 0; i < sentences.length; i += 8) blocks.push(sentences.slice(i, i + 8).join(" "));
  return paragraphs(...blocks);
}

afterEach(async () => {
  await stopDiffPool();
});

describe("the diff pool", () => {
  test("gives the redline a computation in this thread gives", async () => {
    await startDiffPool({ threads: 1 });
    const older = paragraphs("We keep your data for 24 months.", "Contact privacy@example.com.");
    const newer = paragraphs("We keep your data for 36 months.", "Contact privacy@example.com.");
    const pooled = await runRedline({ older, newer });
    expect(pooled).toEqual(computeRedline({ older, newer }));
  });

  test.runIf(process.platform === "linux")(
    "runs its threads at nice 10 and leaves this thread's priority alone",
    async () => {
      // Each thread's nice value, from /proc (field 19 of a task's stat line, after the name).
      const niceValues = () =>
        new Map(
          readdirSync("/proc/self/task").map((task) => {
            const stat = readFileSync(`/proc/self/task/${task}/stat`, "utf8");
            return [Number(task), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16])];
          }),
        );
      const before = [...niceValues().values()].filter((nice) => nice === 10).length;
      await startDiffPool({ threads: 2 });
      const older = paragraphs("We keep your data for 24 months.");
      await Promise.all([1, 2].map(() => runRedline({ older, newer: paragraphs("For 36 months.") })));
      const after = niceValues();
      expect([...after.values()].filter((nice) => nice === 10).length - before).toBe(2);
      expect(after.get(process.pid)).toBe(0);
    },
  );

  test("refuses as unavailable, with a time to retry, when its queue is full", async () => {
    await startDiffPool({ threads: 1, maxQueue: 1, retryAfterSeconds: 7 });
    const older = largePolicy(5_000, "alpha");
    const newer = largePolicy(5_000, "beta");
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => runRedline({ older, newer })));
    // One comparison runs, one waits, the other four are refused at once.
    const refused = outcomes.filter((o) => o.status === "rejected").map((o) => o.reason as Refusal);
    expect(refused).toHaveLength(4);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(2);
    for (const refusal of refused) {
      expect(isRefusal(refusal) && refusal.reason).toBe("unavailable");
      expect(refusal.details).toEqual({ retryAfterSeconds: 7 });
    }
  });

  test("terminates a comparison past its deadline and keeps serving afterwards", async () => {
    await startDiffPool({ threads: 1, deadlineMs: 300 });
    const small = paragraphs("We keep your data for 24 months.");
    const older = largePolicy(60_000, "alpha");
    const newer = largePolicy(60_000, "beta");
    // A budget far beyond the deadline: only the deadline can stop it.
    const runaway = runRedline({ older, newer, options: { timeoutMs: 60_000, blockTimeoutMs: 60_000 } });
    await expect(runaway).rejects.toMatchObject({ reason: "unavailable" });
    const after = await runRedline({ older: small, newer: paragraphs("We keep your data for 6 months.") });
    expect(after.summary.stats.blocksChanged).toBe(1);
  });
});

describe("PDFs in the diff pool", { timeout: 30_000 }, () => {
  const request = {
    locale: "en",
    header: { organisation: "", title: "Privacy Policy", heading: "Version 1", facts: [], notes: [] },
    body: { kind: "document" as const, content: paragraphs("We keep your data for 24 months.") },
  };

  test("are drawn in a worker thread, and in this thread without a pool", async () => {
    const inThread = await runPdf(request);
    await startDiffPool({ threads: 1 });
    const pooled = await runPdf(request);
    for (const bytes of [inThread, pooled]) {
      expect(Buffer.isBuffer(bytes)).toBe(true);
      expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");
      expect(bytes.length).toBeGreaterThan(5_000);
    }
    // Comparisons still run beside them.
    const redline = await runRedline({
      older: paragraphs("We keep your data for 24 months."),
      newer: paragraphs("We keep your data for 36 months."),
    });
    expect(redline.summary.stats.wordsAdded).toBe(1);
  });

  test("share the queue bound: past it a PDF is refused with a time to retry", async () => {
    await startDiffPool({ threads: 1, maxQueue: 1, retryAfterSeconds: 3 });
    const outcomes = await Promise.allSettled(Array.from({ length: 4 }, () => runPdf(request)));
    const refused = outcomes.filter((o) => o.status === "rejected").map((o) => o.reason as Refusal);
    expect(refused).toHaveLength(2);
    expect(refused[0].reason).toBe("unavailable");
    expect(refused[0].message).toMatch(/Too many PDFs/);
    expect(refused[0].details).toEqual({ retryAfterSeconds: 3 });
  });
});
