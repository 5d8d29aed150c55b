/** What a user may do: members use the service, admins also manage the catalogue, reports and users. */
export const ROLES = ['member', 'admin'] as const;

export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => ROLES.includes(value as Role);
