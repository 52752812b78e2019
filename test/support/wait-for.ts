// Waiting in tests without tight timing: poll a condition, or sleep.

/** Polls until `fn` returns a truthy value, or throws after `timeoutMs`. */
export async function waitFor<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 10_000, what = 'condition', everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
