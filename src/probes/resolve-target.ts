// `/diag <word>`: a target name first, then a kind or alias (`db` -> the postgres target).
import type { Config, Target } from '../config/config.ts';
import { UserError } from '../user-error.ts';
import { findProbe, kindNames } from './probe-registry.ts';

export function resolveTarget(config: Config, word: string): Target {
  const byName = config.targets.find((t) => t.name === word);
  if (byName) return byName;
  const probe = findProbe(word);
  if (probe) {
    const ofKind = config.targets.filter((t) => t.kind === probe.kind);
    if (ofKind.length === 1) return ofKind[0]!;
    if (ofKind.length > 1) {
      throw new UserError(`"${word}" matches ${ofKind.length} ${probe.kind} targets: ${ofKind.map((t) => t.name).join(', ')}; name one of them`);
    }
    throw new UserError(`no ${probe.kind} target is configured (${config.source}); add one under targets: with kind: ${probe.kind}`);
  }
  throw new UserError(`unknown target "${word}"; ${validWords(config)}`);
}

export function validWords(config: Config): string {
  const names = config.targets.map((t) => `${t.name} (${t.kind})`);
  return `configured targets: ${names.length ? names.join(', ') : 'none'}; kinds: ${kindNames().join(', ')}`;
}

/**
 * `/diag <words>`: a target or kind, optionally a target name after a kind (`k8s prod`), then
 * words the target's kind may narrow it by (`k8s prod payments`: one namespace).
 */
export function resolveTargetWords(config: Config, words: readonly string[]): Target {
  const [first, ...rest] = words;
  if (first === undefined) throw new UserError(`name a target or kind; ${validWords(config)}`);
  let target: Target | undefined;
  const probe = config.targets.some((t) => t.name === first) ? undefined : findProbe(first);
  if (probe && rest.length > 0) {
    target = config.targets.find((t) => t.name === rest[0] && t.kind === probe.kind);
    if (target) rest.shift();
  }
  target ??= resolveTarget(config, first);
  if (rest.length === 0) return target;
  // A target kept for a configuration problem is not run: its report says the problem, whatever words follow.
  if (target.configProblem !== undefined) return target;
  const narrow = findProbe(target.kind)?.narrow;
  if (!narrow) throw new UserError(`${target.name} (${target.kind}) takes no more words, got "${rest.join(' ')}"`);
  return narrow(target, rest) as Target;
}
