// The playground's event stream read as its page reads it: each frame's `data:` lines joined and
// parsed as JSON, in order. Comment frames (the keep-alive `: ping`) carry no data and are skipped.

export async function* serverSentEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<Record<string, unknown>> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = frame.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
      if (data) yield JSON.parse(data) as Record<string, unknown>;
    }
  }
}
