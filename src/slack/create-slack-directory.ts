// The SlackDirectory over the Web API: users.info and usergroups.users.list. A failed call becomes
// `{ ok: false, problem, detail, fix }`: Slack's error code, and the scope the app lacks. Create one directory per check: answers are
// cached for its lifetime, so an id named in many places is asked about once.
import { WebClient } from '@slack/web-api';
import type { DirectoryFailure, DirectoryGroup, DirectoryUser, SlackDirectory } from '../incidents/slack-directory.ts';
import { redactSecrets } from '../redact-secrets.ts';

export function createSlackDirectory(client: WebClient): SlackDirectory {
  const users = new Map<string, Promise<DirectoryUser>>();
  const groups = new Map<string, Promise<DirectoryGroup>>();
  return {
    user(id) {
      let answer = users.get(id);
      if (!answer) {
        answer = client.users.info({ user: id }).then(
          (res): DirectoryUser => ({
            ok: true,
            ...(res.user?.name !== undefined && { name: res.user.name }),
            ...(res.user?.deleted !== undefined && { deleted: res.user.deleted }),
          }),
          (error: unknown): DirectoryUser => failure(errorCode(error), 'user_not_found', 'users:read'),
        );
        users.set(id, answer);
      }
      return answer;
    },
    groupMembers(id) {
      let answer = groups.get(id);
      if (!answer) {
        answer = client.usergroups.users.list({ usergroup: id }).then(
          (res): DirectoryGroup => ({ ok: true, members: res.users ?? [] }),
          (error: unknown): DirectoryGroup => failure(errorCode(error), 'no_such_subteam', 'usergroups:read'),
        );
        groups.set(id, answer);
      }
      return answer;
    },
  };
}

/** For a terminal check: few retries, so an unreachable Slack is reported in seconds, not minutes. */
export function createSlackDirectoryForToken(token: string, apiUrl?: string): SlackDirectory {
  const client = new WebClient(token, {
    ...(apiUrl !== undefined && { slackApiUrl: apiUrl }),
    retryConfig: { retries: 1, minTimeout: 200, maxTimeout: 1_000 },
  });
  return createSlackDirectory(client);
}

/** A failed lookup in the check's terms: Slack's code for "no such id", and the scope that reading it needs. */
function failure(code: string, notFound: string, scope: string): DirectoryFailure {
  if (code === notFound) return { ok: false, problem: 'not-found', detail: code };
  if (code === 'missing_scope') return { ok: false, problem: 'no-permission', detail: code, fix: `the app needs the ${scope} scope` };
  return { ok: false, problem: 'other', detail: code };
}

/** Slack's error code (`user_not_found`), else the client's (`slack_webapi_request_error: ...`). */
function errorCode(error: unknown): string {
  const e = error as { data?: { error?: unknown }; code?: unknown; message?: unknown } | undefined;
  if (typeof e?.data?.error === 'string') return e.data.error;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  return redactSecrets(message);
}
