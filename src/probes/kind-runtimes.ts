// The runtimes of the kinds that have run in this process, each loaded on first use: a kind no
// target of which runs never loads its client library. Shutdown closes only what was loaded.
import type { KindDefinition, KindRuntime, TargetBase } from './probe-definition.ts';

/** By definition (not by kind name): each definition loads its own runtime. */
const loaded = new Map<object, Promise<KindRuntime<TargetBase, unknown>>>();

export const kindRuntimes = {
  load<T extends TargetBase, C>(kind: KindDefinition<T, C>): Promise<KindRuntime<T, C>> {
    let runtime = loaded.get(kind) as Promise<KindRuntime<T, C>> | undefined;
    if (!runtime) {
      runtime = kind.runtime();
      // A failed import is retried on the next run rather than remembered.
      runtime.catch(() => loaded.delete(kind));
      loaded.set(kind, runtime as unknown as Promise<KindRuntime<TargetBase, unknown>>);
    }
    return runtime;
  },

  /** Releases what loaded runtimes keep between runs (warm connections), at shutdown. */
  async closeAll(): Promise<void> {
    const runtimes = await Promise.allSettled(loaded.values());
    await Promise.all(runtimes.map((r) => (r.status === 'fulfilled' ? r.value.closeAll?.() : undefined)));
  },
};
