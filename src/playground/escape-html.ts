// Text made safe for HTML, in element content and in quoted attribute values alike: everything
// the page shows from a message (a finding's text, a label, a url) passes through here, so no
// text can become markup.

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
