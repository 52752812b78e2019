// Waiting with a bound: the probe never waits longer than its budget for a server, a state store
// or its own checks.

/** The promise's value, or undefined when the time runs out or the signal aborts first. */
export async function untilDeadline<T>(promise: Promise<T>, ms: number, signal: AbortSignal | undefined): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
    if (signal) {
      onAbort = () => resolve(undefined);
      if (signal.aborted) resolve(undefined);
      else signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  try {
    return await Promise.race([promise, stop]);
  } finally {
    clearTimeout(timer);
    if (signal && onAbort) signal.removeEventListener('abort', onAbort);
  }
}
