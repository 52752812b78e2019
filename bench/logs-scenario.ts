// Cluster contents for the /diag logs benchmark: one deployment whose pods each hold ~10 MB of
// logs in the window, mostly info lines, a few percent error lines of ~20 patterns whose numbers,
// UUIDs and addresses vary, and some stack traces. A handful of distinct log texts are shared by
// the pods (a string is not copied), so the fake server holds ~50 MB, not 500.
import type { FakeKubeApi } from '../test/support/fake-kube-api.ts';
import { DEFAULT_TEMPLATE_HASH, kubeDeployment, kubePod } from '../test/support/kube-objects.ts';

export interface LogsScenario {
  namespace: string;
  deployment: string;
  pods: number;
  bytesPerPod: number;
  linesPerPod: number;
  errorLinesPerPod: number;
}

/** A small deterministic generator (mulberry32): the same logs every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (r: () => number, n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
const uuid = (r: () => number) => `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-a${hex(r, 3)}-${hex(r, 12)}`;
const int = (r: () => number, max: number) => Math.floor(r() * max);
const ip = (r: () => number) => `10.${int(r, 256)}.${int(r, 256)}.${int(r, 256)}`;

const INFO: Array<(r: () => number) => string> = [
  (r) => `INFO  http GET /api/v1/orders/${int(r, 1e6)} 200 ${int(r, 900)}ms request_id=${uuid(r)}`,
  (r) => `INFO  http POST /api/v1/carts/${uuid(r)}/items 201 ${int(r, 400)}ms bytes=${int(r, 20000)}`,
  (r) => `INFO  cache hit key=product:${int(r, 1e5)} ttl=${int(r, 3600)}s shard=${int(r, 16)}`,
  (r) => `INFO  worker job=${uuid(r)} done in ${int(r, 5000)}ms queue=emails attempts=1`,
  (r) => `DEBUG db pool size=${int(r, 20)} idle=${int(r, 10)} waiting=0 host=${ip(r)}:5432`,
  (r) => `INFO  kafka consumer group=orders partition=${int(r, 12)} offset=${int(r, 1e9)} lag=${int(r, 50)}`,
];

// ~20 error patterns; the numbers, UUIDs and addresses vary from line to line.
const ERRORS: Array<(r: () => number) => string> = [
  (r) => `ERROR db query failed: timeout after ${int(r, 30000)}ms on ${ip(r)}:5432 (query_id=${uuid(r)})`,
  (r) => `ERROR upstream payments returned 502 for order ${int(r, 1e7)} after ${int(r, 9000)}ms`,
  (r) => `ERROR redis: connection refused dial tcp ${ip(r)}:6379`,
  (r) => `ERROR failed to publish event ${uuid(r)} to topic orders.v2: broker ${int(r, 6)} not available`,
  (r) => `ERROR invalid JSON in request ${uuid(r)}: unexpected token at position ${int(r, 4000)}`,
  (r) => `ERROR user ${int(r, 1e6)} not found while loading cart ${uuid(r)}`,
  (r) => `ERROR rate limited by api.stripe.example: retry after ${int(r, 60)}s (request ${uuid(r)})`,
  (r) => `ERROR s3 PutObject bucket=invoices key=inv-${int(r, 1e8)}.pdf: SlowDown`,
  (r) => `ERROR TLS handshake with ${ip(r)}:443 failed: certificate has expired`,
  (r) => `ERROR grpc inventory.Reserve deadline exceeded after ${int(r, 5000)}ms sku=${int(r, 1e5)}`,
  (r) => `level=error msg="lock wait timeout" table=orders row=${int(r, 1e7)} waited=${int(r, 50)}s`,
  (r) => `ERROR worker job=${uuid(r)} failed attempt ${int(r, 5) + 1}/5: context canceled`,
  (r) => `ERROR smtp send to user-${int(r, 1e6)}@example.com: 421 too many connections`,
  (r) => `ERROR dns lookup of svc-${int(r, 40)}.internal failed: i/o timeout`,
  (r) => `ERROR checksum mismatch for blob sha256:${hex(r, 64)}`,
  (r) => `ERROR kafka consumer partition=${int(r, 12)} offset=${int(r, 1e9)} deserialization failed`,
  (r) => `ERROR webhook delivery ${uuid(r)} to https://hooks.example/${hex(r, 10)} got 500`,
  (r) => `ERROR disk usage ${int(r, 10) + 90}% on /var/lib/app: writes may fail`,
  (r) => `ERROR pdf render of invoice ${int(r, 1e8)} took ${int(r, 60)}s, gave up`,
  (r) => `FATAL config reload failed: key feature.flags[${int(r, 30)}] is not a boolean`,
];

function stackTrace(r: () => number): string[] {
  return [
    `ERROR unhandled exception in request ${uuid(r)}: java.lang.NullPointerException: Cannot invoke "Order.getId()" because "order" is null`,
    `\tat com.example.orders.OrderService.place(OrderService.java:${int(r, 400)})`,
    `\tat com.example.orders.OrderController.post(OrderController.java:${int(r, 200)})`,
    `\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)`,
    '\tat java.base/java.lang.Thread.run(Thread.java:1583)',
  ];
}

/** ~`bytes` of log text: about `errorShare` of the lines errors, one error in 50 with a stack trace. */
export function generateLog(seed: number, bytes: number, errorShare = 0.03): { text: string; lines: number; errorLines: number } {
  const r = rng(seed);
  const out: string[] = [];
  let size = 0;
  let errorLines = 0;
  while (size < bytes) {
    let lines: string[];
    if (r() < errorShare) {
      errorLines++;
      lines = r() < 0.02 ? stackTrace(r) : [ERRORS[int(r, ERRORS.length)]!(r)];
    } else lines = [INFO[int(r, INFO.length)]!(r)];
    for (const l of lines) {
      out.push(l);
      size += l.length + 1;
    }
  }
  return { text: `${out.join('\n')}\n`, lines: out.length, errorLines };
}

/** One deployment of `pods` pods (container app), each with ~`bytesPerPod` of logs written just now. */
export function addLogsScenario(api: FakeKubeApi, o: { namespace: string; deployment: string; pods: number; bytesPerPod: number; variants?: number }): LogsScenario {
  const variants = Array.from({ length: o.variants ?? 5 }, (_, i) => generateLog(1000 + i, o.bytesPerPod));
  api.add(kubeDeployment({ namespace: o.namespace, name: o.deployment, replicas: o.pods }));
  for (let p = 0; p < o.pods; p++) {
    const name = `${o.deployment}-${DEFAULT_TEMPLATE_HASH}-${String(p).padStart(5, '0')}`;
    api.add(kubePod({ namespace: o.namespace, name, owner: { kind: 'Deployment', name: o.deployment }, createdAgoS: 3600 + p }));
    api.setLogs(o.namespace, name, 'app', { current: variants[p % variants.length]!.text });
  }
  const avg = (f: (v: (typeof variants)[number]) => number) => Math.round(variants.reduce((n, v) => n + f(v), 0) / variants.length);
  return { namespace: o.namespace, deployment: o.deployment, pods: o.pods, bytesPerPod: avg((v) => v.text.length), linesPerPod: avg((v) => v.lines), errorLinesPerPod: avg((v) => v.errorLines) };
}
