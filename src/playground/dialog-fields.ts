// A Slack modal the bot opens, read into what the playground's page shows: its title, buttons,
// words and inputs. The bot builds its dialogs once, for Slack (Block Kit views); the playground
// shows those same views, so a dialog it cannot read is refused loudly: showing it with an input
// missing would let the page submit something the bot never asked for.
import type { DialogView } from '../slack/interactions/interaction.ts';
import type { DialogField, PlaygroundDialog } from './playground-types.ts';

export type DialogContent = Omit<PlaygroundDialog, 'id' | 'signedMetadata' | 'openedAt' | 'callbackId'>;

const ELEMENTS = ['plain_text_input', 'static_select'];
const BLOCKS = ['input', 'section', 'context', 'divider', 'header'];

/** The parts of Block Kit a dialog's blocks are read through (the library's types are unions too wide to narrow here). */
interface TextObject {
  type?: string;
  text?: string;
}
interface OptionObject {
  text?: TextObject;
  value?: string;
}
interface ElementObject {
  type?: string;
  action_id?: string;
  initial_value?: string;
  placeholder?: TextObject;
  multiline?: boolean;
  options?: OptionObject[];
  initial_option?: OptionObject;
}
interface BlockObject {
  type?: string;
  block_id?: string;
  label?: TextObject;
  element?: ElementObject;
  optional?: boolean;
  text?: TextObject;
  fields?: TextObject[];
  elements?: Array<TextObject & { alt_text?: string }>;
}

export function dialogFields(view: DialogView): DialogContent {
  const intro: string[] = [];
  const fields: DialogField[] = [];
  (view.blocks as unknown as BlockObject[]).forEach((block, i) => {
    const where = `dialog "${view.callback_id}" block ${i}`;
    switch (block.type) {
      case 'section':
      case 'header':
        for (const t of [block.text, ...(block.fields ?? [])]) if (t?.text) intro.push(plainWords(t));
        return;
      case 'context':
        for (const e of block.elements ?? []) if (e.text) intro.push(plainWords(e));
        return;
      case 'divider':
        return;
      case 'input':
        fields.push(field(block, where));
        return;
      default:
        throw new Error(`${where}: block type "${String(block.type)}" is not one the playground can show (it shows ${BLOCKS.join(', ')})`);
    }
  });
  return {
    title: view.title.text,
    submitLabel: view.submit?.text ?? 'Submit',
    closeLabel: view.close?.text ?? 'Cancel',
    intro,
    fields,
    notifyOnClose: view.notify_on_close === true,
  };
}

function field(block: BlockObject, where: string): DialogField {
  const e = block.element;
  if (!block.block_id || !e?.action_id) throw new Error(`${where}: an input needs a block_id and an element with an action_id to be submitted (got block_id ${JSON.stringify(block.block_id)}, action_id ${JSON.stringify(e?.action_id)})`);
  const common = { blockId: block.block_id, actionId: e.action_id, label: block.label?.text ?? block.block_id, ...(block.optional && { optional: true }) };
  switch (e.type) {
    case 'plain_text_input':
      return {
        kind: 'text',
        ...common,
        ...(e.initial_value !== undefined && { initial: e.initial_value }),
        ...(e.placeholder?.text !== undefined && { placeholder: e.placeholder.text }),
        ...(e.multiline && { multiline: true }),
      };
    case 'static_select': {
      const options = (e.options ?? []).map((o) => ({ value: o.value ?? '', text: o.text?.text ?? o.value ?? '' }));
      const initial = e.initial_option?.value;
      return { kind: 'select', ...common, options, ...(initial !== undefined && { initial }) };
    }
    default:
      throw new Error(`${where} ("${block.block_id}"): element type "${String(e.type)}" is not one the playground can show (it shows ${ELEMENTS.join(', ')})`);
  }
}

/**
 * The words of a text object as a reader sees them: mrkdwn's escapes undone and its emphasis
 * marks dropped (the page escapes the words again when it shows them).
 */
function plainWords(t: TextObject): string {
  const words = t.text ?? '';
  if (t.type !== 'mrkdwn') return words;
  return words
    .replace(/(^|[\s(])[*_~]+(?=\S)|(?<=\S)[*_~]+(?=$|[\s).,:;!?])/g, '$1')
    .replace(/\u200b/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
