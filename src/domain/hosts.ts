export interface MemberStanding {
  roleIds: readonly string[];
  hasManageGuild: boolean;
}

export function isHost(member: MemberStanding, hostRoleId: string | undefined) {
  return member.hasManageGuild || (hostRoleId !== undefined && member.roleIds.includes(hostRoleId));
}
