/**
 * Reminders of a notice that requires acknowledgement (issue 16, item 4): pure rules shared by the
 * publish form, the model and the scheduler.
 */
import type { Channel } from "./statuses";

export type ReminderSettings = {
  /** Days after the notice before the first reminder, and between reminders. */
  afterDays: number;
  /** At most this many reminders. */
  times: number;
};

export const REMINDER_LIMITS = { afterDays: { min: 1, max: 365 }, times: { min: 1, max: 10 } } as const;

const DAY_MS = 86_400_000;

/** Why these settings cannot go with this notice, or null when they can. */
export function reminderSettingsProblem(
  settings: ReminderSettings,
  notice: { channels: readonly Channel[]; requireAck: boolean },
): string | null {
  const { afterDays, times } = REMINDER_LIMITS;
  if (!notice.requireAck) return "reminders are for notices that require acknowledgement";
  if (!notice.channels.includes("email")) return "reminders are sent by email: choose the email notice too";
  if (
    !Number.isInteger(settings.afterDays) ||
    settings.afterDays < afterDays.min ||
    settings.afterDays > afterDays.max
  )
    return `remind after ${afterDays.min} to ${afterDays.max} days`;
  if (!Number.isInteger(settings.times) || settings.times < times.min || settings.times > times.max)
    return `remind at most ${times.min} to ${times.max} times`;
  return null;
}

/**
 * When the next reminder round of a notice is due, or null when it has had all of them. Each round
 * counts from the one before (the notice itself for the first), so a worker that was down for a
 * week sends one late reminder, not a burst of them.
 */
export function nextReminderDueAt(notice: {
  createdAt: string;
  afterDays: number;
  times: number;
  rounds: number;
  lastRoundAt: string | null;
}): { round: number; dueAtMs: number } | null {
  if (notice.rounds >= notice.times) return null;
  const from = Date.parse(notice.lastRoundAt ?? notice.createdAt);
  return { round: notice.rounds + 1, dueAtMs: from + notice.afterDays * DAY_MS };
}
