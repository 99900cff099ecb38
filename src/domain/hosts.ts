/** What is known about a member when deciding whether they may run host commands. */
export interface MemberStanding {
  roleIds: readonly string[];
  hasManageGuild: boolean;
}

/** A host is a member with the guild's configured host role, or with Manage Server. */
export function isHost(member: MemberStanding, hostRoleId: string | undefined): boolean {
  return member.hasManageGuild || (hostRoleId !== undefined && member.roleIds.includes(hostRoleId));
}
