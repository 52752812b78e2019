// Time from sending the request to the last byte read (at most 64 KiB), as a client sees it.
import type { Finding } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { finding } from '../check-context.ts';
import type { HttpResult } from '../http-request.ts';
import { statusAbove } from '../probe-support.ts';
import { formatMs } from '../../format.ts';

export function checkLatency(res: HttpResult, t: Thresholds): Finding {
  const status = statusAbove(res.totalMs, t);
  const title = status === 'ok'
    ? `Latency ${formatMs(res.totalMs)}`
    : `Latency ${formatMs(res.totalMs)} (${status} at ${formatMs(status === 'crit' ? t.crit : t.warn)})`;
  return finding('latency', status, title, {
    detail: status === 'ok' ? undefined : `Headers after ${formatMs(res.headersMs)}, body (${res.bytes} bytes) after ${formatMs(res.totalMs)}.`,
    ...(status !== 'ok' && { fix: 'check the service\'s CPU, memory and dependencies (a slow database behind the health route), and compare with other instances.' }),
    metrics: { latency_ms: res.totalMs, headers_ms: res.headersMs, body_bytes: res.bytes },
  });
}
