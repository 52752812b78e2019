// Who a Slack id stands for, as far as the escalation ladder's check needs to know: whether a user
// exists and is active, and who is in a user group. Answers carry Slack's error code instead of
// throwing, so one unreadable id never hides what is wrong with the others.

export type DirectoryUser = { ok: true; name?: string; deleted?: boolean } | { ok: false; error: string };
export type DirectoryGroup = { ok: true; members: string[] } | { ok: false; error: string };

export interface SlackDirectory {
  user(id: string): Promise<DirectoryUser>;
  groupMembers(id: string): Promise<DirectoryGroup>;
}
