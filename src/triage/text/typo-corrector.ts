// Typo tolerance for runbook search: a word the runbooks (or the jargon table) never use is
// replaced by the known word one edit away (two for words of 9 letters or more that keep their
// first letter), so "postgress", "conection", "timout", "redsi" and "kuberentes" still find their
// runbooks. A word of 4 letters is only corrected for two swapped letters ("lcok"). Words shorter than 4
// letters and words with digits (codes such as 504 or 53300) are never changed: there a near miss
// is another code, not a typo. Ties go to the more frequent word, then the alphabetically first,
// so the answer never depends on the order the runbooks were read in.
import { editDistance } from './edit-distance.ts';
import { stemWord } from './stem-word.ts';

export type TypoCorrector = (word: string) => string | undefined;

/** `known`: word -> how often it occurs; `knownStems`: stems that need no correction. */
export function typoCorrector(known: ReadonlyMap<string, number>, knownStems: ReadonlySet<string>): TypoCorrector {
  const byLength = new Map<number, string[]>();
  for (const word of known.keys()) {
    if (word.length < 4 || /\d/.test(word)) continue;
    const list = byLength.get(word.length) ?? [];
    list.push(word);
    byLength.set(word.length, list);
  }
  const cache = new Map<string, string | undefined>();
  return (word) => {
    if (word.length < 4 || /[^a-z]/.test(word) || known.has(word) || knownStems.has(stemWord(word))) return undefined;
    if (cache.has(word)) return cache.get(word);
    const max = word.length >= 9 ? 2 : 1;
    let best: { word: string; distance: number; count: number } | undefined;
    for (let len = word.length - max; len <= word.length + max; len++) {
      for (const candidate of byLength.get(len) ?? []) {
        const distance = editDistance(word, candidate, max);
        // two edits only keeping the first letter: "outbound" is not a typo of "unbound"
        if (distance > max || (distance === 2 && candidate[0] !== word[0])) continue;
        // four letters leave too many neighbours ("prod" is not "prom"): only two letters swapped
        if (word.length === 4 && sorted(candidate) !== sorted(word)) continue;
        const count = known.get(candidate)!;
        if (
          !best ||
          distance < best.distance ||
          (distance === best.distance && (count > best.count || (count === best.count && candidate < best.word)))
        ) {
          best = { word: candidate, distance, count };
        }
      }
    }
    if (cache.size > 5000) cache.clear();
    cache.set(word, best?.word);
    return best?.word;
  };
}

function sorted(word: string): string {
  return [...word].sort().join('');
}
