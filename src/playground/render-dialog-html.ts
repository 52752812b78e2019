// An open dialog as a form on the playground's page: its inputs are named `<blockId>.<actionId>`
// (and carry both ids, so the page sends back `values[blockId][actionId]` as Slack would), each
// with a place for the error the bot answers about it. Every word is escaped.
import { escapeHtml } from './escape-html.ts';
import type { DialogField, PlaygroundDialog } from './playground-types.ts';

export function renderDialogHtml(d: PlaygroundDialog): string {
  const id = escapeHtml(d.id);
  const out: string[] = [
    `<form class="dialog" data-dialog="${id}" role="dialog" aria-modal="true" aria-labelledby="dialog-title-${id}">`,
    `<h2 class="dialog-title" id="dialog-title-${id}">${escapeHtml(d.title)}</h2>`,
    ...d.intro.map((p) => `<p class="dialog-intro">${escapeHtml(p)}</p>`),
    ...d.fields.map((f, i) => fieldHtml(f, `dialog-${id}-${i}`)),
    '<p class="dialog-error" data-dialog-error role="alert" hidden></p>',
    '<div class="dialog-buttons">',
    `<button type="button" class="btn" data-dialog-close>${escapeHtml(d.closeLabel)}</button>`,
    `<button type="submit" class="btn primary">${escapeHtml(d.submitLabel)}</button>`,
    '</div>',
    '</form>',
  ];
  return out.join('\n');
}

function fieldHtml(f: DialogField, inputId: string): string {
  const ids = `id="${inputId}" name="${escapeHtml(`${f.blockId}.${f.actionId}`)}" data-block-id="${escapeHtml(f.blockId)}" data-action-id="${escapeHtml(f.actionId)}"${f.optional ? '' : ' required'}`;
  const label = `<label for="${inputId}">${escapeHtml(f.label)}${f.optional ? ' <span class="optional">(optional)</span>' : ''}</label>`;
  let input: string;
  if (f.kind === 'select') {
    const options = f.options.map((o) => `<option value="${escapeHtml(o.value)}"${o.value === f.initial ? ' selected' : ''}>${escapeHtml(o.text)}</option>`);
    // Without an initial choice the first option would be sent unseen: an empty one asks for a choice.
    if (f.initial === undefined) options.unshift('<option value="">Choose…</option>');
    input = `<select ${ids}>${options.join('')}</select>`;
  } else {
    const placeholder = f.placeholder !== undefined ? ` placeholder="${escapeHtml(f.placeholder)}"` : '';
    input = f.multiline
      ? // A browser drops the newline right after <textarea>: this one, not the first of the value.
        `<textarea ${ids}${placeholder} rows="4">\n${escapeHtml(f.initial ?? '')}</textarea>`
      : `<input type="text" ${ids}${placeholder} value="${escapeHtml(f.initial ?? '')}">`;
  }
  return `<div class="dialog-field">${label}${input}<p class="field-error" data-error-for="${escapeHtml(f.blockId)}" role="alert" hidden></p></div>`;
}
