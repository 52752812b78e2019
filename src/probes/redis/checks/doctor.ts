// LATENCY DOCTOR and MEMORY DOCTOR: the server's own reading of its latency events and memory
// (fragmentation, big client buffers, peak vs now). Informational: the texts are attached, and
// the title says in a few words whether either reported something.
import type { Finding } from '../../../report.ts';
import { finding, type CheckContext } from '../check-context.ts';
import { describeCheckError } from '../classify-error.ts';

const MAX_TEXT = 1_500;

export async function checkDoctor(ctx: CheckContext): Promise<Finding[]> {
  const [latency, memory] = await Promise.all([doctor(ctx, 'LATENCY'), doctor(ctx, 'MEMORY')]);
  if (!latency.ok && !memory.ok) {
    return [finding('doctor', 'unknown', `Doctor: could not run LATENCY DOCTOR or MEMORY DOCTOR (${latency.reason})`)];
  }
  const parts = [`memory: ${memory.ok ? summarizeMemory(memory.text) : 'not available'}`, `latency: ${latency.ok ? summarizeLatency(latency.text) : 'not available'}`];
  const detail = [
    `MEMORY DOCTOR: ${memory.ok ? memory.text : memory.reason}`,
    `LATENCY DOCTOR: ${latency.ok ? latency.text : latency.reason}`,
  ].join('\n\n');
  return [finding('doctor', 'ok', `Doctor: ${parts.join('; ')}`, { detail })];
}

type DoctorText = { ok: true; text: string } | { ok: false; reason: string };

async function doctor(ctx: CheckContext, command: 'LATENCY' | 'MEMORY'): Promise<DoctorText> {
  try {
    const reply = await ctx.call(command, 'DOCTOR');
    const text = (Buffer.isBuffer(reply) ? reply.toString('utf8') : String(reply)).replace(/^txt:/, '').trim();
    return { ok: true, text: text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text };
  } catch (e) {
    return { ok: false, reason: describeCheckError(e, ctx.timeoutMs) };
  }
}

export function summarizeMemory(text: string): string {
  if (/can't find any memory issue|no memory issue/i.test(text)) return 'no issues';
  if (/empty or is using very little memory/i.test(text)) return 'too little data to judge';
  if (/detected a few issues|issues? in this Redis instance/i.test(text)) return 'issues reported (see detail)';
  return 'see detail';
}

export function summarizeLatency(text: string): string {
  if (/monitoring is disabled/i.test(text)) return 'monitoring off (latency-monitor-threshold 0)';
  if (/no latency spike was observed/i.test(text)) return 'no spikes recorded';
  if (/latency spikes? (were|was) observed|I have a few advices|here is my report/i.test(text)) return 'spikes reported (see detail)';
  return 'see detail';
}
