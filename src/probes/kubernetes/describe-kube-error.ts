// A failed API call as words an on-call engineer can act on. We know which verb and resource we
// asked for, so a 403 names exactly the permission the bot is missing. What the server says is
// quoted on one line, cut (api-text.ts).
import * as k8s from '@kubernetes/client-node';
import { errorCode } from '../error-code.ts';
import { apiText } from './api-text.ts';

/** `unresolved`: the server's host name does not exist in DNS, which is the bot's configuration, not an outage. */
export type KubeProblemKind = 'unauthorized' | 'forbidden' | 'not_found' | 'timeout' | 'unreachable' | 'unresolved' | 'tls' | 'other';

export interface KubeProblem {
  kind: KubeProblemKind;
  /** What happened, without advice. */
  text: string;
  /** What to change, when the answer says. */
  fix?: string;
}

/** The problem as one sentence, its fix in brackets: for an action's answer. */
export function problemWords(p: KubeProblem): string {
  return p.fix ? `${p.text} (${p.fix})` : p.text;
}

export interface KubeRequestDescription {
  verb: 'get' | 'list' | 'patch' | 'delete';
  /** Plural resource, with the subresource when there is one: `pods`, `pods/log`, `deployments/scale`. */
  resource: string;
  /** The API group, when not the core one: named in the RBAC rule a 403 asks for. */
  group?: string;
  namespace?: string;
  name?: string;
}

export function describeKubeError(error: unknown, request: KubeRequestDescription, timeoutMs: number, server: string): KubeProblem {
  if (error instanceof k8s.ApiException) {
    const status = statusOf(error.body);
    const said = status.message ? `: ${status.message}` : '';
    const where = request.namespace ? ` in namespace ${request.namespace}` : ' cluster-wide';
    switch (error.code) {
      case 401:
        return { kind: 'unauthorized', text: `credentials rejected by ${server} (401 Unauthorized): the token or client certificate is wrong or expired` };
      case 403:
        return {
          kind: 'forbidden',
          text: `forbidden: the bot may not ${request.verb} ${request.resource}${where}${said}`,
          fix: `add ${request.verb} on ${request.resource}${request.group ? ` (apiGroups: ["${request.group}"])` : ''}${where} to the bot's RBAC role (see deploy/rbac.yaml) and apply it`,
        };
      case 404:
        if (request.resource === 'namespaces') return { kind: 'not_found', text: `namespace ${request.name ?? request.namespace} not found` };
        return { kind: 'not_found', text: `${request.resource}${request.name ? ` ${request.name}` : ''} not found${where}${said}` };
      default:
        return { kind: 'other', text: `${request.verb} ${request.resource}${where} failed with HTTP ${error.code}${status.reason ? ` ${status.reason}` : ''}${said}` };
    }
  }
  const name = (error as { name?: unknown } | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return { kind: 'timeout', text: `${server} did not answer ${request.verb} ${request.resource} within ${timeoutMs} ms` };
  }
  const code = errorCode(error);
  if (code === 'ECONNREFUSED') return { kind: 'unreachable', text: `connection refused by ${server}` };
  if (code === 'ENOTFOUND') {
    return { kind: 'unresolved', text: `the host name ${hostOf(server)} of ${server} does not resolve in DNS`, fix: 'correct the cluster\'s server in the kubeconfig (or the target\'s server), or the bot\'s DNS; kubectl config view --minify shows the server a context uses' };
  }
  if (code === 'EAI_AGAIN') return { kind: 'unreachable', text: `DNS lookup failed for ${hostOf(server)} (temporary failure, EAI_AGAIN)` };
  if (code === 'ECONNRESET' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'UND_ERR_SOCKET') return { kind: 'unreachable', text: `${server} is unreachable (${code})` };
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') return { kind: 'timeout', text: `connecting to ${server} timed out` };
  if (code && /CERT|SELF_SIGNED|TLS|SSL/.test(code)) {
    return { kind: 'tls', text: `TLS to ${server} failed (${code}): the cluster CA in the kubeconfig does not match`, fix: 'update certificate-authority-data of the cluster in the kubeconfig to the cluster\'s CA' };
  }
  const message = apiText(error instanceof Error ? error.message : String(error), 300);
  return { kind: 'other', text: `${request.verb} ${request.resource} failed: ${message}${code ? ` (${code})` : ''}` };
}

/** The API server's Status object inside an ApiException body (a raw string). */
function statusOf(body: unknown): { message?: string; reason?: string } {
  try {
    const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as { message?: unknown; reason?: unknown } | undefined;
    return {
      ...(typeof parsed?.message === 'string' && { message: apiText(parsed.message, 300) }),
      ...(typeof parsed?.reason === 'string' && { reason: apiText(parsed.reason, 60) }),
    };
  } catch {
    return {};
  }
}

function hostOf(server: string): string {
  try {
    return new URL(server).hostname;
  } catch {
    return server;
  }
}
