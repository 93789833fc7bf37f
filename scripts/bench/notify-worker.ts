/**
 * One dispatcher process of `npm run bench -- notify` (scripts/bench/notify.ts starts several, as an
 * operator starts `redline worker` on several hosts): drains the outbox of DATABASE_URL into the mail
 * server at BENCH_MAIL_URL, at BENCH_RATE requests/s shared by all of them ("none": no limit), and
 * prints its figures as one line of JSON.
 */
import { subscribe } from "node:diagnostics_channel";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { resendProvider } from "../../app/notify/provider.server";

const { Dispatcher } = await import("../../app/notify/dispatcher.server");
const { describeMailTransport } = await import("../../app/notify/transport.server");
const { closeSharedDatabases } = await import("../../db/client");

const url = process.env.BENCH_MAIL_URL!;
const rate = process.env.BENCH_RATE === "none" ? null : Number(process.env.BENCH_RATE);
const provider = resendProvider({ apiKey: "re_bench", baseUrl: url });
/** When each request left the limiter (epoch ms, by idempotency key): set beside the server's arrivals. */
const sends: [string, number][] = [];
/** When each request's headers were written to the socket (undici's diagnostics channel), by key. */
const wired: [string, number][] = [];
subscribe("undici:client:sendHeaders", (message) => {
  const headers = (message as { request: { headers: unknown } }).request.headers;
  const list = Array.isArray(headers) ? headers.map(String) : [];
  const at = list.findIndex((name, i) => i % 2 === 0 && name.toLowerCase() === "idempotency-key");
  if (at >= 0) wired.push([list[at + 1], performance.timeOrigin + performance.now()]);
});
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
const dispatcher = new Dispatcher({
  provider: {
    sendBatch(emails, key) {
      sends.push([key, performance.timeOrigin + performance.now()]);
      return provider.sendBatch(emails, key);
    },
  },
  transport: describeMailTransport("capture", url),
  from: "Redline <notices@example.test>",
  baseUrl: "https://policies.example.test",
  ratePerSecond: rate,
  maxAttempts: 8,
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? 4),
  pollMs: 20,
});
const stats = await dispatcher.drain();
await closeSharedDatabases();
loopDelay.disable();
console.log(
  JSON.stringify({
    ...stats,
    slotsGivenUp: dispatcher.limiter.slotsGivenUp,
    sends,
    wired,
    loopDelayMaxMs: loopDelay.max / 1e6,
  }),
);
