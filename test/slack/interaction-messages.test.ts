// The answers to presses as neutral messages, in both renderers (Block Kit and the terminal), in
// golden files: the confirmation prompt and what replaces it, a remedy's outcomes, its progress
// line, and the refusals of incident buttons (who could, and when to press again).
import { describe, expect, it } from 'vitest';
import { actionProgressMessage } from '../../src/actions/action-progress-message.ts';
import { cancelledMessage, confirmationMessage, confirmedMessage } from '../../src/actions/confirmation-message.ts';
import { outcomeMessage } from '../../src/actions/outcome-message.ts';
import { EscalatedTooRecently, IncidentAccessDenied } from '../../src/incidents/incident-access.ts';
import { renderMessage } from '../../src/slack/render-message.ts';
import { encodeIntent } from '../../src/slack/encode-intent.ts';
import { buttonRefusalMessage } from '../../src/slack/button-refusal-message.ts';
import { incidentRefusalMessage } from '../../src/incidents/incident-refusal-message.ts';
import { expectGoldenBoth } from '../render/render-both.ts';

describe('golden files: answers to presses', () => {
  it('the confirmation prompt, confirmed and cancelled', () => {
    expectGoldenBoth('press-confirmation', confirmationMessage('Terminate session', 'Terminates backend 4242 on main-db (pg_terminate_backend).', 'AbCdEfGhIjKlMnOp'));
    expectGoldenBoth('press-confirmed', confirmedMessage('Terminates backend 4242 on main-db (pg_terminate_backend).'));
    expectGoldenBoth('press-cancelled', cancelledMessage('postgres.terminate_backend', 'main-db'));
  });

  it('a remedy\'s outcomes, each where it belongs', () => {
    const succeeded = outcomeMessage({ kind: 'succeeded', text: 'ran Terminate session on main-db: terminated backend 4242' }, 'U0ALICE');
    expect(succeeded.to).toBe('thread');
    expectGoldenBoth('press-outcome-succeeded', succeeded.message);
    const denied = outcomeMessage({ kind: 'denied', text: 'You are not allowed to run postgres.terminate_backend on main-db', askable: { users: ['U0ALICE'], groups: ['S0DBA'], channels: ['C0OPS'] } }, 'U0BOB');
    expect(denied.to).toBe('presser');
    expectGoldenBoth('press-outcome-denied', denied.message);
    const nobody = outcomeMessage({ kind: 'denied', text: 'You are not allowed to run k8s.scale on prod/shop/api', askable: { users: [], groups: [], channels: [] } }, 'U0BOB');
    expect(renderMessage(nobody.message, encodeIntent).text).toBe(':no_entry: You are not allowed to run k8s.scale on prod/shop/api (no one may: add a rule under access in the bot\'s config).');
    const duplicate = outcomeMessage({ kind: 'duplicate', text: 'postgres.terminate_backend on main-db is already running', startedBy: 'U0ALICE', ageSeconds: 3 }, 'U0BOB');
    expectGoldenBoth('press-outcome-duplicate', duplicate.message);
    expect(outcomeMessage({ kind: 'failed', text: 'ran <x> & failed' }, 'U0ALICE').to).toBe('thread');
    expect(renderMessage(outcomeMessage({ kind: 'failed', text: 'ran <x> & failed' }, 'U0ALICE').message, encodeIntent).text).toBe(':x: <@U0ALICE> ran &lt;x&gt; &amp; failed');
    expect(outcomeMessage({ kind: 'interrupted', text: 'interrupted' }, 'U0ALICE').to).toBe('presser');
  });

  it('a button refused before its handler: expired, not the bot\'s, not of its shape', () => {
    expectGoldenBoth('press-refused-expired', buttonRefusalMessage({ kind: 'expired', fresh: 'run /diag again' }));
    expectGoldenBoth('press-refused-not-signed', buttonRefusalMessage({ kind: 'not-signed', fresh: 'use /incident show <id> or the latest page' }));
    expectGoldenBoth('press-refused-invalid', buttonRefusalMessage({ kind: 'invalid', problem: 'This Details button is not valid (report id "abc"): use /digest history' }));
  });

  it('the progress line of a running remedy', () => {
    expectGoldenBoth('press-progress', actionProgressMessage('U0ALICE', 'restarting deployment/api in shop: 2/5 new pods ready (12 s)'));
  });

  it('incident refusals: who could, and when to press again', () => {
    const denied = new IncidentAccessDenied('resolve', 7, { commander: 'U0CMDR', paged: ['U0ONCALL'], users: [], groups: ['S0SRE'], pagedGroups: [], channels: ['C0WAR'] });
    expectGoldenBoth('press-incident-denied', incidentRefusalMessage(denied, 'press')!);
    const at = new Date('2026-12-01T12:00:00Z');
    const again = new EscalatedTooRecently({ incident: 7, by: 'U0ONCALL', to: 'team lead', at, againAt: new Date(at.getTime() + 30_000), now: new Date(at.getTime() + 4_000) });
    expectGoldenBoth('press-incident-escalated-recently', incidentRefusalMessage(again, 'press')!);
    expect(incidentRefusalMessage(new Error('x'), 'press')).toBeUndefined();
  });
});
