// Who a directory id stands for, as far as the escalation ladder's check needs to know: whether a
// user exists and is active, and who is in a user group. Answers carry what went wrong instead of
// throwing, so one unreadable id never hides what is wrong with the others. The transport says it
// in its own words (its error code, the permission it lacks); the check only reads the kind.

/** Why an id could not be read: `not-found` (no such user or group), anything else in `detail`. */
export interface DirectoryFailure {
  ok: false;
  problem: 'not-found' | 'no-permission' | 'other';
  /** The transport's own code or message, e.g. `user_not_found`. */
  detail: string;
  /** What would let the bot read it (a permission to grant), when the transport knows. */
  fix?: string;
}

export type DirectoryUser = { ok: true; name?: string; deleted?: boolean } | DirectoryFailure;
export type DirectoryGroup = { ok: true; members: string[] } | DirectoryFailure;

export interface SlackDirectory {
  user(id: string): Promise<DirectoryUser>;
  groupMembers(id: string): Promise<DirectoryGroup>;
}
