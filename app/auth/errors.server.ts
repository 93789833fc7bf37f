import { data } from "@remix-run/node";
import { PolicyImportError } from "../core/document";
import { isRefusal } from "../core/refusal";

/** Errors whose message is written for the person who caused them. */
function isExpectedError(error: unknown): error is Error {
  return isRefusal(error) || error instanceof PolicyImportError;
}

/** Sentence case for a message that starts lowercase (model errors do). */
export function sentence(message: string): string {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** An action's answer to a refused request: 400 with a message the form shows. */
export function formError(message: string, status = 400) {
  return data({ ok: false as const, error: sentence(message) }, { status });
}

/**
 * Runs an action's work and turns expected refusals into a 400 with their message; anything else
 * is a bug and goes to the error boundary.
 */
export async function attempt<T>(work: () => Promise<T>) {
  try {
    return await work();
  } catch (error) {
    if (isExpectedError(error)) return formError(error.message);
    throw error;
  }
}
