// Caps how many queries run at once. The cap drops to the number of connections already open when
// the server refuses another one (too many clients), so a nearly full server is still probed
// over the connections the probe managed to get.
export class ConcurrencyLimit {
  capacity: number;
  #active = 0;
  #waiting: Array<() => void> = [];

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  async acquire(): Promise<void> {
    if (this.#active < this.capacity) {
      this.#active++;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#active <= this.capacity ? this.#waiting.shift() : undefined;
    if (next) next();
    else this.#active--;
  }

  /** Lowers the cap; running queries finish, waiting ones start as slots free up. */
  shrink(capacity: number): void {
    this.capacity = Math.max(1, Math.min(this.capacity, capacity));
  }
}
