// /triage <symptom in plain words>: the likely causes of what a user sees, from the runbooks the
// words point at and the checks of the configured targets they name (src/triage/run-triage.ts).
// "Looking into…" is posted first and replaced by the answer, as /diag does, and audited the same.
import type { AppServices } from '../src/app-services.ts';
import { code, command, line, progressMessage, section, spans, strong, type Line, type Message } from '../src/message/message.ts';
import { plural } from '../src/render/display-report.ts';
import type { CommandInvocation, CommandOutcome } from '../src/slash-command.ts';
import { narratorFor } from '../src/triage/narrator-for.ts';
import { runTriage } from '../src/triage/run-triage.ts';
import { triageMessage } from '../src/triage/triage-message.ts';
import { triageStatus } from '../src/triage/triage-status.ts';
import { UserError } from '../src/user-error.ts';
import { maskSecrets } from '../src/security/mask-secrets.ts';
import type { ChatCommand } from './parts/chat-command.ts';

/** Phrasings a user may type, for the usage line and the help. */
const EXAMPLES = ['users see 504s', 'too many clients already', 'redis OOM command not allowed', 'the API is slow'];

export const triageCommand: ChatCommand = {
  name: '/triage',
  description: 'Find the likely cause of a symptom in plain words: the runbooks it matches, checked on the configured targets',
  usageHint: '<symptom in plain words>',
  run: runTriageCommand,
};

async function runTriageCommand({ text, userId, channelId, reply, services }: CommandInvocation): Promise<CommandOutcome | void> {
  const symptom = text.trim().replace(/\s+/g, ' ');
  if (symptom === '') throw new UserError(usageLine());
  if (symptom.toLowerCase() === 'help') {
    await reply.ephemeral(triageHelp());
    return;
  }
  const posted = await reply.post(progressMessage('Looking into ', strong(symptom), '…'));
  let checked: string[] = [];
  // The progress update must land before the answer, or it would replace it.
  let progressSent: Promise<void> = Promise.resolve();
  const { result } = await runTriage(symptom, {
    targets: services.config.targets,
    runbooks: services.runbooks,
    log: services.log,
    state: services.probeState,
    secrets: services.secrets,
    ...withNarrator(services),
    onPlan: (targets) => {
      checked = targets.map((t) => t.name);
      if (targets.length === 0) return;
      progressSent = posted
        .update(progressMessage('Looking into ', strong(symptom), `: checking ${plural(targets.length, 'target')}…`))
        .catch((err: unknown) => services.log.warn({ err }, 'while updating /triage progress'));
    },
  });
  await progressSent;
  await posted.update(triageMessage(result, { budget: reply.budget, checked, runbookUrl: runbookUrlFor(services) }));
  const status = triageStatus(result);
  await services.audit
    .record({ actor: userId, ...(reply.source !== 'cli' && { channel: channelId }), source: reply.source, action: 'triage', target: checked.join(',').slice(0, 200) || '-', params: { text: auditText(text, services.secrets) }, outcome: status, durationMs: result.durationMs })
    .catch((err: unknown) => services.log.error({ err }, 'while writing the audit row of /triage'));
  return { status, data: result };
}

/** A pasted log as the audit keeps it: masked (configured secrets and the generic patterns), at most 500 characters. */
function auditText(text: string, secrets: readonly string[]): string {
  const masked = maskSecrets(text, secrets);
  return masked.length > AUDIT_TEXT_CHARS ? `${masked.slice(0, AUDIT_TEXT_CHARS - 1)}…` : masked;
}

const AUDIT_TEXT_CHARS = 500;

function withNarrator(services: AppServices): { narrate?: NonNullable<ReturnType<typeof narratorFor>> } {
  const narrate = narratorFor(services.config, services.secrets);
  return narrate ? { narrate } : {};
}

function usageLine(): Line {
  return spans('describe what you see in a few words: ', ...EXAMPLES.slice(0, 3).flatMap((e, i) => [...(i > 0 ? [', '] : []), command('triage', e)]));
}

function triageHelp(): Message {
  const usage = spans(strong('Usage:'), ' ', command('triage', '<symptom in plain words>'));
  return {
    notification: usage,
    blocks: [
      section({ type: 'line', spans: usage }),
      section(
        line('Picks the runbooks that match the words, runs their checks on the configured targets, and answers with the likely causes first, each with the evidence and a confidence from it. Nothing confirmed is said plainly. For example:'),
        { type: 'list', items: EXAMPLES.map((e): Line => [command('triage', e)]) },
        line('The answer ends with the exit code of the top cause in a terminal: ', code('chatops triage <words> --json'), '.'),
      ),
    ],
  };
}

function runbookUrlFor(services: AppServices): (id: string) => string | undefined {
  const base = services.config.runbooks.baseUrl;
  return (id) => (base && services.runbooks.byId.has(id) ? `${base.replace(/\/$/, '')}/${id}.md` : undefined);
}
