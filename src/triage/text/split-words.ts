// Splits free text (a chat message, a runbook line, an error quoted from a log) into lowercase
// words. Separators are anything but letters and digits, so `pg_stat_activity`, `redis-cli` and
// `prometheus.query.http_5xx_ratio` give their parts. A CamelCase word (`CrashLoopBackOff`,
// `OOMKilled`, `APIConnectionError`) gives itself and then its parts, so "crash loop" finds it too.
// A negation is two words, so "can't connect", "cant connect" and "cannot connect" are one phrase.

/** cant -> can not, isnt -> is not (typed with or without the apostrophe): "not reaching" is a phrase. */
const NEGATIONS = new Map(
  ['aint:is', 'arent:are', 'cannot:can', 'cant:can', 'couldnt:could', 'didnt:did', 'doesnt:does', 'dont:do', 'hadnt:had',
    'hasnt:has', 'havent:have', 'isnt:is', 'shouldnt:should', 'wasnt:was', 'werent:were', 'wont:will', 'wouldnt:would']
    .map((pair) => pair.split(':') as [string, string]),
);

export interface SplitWord {
  /** Lowercase. */
  word: string;
  /** For a part of a CamelCase word, the whole word (lowercase): what to show the user. */
  whole?: string;
}

export function splitWords(text: string): SplitWord[] {
  const words: SplitWord[] = [];
  // can't -> cant, user's -> users: an apostrophe does not split a word
  for (const piece of text.replace(/['’]/g, '').match(/[A-Za-z0-9]+/g) ?? []) {
    const lower = piece.toLowerCase();
    const negated = NEGATIONS.get(lower);
    if (negated) {
      words.push({ word: negated }, { word: 'not' });
      continue;
    }
    words.push({ word: lower });
    if (/[a-z][A-Z]|[A-Z]{2}[a-z]/.test(piece)) {
      const parts = piece.match(/[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+/g) ?? [];
      if (parts.length > 1) for (const part of parts) words.push({ word: part.toLowerCase(), whole: lower });
    }
  }
  return words;
}
