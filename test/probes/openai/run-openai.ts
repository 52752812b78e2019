// Runs the openai kind the way the bot does (thresholds resolved, a fresh signal, a state store)
// against a local OpenAI-compatible server, and checks that the key is in no finding.
import { expect } from 'vitest';
import type { Finding } from '../../../src/report.ts';
import { openaiKind, type OpenaiTarget } from '../../../src/probes/openai/openai-kind.ts';
import { resolveThresholds, type Thresholds } from '../../../src/probes/probe-definition.ts';
import { runKindChecks } from '../../../src/probes/run-kind-checks.ts';
import { MemoryProbeStateStore, type ProbeState } from '../../../src/probes/probe-state.ts';
import { silentLogger } from '../../../src/logger.ts';
import { TEST_KEY, type FakeOpenAI } from './fake-openai.ts';

export interface Options {
  timeoutMs?: number;
  thresholds?: Record<string, Partial<Thresholds>>;
  state?: ProbeState;
  signal?: AbortSignal;
}

export function targetOf(keys: Partial<Omit<OpenaiTarget, 'name' | 'kind' | 'timeoutMs' | 'thresholds'>>, options: Options = {}): OpenaiTarget {
  return {
    apiKey: TEST_KEY,
    url: 'https://api.openai.com/v1',
    ...keys,
    name: 'ai',
    kind: 'openai',
    timeoutMs: options.timeoutMs ?? 3_000,
    thresholds: resolveThresholds(openaiKind, options.thresholds),
  };
}

export async function run(fake: FakeOpenAI, keys: Partial<OpenaiTarget> = {}, options: Options = {}): Promise<Finding[]> {
  const target = targetOf({ url: fake.url, ...keys }, options);
  const findings = await runKindChecks(openaiKind, target, {
    signal: options.signal ?? new AbortController().signal,
    log: silentLogger(),
    state: options.state ?? new MemoryProbeStateStore().forTarget('ai'),
  });
  // Whatever happened, the key is in no finding.
  expect(JSON.stringify(findings)).not.toContain(target.apiKey);
  return findings;
}
