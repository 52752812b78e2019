// Server-side trouble: a 5xx, an overloaded answer (503 "overloaded", 529), a completion that did
// not answer in time while the model list did, or a proxy's page instead of a completion. A
// warning naming the status and the request id; ok when every call answered without one.
import type { Finding } from '../../../report.ts';
import { formatMs } from '../../format.ts';
import { calls, finding, type CallFailure, type OpenaiCheckContext } from '../check-context.ts';
import { describeFailure } from '../describe-failure.ts';

export function checkServer(ctx: OpenaiCheckContext): Finding[] {
  const results = calls(ctx);
  const troubles = results.flatMap((r): CallFailure[] => {
    if (r.ok) return [];
    const f = r.failure;
    if (f.type === 'http' && f.status >= 500) return [f];
    // /models is connectivity's; a completion that hangs or comes back garbled while /models answered is the server's.
    if (f.call === 'POST /chat/completions' && ctx.models.ok && (f.type === 'timeout' || f.type === 'malformed')) return [f];
    return [];
  });
  if (troubles.length > 0) {
    const first = troubles[0]!;
    const overloaded = first.type === 'http' && (first.status === 529 || /overload/i.test(`${first.errorType ?? ''} ${first.code ?? ''} ${first.message}`));
    const what =
      first.type === 'http'
        ? `${overloaded ? 'Overloaded' : 'Server error'}: HTTP ${first.status} on ${first.call}${first.requestId ? ` (request id ${first.requestId})` : ''}`
        : first.type === 'timeout'
          ? `${first.call} did not answer within ${first.timeoutMs} ms, while GET /models did`
          : `${first.call} answered something other than the API's JSON`;
    return [
      finding('server', 'warn', what, {
        detail: troubles.map((f) => describeFailure(f)).join('\n'),
        fix: 'look at the provider\'s status page (status.openai.com for OpenAI, the Azure or OpenRouter status page otherwise) and run the probe again: a single 5xx is usually transient. While it lasts, the applications should retry a few times with backoff, keep their own timeouts short, and degrade gracefully (a cached or simpler answer, a queue, another model or provider). Quote the request id when you open a support ticket.',
        ...(first.type === 'http' && { metrics: { status: first.status } }),
      }),
    ];
  }
  const answered = results.flatMap((r) => (r.ok ? [`${r.answer.call} ${r.answer.status} in ${formatMs(r.answer.ms)}`] : r.failure.type === 'http' ? [`${r.failure.call} ${r.failure.status}`] : []));
  if (answered.length < results.length) {
    const why = results.map((r) => (r.ok || r.failure.type === 'http' ? '' : describeFailure(r.failure, 100))).filter(Boolean).join('; ');
    return [finding('server', 'unknown', `Server errors: could not check (${why})`)];
  }
  return [finding('server', 'ok', `No server errors: ${answered.join(', ')}`)];
}
