/**
 * `redline proof <externalId> [--format json]`: the proof-of-notice ledger of one subscriber —
 * every notice addressed to them, per channel the delivery status, provider message id and times,
 * and the acknowledgement. Works after erasure (the ledger is pseudonymous).
 */
import { type Command, Option } from "commander";
import { EXTERNAL_ID_PATTERN } from "../../app/core/notify/subscriber";
import { formatProofLedger, getProofLedger } from "../../app/models/proof.server";
import { openDatabase } from "./database";

type Io = { out: (text: string) => void; err: (text: string) => void };

export function registerProofCommands(program: Command, io: Io): void {
  program
    .command("proof")
    .description(
      "every notice sent to a subscriber: version, channel, provider id, status and times, acknowledgement",
    )
    .argument("<externalId>", "the subscriber's id in the product")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (externalId: string, options: { format: "text" | "json" }) => {
      if (!EXTERNAL_ID_PATTERN.test(externalId)) {
        throw new Error(`"${externalId}" is not a valid externalId (1–128 letters, digits or . _ : @ + -)`);
      }
      await openDatabase(io.err);
      const ledger = await getProofLedger(externalId);
      if (!ledger) throw new Error(`no subscriber "${externalId}"`);
      if (options.format === "json") io.out(JSON.stringify(ledger));
      else for (const line of formatProofLedger(ledger)) io.out(line);
    });
}
