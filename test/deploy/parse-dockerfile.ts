// A Dockerfile read the way the builder reads it: comments and blank lines dropped, `\` line
// continuations joined, each instruction split into its keyword, its --flags and its arguments,
// and grouped into build stages (each starting at a FROM).

export interface Instruction {
  keyword: string;
  /** --name=value flags before the arguments (COPY --chown=0:0, FROM --platform=...). */
  flags: Record<string, string>;
  /** The rest of the line, flags removed. */
  args: string;
  /** The arguments as a JSON array when written in exec form (["node", "x"]), else undefined. */
  exec?: string[];
  line: number;
}

export interface Stage {
  /** The image of the FROM line. */
  image: string;
  /** The `AS name` of the FROM line, if any. */
  name?: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const lines = text.split('\n');
  const instructions: Instruction[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      i++;
      const next = lines[i]!.trim();
      // A comment inside a continuation is dropped and the continuation goes on.
      if (next.startsWith('#')) continue;
      line = line.slice(0, -1).trimEnd() + ' ' + next;
    }
    const match = /^(\S+)\s*(.*)$/.exec(line)!;
    let rest = match[2]!;
    const flags: Record<string, string> = {};
    for (let flag = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest); flag; flag = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest)) {
      flags[flag[1]!] = flag[2] ?? '';
      rest = rest.slice(flag[0].length);
    }
    let exec: string[] | undefined;
    if (rest.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(rest);
        if (Array.isArray(parsed) && parsed.every((a) => typeof a === 'string')) exec = parsed;
      } catch {
        // Not valid JSON: Docker runs it in shell form, and so does this reading.
      }
    }
    instructions.push({ keyword: match[1]!.toUpperCase(), flags, args: rest, ...(exec && { exec }), line: start });
  }
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image, as, name] = instruction.args.split(/\s+/);
      stages.push({ image: image!, ...(as?.toUpperCase() === 'AS' && name && { name }), instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1)!.instructions.push(instruction);
    } else if (instruction.keyword !== 'ARG') {
      throw new Error(`line ${instruction.line}: ${instruction.keyword} before the first FROM (only ARG may come first)`);
    }
  }
  return stages;
}

/** KEY=value pairs of an ENV (or ARG) instruction; `ENV KEY value` (the old form) gives one pair. */
export function envPairs(instruction: Instruction): Array<[string, string]> {
  const { args } = instruction;
  if (!/^[\w.-]+=/.test(args)) {
    const [key, ...value] = args.split(/\s+/);
    return [[key!, value.join(' ')]];
  }
  return [...args.matchAll(/([\w.-]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g)].map((m) => [m[1]!, m[2]!.replace(/^["']|["']$/g, '')]);
}
