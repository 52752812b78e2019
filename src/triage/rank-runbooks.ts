// Picks the runbooks a symptom in plain words is about, offline, deterministic, and in a fraction of
// a millisecond for a few dozen runbooks: BM25F over the runbooks' fields (symptoms weigh most, then
// the title, the summary, the checks and their labels, the evidence, the manual steps and the body's
// headings), on stemmed, typo-corrected words plus the concepts of the jargon table
// (text/concept-table.ts), with a bonus for word pairs that appear together in one symptom line.
// Jargon outweighs other words (often names of services and tables), and words that only say
// something is wrong ("broken", "after the deploy") weigh little. The index is built once per
// runbooks array and kept as long as the array lives.
//
// The score is in 0..1 and means "how much of what the user said one runbook explains": half of it
// is the share of the symptom's weight (idf) that the best single symptom line covers, half the
// share BM25F finds across the whole runbook, and it is damped when what matched is little or
// common (one word such as "database" proves little). Typing one of a runbook's symptoms scores
// close to 1; a symptom with one ordinary word in common scores below 0.3.
import { PROBES } from '../probes/probe-registry.ts';
import type { Runbook } from '../runbooks/runbook.ts';
import type { RankedRunbook } from './triage-result.ts';
import { analyzeText, type AnalyzedWord } from './text/analyze-text.ts';
import { CONCEPT_WORDS } from './text/find-concepts.ts';
import { typoCorrector, type TypoCorrector } from './text/typo-corrector.ts';
import { VAGUE_WORDS } from './text/vague-words.ts';

/** Field weights: a word in a symptom line counts 1. */
const WEIGHTS = {
  symptoms: 1,
  title: 0.8,
  summary: 0.45,
  checks: 0.45,
  checkDescriptions: 0.12,
  evidence: 0.2,
  manual: 0.2,
  headings: 0.2,
} as const;
type Field = keyof typeof WEIGHTS;

/** BM25 term saturation and length normalization. */
const K1 = 1.2;
const B = 0.5;
/** The weight of a word no runbook uses: it still says the runbook does not explain all of the symptom. */
const UNKNOWN_WEIGHT = 1.5;
/** At most this much unknown weight in all: a pasted log's ids and hex must not drown its error line. */
const MAX_UNKNOWN_MASS = 6;
/** How much of a long message is read (its head and tail), and how many of its words may be typo-corrected. */
const MAX_CHARS = 4000;
const MAX_CORRECTIONS = 40;
/**
 * How much matched weight makes the match trustworthy: 1 - e^(-(mass/SPECIFICITY)^2), so one common
 * word ("database", "deploy") proves little and a rare one or a few together prove much.
 */
const SPECIFICITY = 2.5;
/** A concept shared with the runbook counts this much of the same word shared literally. */
const CONCEPT_CREDIT = 0.8;
/** The other kind of match (literal besides concept, or concept besides literal) adds this share. */
const LITERAL_BONUS = 0.25;
/**
 * Words of the jargon table weigh this much more than others: they name a symptom, where the other
 * words of a message are often names (a service called api-gateway, a table called leads).
 */
const JARGON_BOOST = 1.3;
/** And each word of a jargon phrase beyond the first adds this share. */
const PHRASE_BOOST = 0.15;
/** A word that only says something is wrong ("broken", "failing") weighs this share of its idf. */
const VAGUE_WEIGHT = 0.35;
/** A word of a jargon phrase found alone, without the phrase's concept ("clients" without "too many"). */
const PHRASE_WORD_CREDIT = 0.5;
/** A runbook below this is not a match at all. */
const MIN_SCORE = 0.05;
const DEFAULT_LIMIT = 5;

interface Line {
  keys: Set<string>;
  /** `stem stem` of neighbouring words (stop words skipped). */
  pairs: Set<string>;
  factor: number;
}

interface IndexedRunbook {
  id: string;
  /** key -> BM25F weighted, length-normalized term frequency */
  tf: Map<string, number>;
  /** The symptom lines and the title, each on its own. */
  lines: Line[];
}

interface RunbookIndex {
  runbooks: IndexedRunbook[];
  idf: Map<string, number>;
  correct: TypoCorrector;
}

const INDEXES = new WeakMap<readonly Runbook[], RunbookIndex>();

/**
 * The runbooks `symptom` is about, best first (at most `limit`, default 5), each with a score in
 * 0..1 and the symptom's words that matched. Nothing when no runbook really matches. `runbooks` is
 * indexed on its first use and treated as unchanging: loading runbooks again gives a new array.
 */
export function rankRunbooks(symptom: string, runbooks: readonly Runbook[], options: { limit?: number } = {}): RankedRunbook[] {
  const limit = options.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a whole number of runbooks, 0 or more; got ${limit}`);
  if (limit === 0 || runbooks.length === 0) return [];
  let index = INDEXES.get(runbooks);
  if (!index) {
    index = buildIndex(runbooks);
    INDEXES.set(runbooks, index);
  }
  // A pasted log or traceback: its head and its tail (where Python puts the exception) are read,
  // so the ranking stays fast whatever the size.
  const text = symptom.length > MAX_CHARS ? `${symptom.slice(0, MAX_CHARS / 2)}\n${symptom.slice(-MAX_CHARS / 2)}` : symptom;
  let corrections = 0;
  const correct = (word: string) => (corrections++ < MAX_CORRECTIONS ? index.correct(word) : undefined);
  const query = queryUnits(analyzeText(text, correct), index.idf);
  if (query.units.length === 0 || query.units.every((u) => u.keys.length === 0)) return [];
  const ranked = index.runbooks.map((rb) => scoreRunbook(rb, query, index.idf)).filter((r) => r.score >= MIN_SCORE);
  ranked.sort((a, b) => b.score - a.score || b.raw - a.raw || (a.runbook < b.runbook ? -1 : 1));
  return ranked.slice(0, limit).map(({ runbook, score, matched }) => ({ runbook, score, matched }));
}

interface QueryUnit {
  stem: string;
  /** The word's stem and its concepts, those that some runbook has. */
  keys: string[];
  /** keys[0] is the word's own stem (some runbook uses it); the rest are concepts. */
  literal: boolean;
  /** The word is part of a jargon phrase: its concept counts first, the word itself only on top. */
  inPhrase: boolean;
  /** JARGON_BOOST when the word is in the jargon table, VAGUE_WEIGHT for a vague word, else 1. */
  boost: number;
  weight: number;
}

interface Query {
  /** Every word, stop words included, for `matched`. */
  words: AnalyzedWord[];
  units: QueryUnit[];
  /** Neighbouring informative words, as `stem stem`. */
  pairs: string[];
  mass: number;
}

function queryUnits(words: AnalyzedWord[], idf: Map<string, number>): Query {
  const units: QueryUnit[] = [];
  const seen = new Set<string>();
  const informative = words.filter((w) => !w.stop);
  for (const w of informative) {
    if (seen.has(w.stem)) continue;
    seen.add(w.stem);
    const literal = idf.has(w.stem);
    const keys = [w.stem, ...w.concepts].filter((k) => idf.has(k));
    // a number no runbook knows is a count or an id ("200 connections"), not a code like 504 or 53300
    if (keys.length === 0 && /^\d+$/.test(w.stem)) continue;
    // "too many clients" says more than "clients": a longer phrase is a more specific symptom
    const jargon = keys.length > (literal ? 1 : 0);
    const boost = jargon ? JARGON_BOOST * (1 + PHRASE_BOOST * Math.max(0, w.phrase - 1)) : VAGUE_WORDS.has(w.surface) ? VAGUE_WEIGHT : 1;
    const weight = keys.length > 0 ? boost * Math.max(...keys.map((k) => idf.get(k)!)) : UNKNOWN_WEIGHT;
    units.push({ stem: w.stem, keys, literal, inPhrase: w.phrase > 1, boost, weight });
  }
  const pairs = informative.slice(1).map((w, i) => `${informative[i]!.stem} ${w.stem}`);
  const known = units.filter((u) => u.keys.length > 0).reduce((sum, u) => sum + u.weight, 0);
  const unknown = units.filter((u) => u.keys.length === 0).reduce((sum, u) => sum + u.weight, 0);
  return { words, units, pairs, mass: known + Math.min(unknown, MAX_UNKNOWN_MASS) };
}

function scoreRunbook(rb: IndexedRunbook, query: Query, idf: Map<string, number>): { runbook: string; score: number; raw: number; matched: string[] } {
  let covered = 0;
  let matchedMass = 0;
  const matchedStems = new Set<string>();
  const matchedConcepts = new Set<string>();
  const hits: QueryUnit[] = [];
  for (const unit of query.units) {
    const best = unitMatch(unit, (key) => {
      const x = rb.tf.get(key);
      return x === undefined ? 0 : Math.min(1.6, (x * (K1 + 1)) / (x + K1));
    }, idf);
    if (best > 0) {
      covered += best;
      matchedMass += Math.min(best, unit.weight);
      matchedStems.add(unit.stem);
      hits.push(unit);
      for (const key of unit.keys) if (key.startsWith('@') && rb.tf.has(key)) matchedConcepts.add(key);
    }
  }
  if (covered === 0) return { runbook: rb.id, score: 0, raw: 0, matched: [] };
  let bestLine = 0;
  let pairHits = 0;
  for (const line of rb.lines) {
    let sum = 0;
    for (const unit of hits) sum += unitMatch(unit, (key) => (line.keys.has(key) ? 1 : 0), idf);
    bestLine = Math.max(bestLine, (sum / query.mass) * line.factor);
  }
  for (const pair of query.pairs) if (rb.lines.some((l) => l.pairs.has(pair))) pairHits++;
  const bonus = query.pairs.length > 0 ? (0.1 * pairHits) / query.pairs.length : 0;
  const specific = 1 - Math.exp(-((matchedMass / SPECIFICITY) ** 2));
  const score = Math.min(1, (0.5 * bestLine + 0.5 * Math.min(1, covered / query.mass) + bonus) * specific);
  // Unclamped, for ties at 1: the runbook that says it more often and in stronger places goes first.
  const raw = (0.5 * bestLine + 0.5 * (covered / query.mass) + bonus) * specific;
  return { runbook: rb.id, score, raw, matched: matchedWords(query.words, matchedStems, matchedConcepts) };
}

/**
 * The words of the symptom that matched, in the user's order: informative words whose stem or
 * concept the runbook has, and the small words of a jargon phrase it has ("too many" of "too many
 * clients"). A part of a CamelCase word shows as the whole word (CrashLoopBackOff, not "loop").
 */
function matchedWords(words: readonly AnalyzedWord[], stems: ReadonlySet<string>, concepts: ReadonlySet<string>): string[] {
  const matched: string[] = [];
  for (const w of words) {
    const hit = w.stop ? w.phrase > 1 && w.concepts.some((c) => concepts.has(c)) : stems.has(w.stem);
    const shown = w.whole ?? w.surface;
    if (hit && !matched.includes(shown)) matched.push(shown);
  }
  return matched;
}

/**
 * How much of a word of the symptom a runbook (or one line) explains, given each key's strength
 * there: its own word counts fully, a concept it is part of a little less (the runbook says "502",
 * the user "bad gateway"), and the word itself on top of its concept breaks ties between runbooks
 * that share the concept. A word inside a jargon phrase is the other way round: "could not
 * connect" is about failing connections, and a runbook that only says "connection" a lot is not.
 */
function unitMatch(unit: QueryUnit, strength: (key: string) => number, idf: Map<string, number>): number {
  let literal = 0;
  let concept = 0;
  unit.keys.forEach((key, i) => {
    const s = strength(key);
    if (s === 0) return;
    if (i === 0 && unit.literal) literal = (unit.inPhrase ? PHRASE_WORD_CREDIT : 1) * idf.get(key)! * s;
    else concept = Math.max(concept, (unit.inPhrase ? 1 : CONCEPT_CREDIT) * idf.get(key)! * s);
  });
  return unit.boost * (literal >= concept ? literal + LITERAL_BONUS * concept : concept + LITERAL_BONUS * literal);
}

/** check id -> its label and description, from the probe definitions. */
function checkTexts(): Map<string, { label: string; description: string }> {
  const texts = new Map<string, { label: string; description: string }>();
  for (const kind of PROBES) for (const c of kind.checks) texts.set(`${kind.kind}.${c.name}`, { label: c.label, description: c.description });
  return texts;
}

const GENERIC_HEADINGS = /^(confirm|fix|prevent|escalate)$/i;

function buildIndex(runbooks: readonly Runbook[]): RunbookIndex {
  const checks = checkTexts();
  const surfaceCounts = new Map<string, number>();
  const fieldsOf = (rb: Runbook): Array<[Field, string[]]> => {
    const own = new Set(rb.checks);
    const headings = [...rb.body.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => m[1]!.trim()).filter((h) => !GENERIC_HEADINGS.test(h));
    return [
      ['symptoms', rb.symptoms],
      ['title', [rb.title, rb.id]],
      ['summary', [rb.summary]],
      ['checks', rb.checks.flatMap((c) => [c, checks.get(c)?.label ?? ''])],
      ['checkDescriptions', rb.checks.map((c) => checks.get(c)?.description ?? '')],
      ['evidence', rb.evidence.filter((e) => !own.has(e.check)).flatMap((e) => [e.check, checks.get(e.check)?.label ?? ''])],
      ['manual', rb.manual],
      ['headings', headings],
    ];
  };
  // Pass 1: every field's key counts and lines.
  const analyzed = runbooks.map((rb) => {
    const fields = new Map<Field, { counts: Map<string, number>; length: number }>();
    const lines: Line[] = [];
    for (const [field, texts] of fieldsOf(rb)) {
      const counts = new Map<string, number>();
      let length = 0;
      for (const text of texts) {
        const words = analyzeText(text);
        for (const w of words) surfaceCounts.set(w.surface, (surfaceCounts.get(w.surface) ?? 0) + 1);
        const keys = lineKeys(words);
        for (const key of keys.all) counts.set(key, (counts.get(key) ?? 0) + 1);
        length += keys.all.length;
        if (field === 'symptoms' || (field === 'title' && text === rb.title)) {
          lines.push({ keys: new Set(keys.all), pairs: keys.pairs, factor: 1 });
        }
      }
      fields.set(field, { counts, length });
    }
    return { id: rb.id, fields, lines };
  });
  const avgLength = new Map<Field, number>();
  for (const field of Object.keys(WEIGHTS) as Field[]) {
    const total = analyzed.reduce((sum, a) => sum + (a.fields.get(field)?.length ?? 0), 0);
    avgLength.set(field, Math.max(1, total / Math.max(1, analyzed.length)));
  }
  // Pass 2: BM25F weighted term frequencies and document frequencies.
  const df = new Map<string, number>();
  const indexed: IndexedRunbook[] = analyzed.map((a) => {
    const tf = new Map<string, number>();
    for (const [field, { counts, length }] of a.fields) {
      const norm = 1 - B + (B * length) / avgLength.get(field)!;
      for (const [key, n] of counts) tf.set(key, (tf.get(key) ?? 0) + (WEIGHTS[field] * n) / norm);
    }
    for (const key of tf.keys()) df.set(key, (df.get(key) ?? 0) + 1);
    return { id: a.id, tf, lines: a.lines };
  });
  const n = runbooks.length;
  const idf = new Map<string, number>();
  for (const [key, d] of df) idf.set(key, Math.log(1 + (n - d + 0.5) / (d + 0.5)));
  const known = new Map(surfaceCounts);
  for (const word of CONCEPT_WORDS) known.set(word, (known.get(word) ?? 0) + 1);
  const knownStems = new Set([...df.keys()].filter((k) => !k.startsWith('@')));
  return { runbooks: indexed, idf, correct: typoCorrector(known, knownStems) };
}

/** A line's keys (stems of its informative words, then its concepts once each) and word pairs. */
function lineKeys(words: AnalyzedWord[]): { all: string[]; pairs: Set<string> } {
  const informative = words.filter((w) => !w.stop);
  const concepts = new Set(words.flatMap((w) => w.concepts));
  const pairs = new Set(informative.slice(1).map((w, i) => `${informative[i]!.stem} ${w.stem}`));
  return { all: [...informative.map((w) => w.stem), ...concepts], pairs };
}
