// The interaction registry as Bolt listeners: one per declared button (its action id, `:<n>`
// repeats included, or its family's prefix) and per declared dialog. verify-interactive.ts has
// checked the signature and decoded the value before a listener runs; the listener acks, reads
// where the press happened and hands the intent to its declaration's handler, with an Edge that
// seals (masks, signs) every neutral message it sends.
import type { App, BlockAction, ButtonAction, RespondFn, ViewClosedAction, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { AppServices } from '../../app-services.ts';
import type { Intent } from '../../message/intent.ts';
import { maskSecrets } from '../../security/mask-secrets.ts';
import type { ValueSigner } from '../../security/value-signer.ts';
import type { Message } from '../../message/message.ts';
import { sealMessage, sealView } from '../seal-message.ts';
import type { InteractionRegistry } from './interaction-registry.ts';
import type { DialogPress, Edge, Press } from './interaction.ts';

export function registerInteractions(app: App, registry: InteractionRegistry, services: AppServices, signer: ValueSigner): void {
  const log = services.log.child({ component: 'slack' });
  for (const declaration of registry.buttons()) {
    const id = escapeRegExp(declaration.actionId);
    const pattern = declaration.family ? new RegExp(`^${id}.+$`) : new RegExp(`^${id}(:\\d+)?$`);
    app.action<BlockAction<ButtonAction>>(pattern, async ({ ack, action, body, client, respond, context }) => {
      await ack();
      const intent = context.intent as Intent | undefined;
      if (intent?.intent !== declaration.intent) {
        // verifyInteractive decodes every press before its listener: this is a wiring mistake.
        log.error({ actionId: action.action_id.slice(0, 100), intent: intent?.intent }, 'a press reached its listener without its decoded intent: ignored');
        return;
      }
      const channel = body.container?.channel_id ?? body.channel?.id ?? '';
      const messageTs = body.container?.message_ts ?? body.message?.ts ?? '';
      const press: Press = {
        user: body.user.id,
        channel,
        messageTs,
        // A report posted as a thread reply (/diag all details) answers in that same thread.
        threadTs: body.container?.thread_ts ?? body.message?.thread_ts ?? messageTs,
        messageKey: typeof context.signedNonce === 'string' ? context.signedNonce : messageTs,
        triggerId: body.trigger_id,
        actionId: action.action_id,
      };
      await declaration.handle(intent, press, edgeFor({ client, respond, user: press.user, services, signer }));
    });
  }
  for (const dialog of registry.dialogs()) {
    app.view<ViewSubmitAction>(dialog.callbackId, async ({ ack, view, body, client }) => {
      const press: DialogPress = { user: body.user.id, metadata: view.private_metadata, values: view.state.values };
      const answer = async (errors?: Record<string, string>) => {
        await (errors ? ack({ response_action: 'errors', errors }) : ack());
      };
      await dialog.submit(press, answer, edgeFor({ client, user: press.user, services, signer }));
    });
    const closed = dialog.closed;
    if (closed) {
      app.view<ViewClosedAction>({ callback_id: dialog.callbackId, type: 'view_closed' }, async ({ ack, view, body, client }) => {
        await ack();
        await closed({ user: body.user.id, metadata: view.private_metadata, values: view.state.values }, edgeFor({ client, user: body.user.id, services, signer }));
      });
    }
  }
}

/** How a handler answers, over this request's respond() (where there is one) and Web API client. */
function edgeFor(a: { client: WebClient; respond?: RespondFn; user: string; services: AppServices; signer: ValueSigner }): Edge {
  const { client, respond, user, services, signer } = a;
  const seal = (m: Message) => sealMessage(m, signer, services.secrets);
  return {
    services,
    async answer(m) {
      const sealed = seal(m);
      // A dialog has no response_url: the presser is told directly.
      if (respond) await respond({ response_type: 'ephemeral', replace_original: false, ...sealed });
      else await client.chat.postMessage({ channel: user, ...sealed });
    },
    async replace(m) {
      if (!respond) throw new Error('only a press has a message of its own to replace');
      await respond({ response_type: 'ephemeral', replace_original: true, ...seal(m) });
    },
    async tell(to, m) {
      await client.chat.postEphemeral({ channel: to.channel, user: to.user, ...seal(m), ...(to.threadTs && { thread_ts: to.threadTs }) });
    },
    async post(channel, m, threadTs) {
      const res = await client.chat.postMessage({ channel, ...seal(m), ...(threadTs && { thread_ts: threadTs }) });
      return res.ts;
    },
    async update(channel, ts, m) {
      await client.chat.update({ channel, ts, ...seal(m) });
    },
    async uploadText(to, file) {
      await client.files.uploadV2({
        channel_id: to.channel,
        thread_ts: to.threadTs,
        content: maskSecrets(file.content, services.secrets),
        filename: file.filename,
        title: file.title,
        snippet_type: 'text',
      });
    },
    async openDialog(triggerId, view) {
      await client.views.open({ trigger_id: triggerId, view: sealView(view, signer) });
    },
    async inGroup(group, member) {
      return ((await client.usergroups.users.list({ usergroup: group })).users ?? []).includes(member);
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
