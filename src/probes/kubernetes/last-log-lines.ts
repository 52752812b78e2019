// The last line a crashed container wrote before it stopped (its previous instance's log): the
// words a root cause quotes ("Error: DATABASE_URL is not set"). Read only for the containers a
// root cause names, all at once, each bounded; a log the bot may not read or that does not come
// in time is simply not quoted (the Logs button still reads it).
import { scrubText } from '../scrub-findings.ts';
import type { KubeClient } from './kube-client.ts';
import { containerKey } from './merge-root-causes.ts';

/** Lines read back from the end, to find the last one with words. */
const TAIL_LINES = 20;
const LIMIT_BYTES = 64 * 1024;
/** A quoted line is cut here, after its secrets are masked. */
export const MAX_LINE_CHARS = 160;
// eslint-disable-next-line no-control-regex
const CONTROL = /\u001b\[[0-9;?]*[A-Za-z]|[\u0000-\u0008\u000b-\u001f\u007f]/g;

export interface LogReadOptions {
  signal: AbortSignal;
  timeoutMs: number;
  /** Masked in a line before it is cut. */
  secrets: readonly string[];
}

/** `namespace/pod/container` -> its previous instance's last non-empty log line, for those that could be read. */
export async function lastLogLines(client: KubeClient, containers: ReadonlyArray<{ namespace: string; pod: string; container: string }>, options: LogReadOptions): Promise<Map<string, string>> {
  const lines = new Map<string, string>();
  await Promise.all(containers.map(async (c) => {
    try {
      const text = await client.core.readNamespacedPodLog(
        { name: c.pod, namespace: c.namespace, container: c.container, previous: true, tailLines: TAIL_LINES, limitBytes: LIMIT_BYTES },
        client.options(options.signal, options.timeoutMs),
      );
      const line = lastLine(String(text), options.secrets);
      if (line) lines.set(containerKey(c), line);
    } catch {
      // Not quoted: forbidden, no previous instance, or too slow.
    }
  }));
  return lines;
}

/** The last line with words, control characters dropped, secrets masked, then cut. */
export function lastLine(text: string, secrets: readonly string[]): string | undefined {
  const found = text.split(/\r?\n/).map((l) => l.replace(CONTROL, '').trim()).filter((l) => l.length > 0).at(-1);
  if (!found) return undefined;
  const masked = scrubText(found, secrets);
  return masked.length > MAX_LINE_CHARS ? `${masked.slice(0, MAX_LINE_CHARS - 1)}…` : masked;
}
