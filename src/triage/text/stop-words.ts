// Words that say nothing about which runbook fits: English function words and the filler of a chat
// message ("hey, anyone know why ... again?"). Negations and "down", "high", "low", "slow" stay out
// of this list on purpose: they carry the symptom. Phrases are found before these words are dropped,
// so "too many clients" and "no space left" still match their concepts.

export const STOP_WORDS: ReadonlySet<string> = new Set(
  `a about above after again against all already also am an and any anyone anything are around as at be
  because been before being below between both but by can cant could couldnt did didnt do does doesnt
  doing dont during each either else even ever every few for from further get gets getting got gotta had
  has have having he her here hers him his how i id if im in into is isnt it its itll itself ive just
  keep keeps kept know let lets like likely look looks lot lots made make makes many may maybe me might
  more most much must my myself need needs no nor not now of off ok okay on once only or other our ours
  out over own per pls please plz quite rather really right said same say says see seeing seem seems
  seen shall she should shouldnt show shows since so some someone something sometimes somehow still
  such than that thats the their theirs them then there theres these they theyre thing things think
  this those though through thru to today too under until up upon us very via was wasnt we were werent
  what whats when where whether which while who whom why will with within without wont would wouldnt
  yet you your yours yeah yep hey hi hello guys folks team anybody everyone help halp asap urgent again
  since lately currently suddenly randomly constantly issue issues problem problems happening happen
  happens happened going gone go goes went being seemingly right now today tonight morning etc
  nobody everybody somebody nothing everything half come comes came like literally basically anymore
  prod production staging stage dev env environment live thanks thank cheers tomorrow yesterday week`.split(/\s+/).filter(Boolean),
);
