// A host name that does not exist (ENOTFOUND, EAI_NONAME) is the bot's configuration, not the
// server's health: an `unknown` configuration finding naming the host and the key to correct.
import type { FindingExtra } from './probe-support.ts';
import type { RequestFailure } from './classify-error.ts';

/** The title and the rest of the configuration finding, or undefined when the failure is not DNS. */
export function unresolvedHost(failure: RequestFailure, url: string, urlKey: string): { title: string; extra: FindingExtra } | undefined {
  // A resolver that did not answer (EAI_AGAIN, EAI_FAIL) may be DNS down, not a wrong name: an outage.
  if (failure.kind !== 'DNS' || failure.cancelled || (failure.code !== 'ENOTFOUND' && failure.code !== 'EAI_NONAME')) return undefined;
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    host = '(the host in the URL)';
  }
  return {
    title: `Host name ${host} does not resolve (${failure.code ?? 'DNS'})`,
    extra: {
      detail: failure.message,
      fix: `check the host in ${urlKey} (a typo, a name that only resolves elsewhere) and the DNS record from where the bot runs (\`getent hosts ${host}\`); nothing was checked on the server.`,
      config: true,
    },
  };
}
