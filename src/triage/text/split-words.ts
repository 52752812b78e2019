// Splits free text (a chat message, a runbook line, an error quoted from a log) into lowercase
// words. Separators are anything but letters and digits, so `pg_stat_activity`, `redis-cli` and
// `prometheus.query.http_5xx_ratio` give their parts. A CamelCase word (`CrashLoopBackOff`,
// `OOMKilled`, `APIConnectionError`) gives itself and then its parts, so "crash loop" finds it too.

export function splitWords(text: string): string[] {
  const words: string[] = [];
  // can't -> cant, user's -> users: an apostrophe does not split a word
  for (const piece of text.replace(/['’]/g, '').match(/[A-Za-z0-9]+/g) ?? []) {
    const lower = piece.toLowerCase();
    words.push(lower);
    if (/[a-z][A-Z]|[A-Z]{2}[a-z]/.test(piece)) {
      const parts = piece.match(/[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+/g) ?? [];
      if (parts.length > 1) for (const part of parts) words.push(part.toLowerCase());
    }
  }
  return words;
}
