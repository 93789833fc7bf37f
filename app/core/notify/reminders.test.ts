import { describe, expect, it } from "vitest";
import { nextReminderDueAt, reminderSettingsProblem } from "./reminders";

const DAY = 86_400_000;

describe("reminder rules", () => {
  it("count each round from the one before, and end after the last", () => {
    const notice = { createdAt: "2026-12-01T10:00:00.000Z", afterDays: 7, times: 2 };
    expect(nextReminderDueAt({ ...notice, rounds: 0, lastRoundAt: null })).toEqual({
      round: 1,
      dueAtMs: Date.parse(notice.createdAt) + 7 * DAY,
    });
    // The first reminder went out late (the worker was down): the second waits a full week after it.
    expect(nextReminderDueAt({ ...notice, rounds: 1, lastRoundAt: "2026-12-20T10:00:00.000Z" })).toEqual({
      round: 2,
      dueAtMs: Date.parse("2026-12-27T10:00:00.000Z"),
    });
    expect(nextReminderDueAt({ ...notice, rounds: 2, lastRoundAt: "2026-12-27T10:00:00.000Z" })).toBeNull();
  });

  it("go with email notices that require acknowledgement, within their limits", () => {
    const notice = { channels: ["email", "dashboard"] as const, requireAck: true };
    expect(reminderSettingsProblem({ afterDays: 7, times: 2 }, notice)).toBeNull();
    expect(reminderSettingsProblem({ afterDays: 7, times: 2 }, { ...notice, requireAck: false })).toMatch(
      /require acknowledgement/,
    );
    expect(
      reminderSettingsProblem({ afterDays: 7, times: 2 }, { ...notice, channels: ["dashboard"] }),
    ).toMatch(/email/);
    expect(reminderSettingsProblem({ afterDays: 0, times: 2 }, notice)).toMatch(/days/);
    expect(reminderSettingsProblem({ afterDays: 1.5, times: 2 }, notice)).toMatch(/days/);
    expect(reminderSettingsProblem({ afterDays: 7, times: 11 }, notice)).toMatch(/times/);
  });
});
