/** The acknowledgement report's CSV: every person once, across chunks, and safe to open in a spreadsheet. */
import { describe, expect, it } from "vitest";
import { acknowledgeNotice } from "../../app/models/acknowledgements.server";
import {
  acknowledgementCsv,
  acknowledgementCsvLine,
  csvCell,
} from "../../app/notify/acknowledgement-csv.server";
import { addSubscribers, publishFirst, publishMaterial } from "./notify-support";
import { noticeOf } from "./proof-support";

describe("the acknowledgement CSV", () => {
  it("neutralises cells a spreadsheet would run as a formula, and quotes every cell", () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(["+1", "-1", "@SUM(A1)", "\tx"].map(csvCell)).toEqual([`"'+1"`, `"'-1"`, `"'@SUM(A1)"`, `"'\tx"`]);
    expect(csvCell("plain, text")).toBe('"plain, text"');
    expect(csvCell(null)).toBe('""');
    expect(
      acknowledgementCsvLine({
        subscriberId: 1,
        externalId: "user-1",
        subscriberStatus: "active",
        emailStatus: null,
        emailTransport: null,
        providerMessageId: "=cmd|' /C calc'!A0",
        emailSentAt: null,
        dashboardStatus: "pending",
        acknowledgedVersion: null,
        acknowledgedAt: null,
        acknowledgedVia: null,
        shownAt: null,
        requiresAck: 0,
        remindersSent: 0,
        lastReminderAt: null,
      }),
    ).toContain(`"'=cmd|' /C calc'!A0"`);
  });

  it("lists every person the notice reached exactly once, across chunks of a thousand", async () => {
    await publishFirst("csv");
    await addSubscribers("csv", 1203);
    const version = await publishMaterial("csv", {
      channels: ["email", "dashboard"],
      audience: { group: "csv" },
    });
    const noticeId = await noticeOf(version.id);
    for (const i of [0, 999, 1000, 1202]) {
      await acknowledgeNotice({ externalId: `csv-${i}`, noticeId, channel: "api" });
    }
    const read = async (filter: "all" | "acknowledged" | "pending") =>
      (await new Response(acknowledgementCsv({ noticeId, filter })).text()).trim().split("\r\n").slice(1);
    const all = await read("all");
    expect(all).toHaveLength(1203);
    expect(new Set(all.map((l) => l.split(",")[0])).size).toBe(1203);
    const acknowledged = (await read("acknowledged")).map((l) => l.split(",")[0]).sort();
    expect(acknowledged).toEqual(['"csv-0"', '"csv-1000"', '"csv-1202"', '"csv-999"']);
    expect(await read("pending")).toHaveLength(1199);
  });

  it("keeps shown, acknowledged and dismissed apart", async () => {
    const base = {
      subscriberId: 1,
      externalId: "user-1",
      subscriberStatus: "active" as const,
      emailStatus: null,
      emailTransport: null,
      providerMessageId: null,
      emailSentAt: null,
      dashboardStatus: "delivered" as const,
      acknowledgedVersion: 2,
      acknowledgedAt: "2026-12-02T09:00:00.000Z",
      shownAt: "2026-12-02T08:00:00.000Z",
      remindersSent: 0,
      lastReminderAt: null,
    };
    const line = (over: object) =>
      acknowledgementCsvLine({ ...base, acknowledgedVia: "dashboard", requiresAck: 0, ...over });
    expect(line({})).toMatch(/"2026-12-02T08:00:00.000Z","dismissed","0",""$/);
    expect(line({ requiresAck: 1 })).toMatch(/"acknowledged","0",""$/);
    expect(line({ acknowledgedVia: "email" })).toMatch(/"acknowledged","0",""$/);
    expect(line({ acknowledgedAt: null, acknowledgedVia: null })).toMatch(
      /"2026-12-02T08:00:00.000Z","pending","0",""$/,
    );
    // Reminders sent to the person (issue 16, item 4) close the line.
    expect(line({ remindersSent: 2, lastReminderAt: "2026-12-09T09:00:00.000Z" })).toMatch(
      /"dismissed","2","2026-12-09T09:00:00.000Z"$/,
    );
  });
});
