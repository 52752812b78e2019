// How many ladder timers an engine fires at once. Each firing holds one state-store connection
// for its transaction (claim, compute, write, commit: no network call inside), so the store's
// pool is sized from this number plus room for everything else (src/store/open-store.ts).
export const TIMER_WORKERS = 4;
