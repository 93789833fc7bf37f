import { afterEach, vi } from "vitest";

// An unexpected console.error is a bug: fail the test that caused it.
const consoleError = vi.spyOn(console, "error");
afterEach(() => {
  const calls = consoleError.mock.calls.slice();
  consoleError.mockClear();
  if (calls.length > 0) {
    throw new Error(
      `console.error was called:\n${calls.map((args) => args.map(String).join(" ")).join("\n")}`,
    );
  }
});
