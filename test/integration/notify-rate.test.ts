import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RequestRecord } from "../../app/notify/mail-server.server";
import { ROOT, stopChild } from "../support/server";
import { addSubscribers, emailTo, publishFirst, publishMaterial, testDispatcher } from "./notify-support";

const RATE = 5;
let server: ChildProcess;
let url: string;

// The mail server runs in its own process: its arrival timestamps must not wait on our event loop.
beforeAll(async () => {
  server = spawn(
    process.execPath,
    ["--import", "tsx", "scripts/mail-server.ts", "--port", "0", "--rate", String(RATE)],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  url = await new Promise<string>((resolve, reject) => {
    let output = "";
    server.stdout?.on("data", (chunk) => {
      output += chunk;
      const match = /listening on (\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
    server.once("exit", (code) => reject(new Error(`mail server exited with ${code}`)));
  });
});
afterAll(() => stopChild(server));

describe("the send rate", () => {
  // Arrival times are read by another process on the same two cores: a run that other processes
  // starve for more than the 40 ms jitter allowance (ADR 0006) is retried once, on a fresh document
  // and a fresh provider log. Two failures in a row fail.
  let attempt = 0;
  it("never exceeds SEND_RATE_PER_SECOND in any one-second window, as recorded by the provider", {
    retry: 1,
  }, async () => {
    const slug = `rate-${++attempt}`;
    await fetch(`${url}/_mail/reset`, { method: "POST" });
    await publishFirst(slug);
    await addSubscribers(slug, 1500);
    await publishMaterial(slug, emailTo(slug));
    const mail = { url } as Parameters<typeof testDispatcher>[0];
    // Several batches in flight at once: they share the one limiter.
    await testDispatcher(mail, { ratePerSecond: RATE, concurrency: 3 }).drain();

    const { data } = (await (await fetch(`${url}/_mail/requests`)).json()) as { data: RequestRecord[] };
    expect(data.filter((r) => r.outcome === "rate-limited")).toEqual([]);
    const times = data.map((r) => r.at).sort((a, b) => a - b);
    expect(times).toHaveLength(15);
    // Any RATE + 1 consecutive requests span more than a second.
    const tightest = Math.min(...times.slice(RATE).map((t, i) => t - times[i]));
    expect(tightest).toBeGreaterThanOrEqual(1000);
  });

  // ADR 0017: the rate lives in the database, so a second process does not double the pace.
  it("is shared by every dispatcher of every process using the database", { retry: 1 }, async () => {
    const slug = `shared-rate-${++attempt}`;
    await fetch(`${url}/_mail/reset`, { method: "POST" });
    await publishFirst(slug);
    await addSubscribers(slug, 2000);
    await publishMaterial(slug, emailTo(slug));
    const other = spawn(process.execPath, [join(ROOT, "bin/redline.js"), "worker", "--concurrency", "2"], {
      cwd: ROOT,
      env: { ...process.env, RESEND_BASE_URL: url, SEND_RATE_PER_SECOND: String(RATE), LOG_LEVEL: "silent" },
      stdio: "ignore",
    });
    try {
      const mail = { url } as Parameters<typeof testDispatcher>[0];
      await testDispatcher(mail, { ratePerSecond: RATE, concurrency: 2 }).drain();
      const requests = async () =>
        ((await (await fetch(`${url}/_mail/requests`)).json()) as { data: RequestRecord[] }).data;
      // The other process may still be recording its last batch.
      for (
        let i = 0;
        i < 50 && (await requests()).filter((r) => r.outcome !== "rate-limited").length < 20;
        i++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const data = await requests();
      expect(data.filter((r) => r.outcome === "rate-limited")).toEqual([]);
      const times = data.map((r) => r.at).sort((a, b) => a - b);
      expect(times).toHaveLength(20);
      const tightest = Math.min(...times.slice(RATE).map((t, i) => t - times[i]));
      expect(tightest).toBeGreaterThanOrEqual(1000);
      // Two dispatchers at one rate are not slower than one: 20 requests at 5/s take about 4 s.
      expect(times[times.length - 1] - times[0]).toBeLessThan(6000);
    } finally {
      await stopChild(other);
    }
  });
});
