/**
 * The bundled Resend-compatible mail server on its own, e.g. beside `redline worker` in development:
 * `npx tsx scripts/mail-server.ts [--port 3025] [--host 127.0.0.1] [--rate 2] [--keep 20000]`
 * (compiled: `redline mail-server …`). The server itself lives with the notify code.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startMailServer } from "../app/notify/mail-server.server";

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const rate = option(args, "--rate");
  const server = await startMailServer({
    host: option(args, "--host") ?? "127.0.0.1",
    port: Number(option(args, "--port") ?? 3025),
    ratePerSecond: rate === undefined || rate === "none" ? null : Number(rate),
    maxMessages: option(args, "--keep") === undefined ? undefined : Number(option(args, "--keep")),
  });
  console.log(`mail server listening on ${server.url}`);
  const stop = () => server.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
