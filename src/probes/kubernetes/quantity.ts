// Kubernetes resource quantities as numbers: "256Mi", "1.5Gi", "500M", "250m" cpu, "123456n"
// nanocores from the metrics server, "1e3", "12E-3". The same grammar as apimachinery's
// resource.Quantity: a signed decimal, then a binary suffix (Ki..Ei), a decimal suffix
// (n, u, m, k, M, G, T, P, E) or an exponent (e/E and a signed integer).

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([eE][+-]?\d+)|(n|u|m|k|M|G|T|P|E)?)$/;

/**
 * The quantity as a plain number (bytes for memory, cores for cpu); undefined for text that is not
 * a quantity ("", "1 Gi", "12KB", "abc"), so a malformed spec is never read as zero. Every caller
 * reads an amount (a limit, a usage, what a node can allocate): a negative one, which the API
 * server refuses in specs, is no amount either (a broken server's -1Gi limit would read as 0 % used).
 */
export function parseQuantity(text: unknown): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : undefined;
  if (typeof text !== 'string') return undefined;
  const m = QUANTITY.exec(text.trim());
  if (!m) return undefined;
  const [, number, binary, exponent, decimal] = m;
  const base = Number(number);
  let value: number;
  if (binary) value = base * BINARY[binary]!;
  else if (exponent) value = base * 10 ** Number(exponent.slice(1));
  else value = base * DECIMAL[decimal ?? '']!;
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** "235.2Mi", "1.5Gi", "812Ki": bytes for a title, in the binary units limits are written in. */
export function formatMemory(bytes: number): string {
  const units: Array<[string, number]> = [['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]];
  for (const [unit, size] of units) {
    if (bytes >= size) return `${trim(bytes / size)}${unit}`;
  }
  return `${Math.round(bytes)}B`;
}

/** "250m", "1.5 cores": cpu as kubectl writes it. */
export function formatCpu(cores: number): string {
  return cores < 1 ? `${Math.round(cores * 1000)}m` : `${trim(cores)} ${cores === 1 ? 'core' : 'cores'}`;
}

function trim(n: number): string {
  return String(Math.round(n * 10) / 10);
}
