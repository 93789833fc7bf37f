import { describe, expect, it } from "vitest";
import { can, roleAtLeast } from "./roles";

describe("roles", () => {
  it("are cumulative from viewer to admin", () => {
    expect(roleAtLeast("admin", "approver")).toBe(true);
    expect(roleAtLeast("approver", "editor")).toBe(true);
    expect(roleAtLeast("editor", "approver")).toBe(false);
    expect(roleAtLeast("viewer", "editor")).toBe(false);
  });

  it("let viewers only read, editors write drafts, approvers review and publish, admins manage", () => {
    expect([can("viewer", "read"), can("viewer", "writeDrafts")]).toEqual([true, false]);
    expect([can("editor", "writeDrafts"), can("editor", "review"), can("editor", "publish")]).toEqual([
      true,
      false,
      false,
    ]);
    expect([can("approver", "review"), can("approver", "publish"), can("approver", "manageUsers")]).toEqual([
      true,
      true,
      false,
    ]);
    expect([
      can("admin", "manageUsers"),
      can("admin", "manageApiKeys"),
      can("admin", "overrideNoticePeriod"),
    ]).toEqual([true, true, true]);
    expect(can("approver", "overrideNoticePeriod")).toBe(false);
  });
});
