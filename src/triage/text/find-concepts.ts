// Finds the phrases of the jargon table (concept-table.ts) in a run of stemmed words, and says for
// each word which concepts cover it. Matching happens on stems, stop words included, so "timed
// out", "times out" and "timing out" are one phrase and "too many clients" keeps its "too many".
import { CONCEPT_TABLE } from './concept-table.ts';
import { splitWords } from './split-words.ts';
import { stemWord } from './stem-word.ts';

interface Phrase {
  stems: string[];
  concept: string;
}

/** In a phrase of the table, stands for any number: "anynumber connections" matches "200 connections". */
const NUMBER = 'anynumber';

/** First stem -> the phrases starting with it. */
const PHRASES = new Map<string, Phrase[]>();
/** Every word of the table, as typed: the typo corrector may correct towards them. */
export const CONCEPT_WORDS: ReadonlySet<string> = new Set(
  Object.values(CONCEPT_TABLE)
    .flat()
    .flatMap((p) => splitWords(p).map((w) => w.word))
    .filter((w) => w !== NUMBER),
);

for (const [concept, phrases] of Object.entries(CONCEPT_TABLE)) {
  for (const text of phrases) {
    const stems = splitWords(text).map((w) => stemWord(w.word));
    if (stems.length === 0) continue;
    const list = PHRASES.get(stems[0]!) ?? [];
    list.push({ stems, concept });
    PHRASES.set(stems[0]!, list);
  }
}

/** The concepts a word is part of; `phrase`: the most words of a jargon phrase it is part of (0: none). */
export interface WordConcepts {
  concepts: string[];
  phrase: number;
}

/** For each position of `stems`, the concept ids (`@latency`) of the phrases that cover it. */
export function findConcepts(stems: readonly string[]): WordConcepts[] {
  const covered = stems.map(() => ({ concepts: new Set<string>(), phrase: 0 }));
  stems.forEach((first, i) => {
    for (const phrase of [...(PHRASES.get(first) ?? []), ...(/^\d+$/.test(first) ? (PHRASES.get(NUMBER) ?? []) : [])]) {
      if (i + phrase.stems.length > stems.length) continue;
      if (!phrase.stems.every((s, k) => stems[i + k] === s || (s === NUMBER && /^\d+$/.test(stems[i + k]!)))) continue;
      for (let k = 0; k < phrase.stems.length; k++) {
        covered[i + k]!.concepts.add(`@${phrase.concept}`);
        covered[i + k]!.phrase = Math.max(covered[i + k]!.phrase, phrase.stems.length);
      }
    }
  });
  return covered.map((c) => ({ concepts: [...c.concepts], phrase: c.phrase }));
}
