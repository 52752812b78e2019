// Small SVG-building helpers for the trend chart: escaping, stable number formatting, text fitting.

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for use in SVG text content and attribute values; drops control characters. */
export function escapeXml(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

/** Coordinates with one decimal: enough for anti-aliased lines, and stable text for the same input. */
export function n(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

/** Rough text width for DejaVu Sans (about 0.6 em per character on average). */
export function estimateTextWidth(text: string, fontSize: number): number {
  return [...text].length * fontSize * 0.6;
}

/** Shortens text with an ellipsis so that its estimated width fits in maxWidth. */
export function fitText(text: string, fontSize: number, maxWidth: number): string {
  const chars = [...text];
  const maxChars = Math.max(1, Math.floor(maxWidth / (fontSize * 0.6)));
  if (chars.length <= maxChars) return text;
  return `${chars.slice(0, Math.max(0, maxChars - 1)).join('')}…`;
}

export interface TextOptions {
  size: number;
  weight?: 'bold';
  fill?: string;
  anchor?: 'start' | 'middle' | 'end';
  /** A class that names what the text is (`latest`), for tests and debugging. */
  className?: string;
}

export function svgText(x: number, y: number, text: string, opts: TextOptions): string {
  const weight = opts.weight ? ` font-weight="${opts.weight}"` : '';
  const anchor = opts.anchor && opts.anchor !== 'start' ? ` text-anchor="${opts.anchor}"` : '';
  const cls = opts.className ? ` class="${escapeXml(opts.className)}"` : '';
  return `<text${cls} x="${n(x)}" y="${n(y)}" font-size="${opts.size}"${weight}${anchor} fill="${opts.fill ?? '#222'}">${escapeXml(text)}</text>`;
}

export function svgLine(x1: number, y1: number, x2: number, y2: number, stroke: string, extra = ''): string {
  return `<line x1="${n(x1)}" y1="${n(y1)}" x2="${n(x2)}" y2="${n(y2)}" stroke="${stroke}" stroke-width="1"${extra ? ` ${extra}` : ''}/>`;
}
