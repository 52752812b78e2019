// Runbooks are written in markdown; Slack speaks mrkdwn. Convert the few constructs that differ.
// Slack's alone: src/slack/render-message.ts is its one user (it belongs in src/slack/).

export function markdownToMrkdwn(markdown: string): string {
  const out: string[] = [];
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (line.trimStart().startsWith('```')) {
      inFence = !inFence;
      out.push('```');
      continue;
    }
    if (inFence) {
      out.push(line);
      continue;
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      out.push(`*${heading[1]!.replace(/\*\*/g, '')}*`);
      continue;
    }
    out.push(
      line
        .replace(/\*\*(.+?)\*\*/g, '*$1*')
        .replace(/\[([^\]]+)\]\((https?:[^)]+)\)/g, '<$2|$1>')
        .replace(/^(\s*)[-*]\s+/, '$1• '),
    );
  }
  return out.join('\n');
}
