// Long text in parts that each fit a limit: a runbook's body, one part per Slack section.

/**
 * Splits text into chunks of at most `max` characters, preferring paragraph and line breaks and
 * never leaving a code fence open across chunks.
 */
export function splitText(text: string, max: number): string[] {
  const chunks: string[] = [];
  let current = '';
  const flush = () => {
    if (current.trim()) chunks.push(closeFence(current.trimEnd()));
    current = (current.match(/```/g)?.length ?? 0) % 2 === 1 ? '```\n' : '';
  };
  for (const line of text.split('\n')) {
    const piece = line.length > max - 8 ? `${line.slice(0, max - 9)}…` : line;
    if (current.length + piece.length + 1 > max - 4) flush();
    current += `${piece}\n`;
  }
  flush();
  return chunks;
}

function closeFence(chunk: string): string {
  return (chunk.match(/```/g)?.length ?? 0) % 2 === 1 ? `${chunk}\n\`\`\`` : chunk;
}
