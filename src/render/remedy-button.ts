// A remedy as a button, the same wherever it is offered (a report, a /triage answer): its intent
// names the action, its parameters and the target, so the press goes through the one signed and
// validated path of remedies. A destructive action is red and asks first, saying exactly what
// will happen; one that asks for a value (Scale) opens a dialog that says it instead.
import { findAction } from '../actions/action-catalogue.ts';
import type { Button } from '../message/message.ts';
import type { Remedy } from '../report.ts';

export function remedyButton(remedy: Pick<Remedy, 'action' | 'label' | 'params'>, target: string): Button {
  const button: Button = { label: remedy.label, intent: { intent: 'remedy', action: remedy.action, params: remedy.params, target } };
  const spec = findAction(remedy.action);
  if (spec?.destructive) {
    button.style = 'danger';
    if (!spec.input) button.confirm = { title: `${spec.title}?`, text: spec.describe(remedy.params, target), ok: 'Run it', deny: 'Cancel' };
  }
  return button;
}
