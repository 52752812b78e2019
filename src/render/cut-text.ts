// Cutting text to a length without breaking characters.

const ELLIPSIS = '…';

/**
 * `text` cut so that measure(result) <= max, ending with "…" when cut. Never splits a surrogate
 * pair. measure must not shrink as text grows (true of plain and escaped length).
 */
export function cutText(text: string, max: number, measure: (text: string) => number = (t) => t.length): string {
  if (measure(text) <= max) return text;
  // Largest prefix length whose cut form fits: binary search, since measure grows with the prefix.
  let lo = 0;
  let hi = Math.min(text.length, max);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(text.slice(0, mid) + ELLIPSIS) <= max) lo = mid;
    else hi = mid - 1;
  }
  let end = lo;
  const code = text.charCodeAt(end - 1);
  if (end > 0 && code >= 0xd800 && code <= 0xdbff) end -= 1;
  return text.slice(0, end).trimEnd() + ELLIPSIS;
}
