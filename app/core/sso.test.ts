import { describe, expect, it } from "vitest";
import { decideRole, groupsIn, parseRoleMap, SSO_FAILURE_TEXT, SSO_FAILURES } from "./sso";

const map = { "legal-editors": "editor", "legal-leads": "approver", "it-admins": "admin" } as const;

describe("the role a person's groups give them", () => {
  it("is the most powerful role among their mapped groups", () => {
    expect(
      decideRole({ groups: ["legal-editors", "legal-leads", "sales"] }, { claim: "groups", map }),
    ).toEqual({
      role: "approver",
      from: "group",
      groups: ["legal-leads"],
    });
  });

  it("is the default role when none of their groups is mapped, if there is one", () => {
    expect(decideRole({ groups: ["sales"] }, { claim: "groups", map, defaultRole: "viewer" })).toMatchObject({
      role: "viewer",
      from: "default",
    });
  });

  it("is none (refused) without a mapped group or a default", () => {
    expect(decideRole({ groups: ["sales"] }, { claim: "groups", map }).role).toBeNull();
    expect(decideRole({}, { claim: "groups", map }).role).toBeNull();
  });

  it("reads a single string, and nested claims such as Keycloak's realm_access.roles", () => {
    expect(groupsIn({ roles: "legal-editors" }, "roles")).toEqual(["legal-editors"]);
    expect(groupsIn({ realm_access: { roles: ["legal-leads", 7] } }, "realm_access.roles")).toEqual([
      "legal-leads",
    ]);
    expect(groupsIn({ "https://example.com/groups": ["a"] }, "https://example.com/groups")).toEqual(["a"]);
  });

  it("is not fooled by names of object properties", () => {
    expect(decideRole({ groups: ["constructor", "toString"] }, { claim: "groups", map }).role).toBeNull();
  });
});

describe("OIDC_ROLE_MAP", () => {
  it("accepts an object from group to role", () => {
    expect(parseRoleMap('{"legal-editors":"editor"}')).toEqual({
      ok: true,
      map: { "legal-editors": "editor" },
    });
  });

  it.each([
    ["not json", /not JSON/],
    ['["editor"]', /JSON object from group to role/],
    ['{"legal-editors":"owner"}', /group "legal-editors": must be viewer, editor, approver or admin/],
  ])("refuses %s with a message naming the problem", (json, message) => {
    const parsed = parseRoleMap(json);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });
});

describe("failure pages", () => {
  it("say what happened and what to do for every failure", () => {
    for (const failure of SSO_FAILURES) {
      const text = SSO_FAILURE_TEXT[failure];
      expect(text.title.length).toBeGreaterThan(10);
      expect(text.what.length).toBeGreaterThan(20);
      expect(text.todo.length).toBeGreaterThan(20);
    }
  });
});
