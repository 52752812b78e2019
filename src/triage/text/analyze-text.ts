// One pipeline for runbook text and for what a user types, so both sides meet on the same terms:
// words -> (typo correction, for the user's words) -> stems -> concepts of the jargon table ->
// stop words marked. A word keeps its surface form for the `matched` list a user reads.
import { findConcepts } from './find-concepts.ts';
import { splitWords } from './split-words.ts';
import { stemWord } from './stem-word.ts';
import { STOP_WORDS } from './stop-words.ts';

export interface AnalyzedWord {
  /** As typed (lowercase), or as corrected. */
  surface: string;
  /** For a part of a CamelCase word ("loop" of CrashLoopBackOff), the whole word as typed (lowercase). */
  whole?: string;
  stem: string;
  /** A stop word: no term of its own, though it may complete a phrase. */
  stop: boolean;
  /** Concept ids (`@http-5xx`) of the jargon phrases this word is part of. */
  concepts: string[];
  /** The most words of a jargon phrase this word is part of ("could not connect": 3), 0 when none. */
  phrase: number;
}

/** `correct` gets each word and may return the vocabulary word it was meant to be. */
export function analyzeText(text: string, correct?: (word: string) => string | undefined): AnalyzedWord[] {
  const words = splitWords(text);
  const surfaces = words.map(({ word }) => (correct && !STOP_WORDS.has(word) ? (correct(word) ?? word) : word));
  const stems = surfaces.map(stemWord);
  const concepts = findConcepts(stems);
  return surfaces.map((surface, i) => ({
    surface,
    ...(words[i]!.whole !== undefined && { whole: words[i]!.whole }),
    stem: stems[i]!,
    stop: STOP_WORDS.has(surface) || STOP_WORDS.has(stems[i]!) || isQuantity(surface),
    concepts: concepts[i]!.concepts,
    phrase: concepts[i]!.phrase,
  }));
}

/**
 * A measurement or a small count ("200ms", "4s", "10x", "20", "3"), which says how bad, not what:
 * codes stay words (504, 137, 53300, 40p01, and 502s, the plural of 502).
 */
function isQuantity(word: string): boolean {
  if (/^\d{1,2}$/.test(word)) return true;
  if (/^[45]\d\ds$/.test(word)) return false;
  return /^\d+(\.\d+)?(ms|s|sec|secs|m|min|mins|h|hr|hrs|d|x|k|kb|mb|gb|tb|ki|mi|gi|ti|kib|mib|gib|rps|qps)$/.test(word);
}
