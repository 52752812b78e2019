// A light English stemmer for runbook search: enough to make "bouncing", "bounced" and "bounces"
// one word, and "connections", "connecting" and "connection" another. It is applied alike to the
// runbooks and to what the user types, so a stem only has to be consistent, never a real word.

/** The stem of one lowercase word; words with digits (`504s`, `5xx`, `40p01`) only lose a plural s. */
export function stemWord(word: string): string {
  if (/\d/.test(word)) return /^(\d+|\dxx)s$/.test(word) ? word.slice(0, -1) : word;
  const irregular = IRREGULAR.get(word);
  if (irregular) return irregular;
  if (word.length <= 3) return word;
  let s = word;
  if (s.endsWith('ies') && s.length > 4) s = `${s.slice(0, -3)}y`;
  else if (s.endsWith('sses')) s = s.slice(0, -2);
  // redis, status, ss: not plurals
  else if (s.endsWith('s') && !/(ss|us|is)$/.test(s)) s = s.slice(0, -1);
  if (s.endsWith('ing') && s.length > 5) s = undouble(s.slice(0, -3));
  else if (s.endsWith('ed') && s.length > 4) s = undouble(s.slice(0, -2));
  else if (s.endsWith('ly') && s.length > 5) s = s.slice(0, -2);
  // connection -> connect, session -> sess (region, version keep theirs)
  if (/(t|ss)ion$/.test(s) && s.length > 6) s = s.slice(0, -3);
  // take, taking and takes meet at tak
  if (s.endsWith('e') && s.length > 3) s = s.slice(0, -1);
  return s;
}

/** Past forms that share no stem with their verb: "the disk grew", "the pod died". */
const IRREGULAR = new Map(
  ['grew:grow', 'grown:grow', 'froze:freez', 'frozen:freez', 'hung:hang', 'broke:break', 'broken:break', 'died:di', 'dies:di',
    'dying:di', 'ran:run', 'took:tak', 'taken:tak', 'fell:fall', 'fallen:fall', 'sent:send', 'wrote:writ', 'written:writ',
    'stole:steal', 'shrank:shrink', 'went:go', 'gave:giv', 'given:giv', 'kept:keep', 'lost:los', 'left:leav', 'began:begin',
    'begun:begin', 'die:di', 'used:use']
    .map((pair) => pair.split(':') as [string, string]),
);

/** stopp -> stop, runn -> run; kill, pass and buzz keep their double letter. */
function undouble(s: string): string {
  return /([b-df-hj-km-rt-y])\1$/.test(s) ? s.slice(0, -1) : s;
}
