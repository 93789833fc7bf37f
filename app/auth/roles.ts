import type { Role } from "../../db/tables";

/**
 * What each role may do. Roles are cumulative: an editor may read, an approver may also write
 * drafts, an admin may do everything. Safe to import in the browser (no server code).
 */
/** Every role, least to most powerful (the same list as ROLES in db/schema, without importing it). */
export const ALL_ROLES = ["viewer", "editor", "approver", "admin"] as const satisfies readonly Role[];

const ROLE_RANK: Record<Role, number> = { viewer: 0, editor: 1, approver: 2, admin: 3 };

export const ROLE_LABELS: Record<Role, string> = {
  viewer: "Viewer — reads documents, history and the audit log",
  editor: "Editor — writes drafts and submits them for review",
  approver: "Approver — reviews, approves and publishes",
  admin: "Admin — manages users, API keys and settings",
};

/** Whether `role` is `minimum` or a role above it. */
export function roleAtLeast(role: Role, minimum: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[minimum];
}

/** The abilities the UI asks about, each with the least role that has it. */
export const ABILITIES = {
  read: "viewer",
  writeDrafts: "editor",
  submitForReview: "editor",
  review: "approver",
  publish: "approver",
  overrideNoticePeriod: "admin",
  manageUsers: "admin",
  manageApiKeys: "admin",
  /** Upload a subscribers CSV: personal data of the product's users, as the API keys write it. */
  importSubscribers: "admin",
  /** Erase a subscriber's personal data: final, so kept to the role that holds the API keys. */
  eraseSubscribers: "admin",
} as const satisfies Record<string, Role>;

export type Ability = keyof typeof ABILITIES;

export function can(role: Role, ability: Ability): boolean {
  return roleAtLeast(role, ABILITIES[ability]);
}
