// Action parameters as an attacker would edit them into a button value: prototype member names,
// `__proto__` made an own property by JSON.parse, numbers at and beyond every bound, names that
// traverse paths. Each must be refused with the parameter, the value and what is accepted.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findAction, type ParamSpec } from '../src/actions/action-catalogue.ts';
import { K8S_CONTAINER, K8S_NAME, K8S_NAMESPACE } from '../src/probes/kubernetes/kubernetes-params.ts';
import { PG_IDENTIFIER, PG_PID } from '../src/probes/postgres/postgres-params.ts';
import { assertParams, invalidParam, invalidParams, ownEntry, show } from '../src/actions/validate-params.ts';
import { parseRunbookFile } from '../src/runbooks/load-runbooks.ts';

const paramsOf = (action: string) => findAction(action)!.params;
const cancel = paramsOf('postgres.cancel_query');
const deletePod = paramsOf('k8s.delete_pod');
const scale = paramsOf('k8s.scale');
const logs = paramsOf('k8s.logs');
const vacuum = paramsOf('postgres.vacuum_analyze');

describe('parameter names', () => {
  it('accepts exactly the declared names', () => {
    expect(invalidParams(cancel, { pid: 4242 })).toBeUndefined();
    expect(invalidParams(cancel, {})).toBe('missing parameter "pid" (a positive integer up to 2147483647 (a backend pid))');
  });

  it.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'])('refuses the Object.prototype member "%s" as an extra parameter', (name) => {
    expect(invalidParams(cancel, { pid: 4242, [name]: 'x' })).toBe(`unexpected parameter "${name}"; accepted: pid`);
  });

  it('refuses __proto__ made an own property by JSON.parse, and does not take the prototype it names', () => {
    const params: unknown = JSON.parse('{"pid": 4242, "__proto__": {"pid": 1}}');
    expect(Object.hasOwn(params as object, '__proto__')).toBe(true);
    expect(invalidParams(cancel, params)).toBe('unexpected parameter "__proto__"; accepted: pid');
    // Only __proto__: the declared pid must not be found through it.
    expect(invalidParams(cancel, JSON.parse('{"__proto__": {"pid": 4242}}'))).toBe('unexpected parameter "__proto__"; accepted: pid');
  });

  it('does not find a declared parameter on the prototype', () => {
    const inherited = Object.create({ pid: 4242 }) as object;
    expect(invalidParams(cancel, inherited)).toBe('parameters must be a plain object of names and values');
    const viaNullProto = Object.assign(Object.create(null) as object, { pid: 4242 });
    expect(invalidParams(cancel, viaNullProto)).toBeUndefined();
  });

  it('refuses parameters that are not a plain object of values', () => {
    expect(invalidParams(cancel, null)).toBe('parameters must be an object of names and values, got null');
    expect(invalidParams(cancel, [4242])).toBe('parameters must be an object of names and values, got a list');
    expect(invalidParams(cancel, '{"pid":1}')).toMatch(/^parameters must be an object of names and values, got "/);
    const getter = Object.defineProperty({}, 'pid', { get: () => 4242, enumerable: true });
    expect(invalidParams(cancel, getter)).toBe('parameter "pid" must be a plain value');
    expect(invalidParams(cancel, { pid: 1, [Symbol('x')]: 1 })).toBe('unexpected parameter Symbol(x); accepted: pid');
  });

  it('names every accepted parameter when one is unexpected', () => {
    expect(invalidParams(deletePod, { namespace: 'shop', pod: 'a', container: 'x' })).toBe('unexpected parameter "container"; accepted: namespace, pod');
  });

  it('an own-property lookup never returns a prototype member', () => {
    const record: Record<string, number> = { a: 1 };
    expect(ownEntry(record, 'a')).toBe(1);
    for (const key of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) expect(ownEntry(record, key)).toBeUndefined();
  });
});

describe('numbers', () => {
  it.each([
    ['NaN', Number.NaN, 'NaN'],
    ['Infinity', Number.POSITIVE_INFINITY, 'Infinity'],
    ['1e309 (Infinity after JSON.parse)', JSON.parse('1e309') as number, 'Infinity'],
    ['-Infinity', Number.NEGATIVE_INFINITY, '-Infinity'],
    ['-0', -0, '-0'],
    ['2^53-1', Number.MAX_SAFE_INTEGER, '9007199254740991'],
    ['2^53', 2 ** 53, '9007199254740992'],
    ['2^31', 2 ** 31, '2147483648'],
    ['0', 0, '0'],
    ['-1', -1, '-1'],
    ['a fraction', 1.5, '1.5'],
    ['a numeric string', '4242', '"4242"'],
    ['true', true, 'true'],
    ['null', null, 'null'],
    ['an object', { valueOf: () => 4242 }, 'an object'],
  ])('refuses %s as a pid', (_name, value, shown) => {
    expect(invalidParams(cancel, { pid: value })).toBe(`parameter "pid" must be a positive integer up to 2147483647 (a backend pid), got ${shown}`);
  });

  it('accepts a pid at each bound', () => {
    expect(invalidParam('pid', PG_PID, 1)).toBeUndefined();
    expect(invalidParam('pid', PG_PID, 2_147_483_647)).toBeUndefined();
  });

  it.each([[5000], [101], [-1], [Number.MAX_SAFE_INTEGER], [0.5], [-0]])('refuses %s replicas for Scale (0 to 100)', (replicas) => {
    const problem = invalidParams(scale, { namespace: 'shop', workload: 'deployment', name: 'api', replicas });
    expect(problem).toMatch(/^parameter "replicas" must be a whole number from 0 to 100, got -?[\d.]+$/);
  });

  it('accepts Scale replicas from 0 to 100', () => {
    for (const replicas of [0, 1, 100]) expect(invalidParams(scale, { namespace: 'shop', workload: 'deployment', name: 'api', replicas })).toBeUndefined();
  });
});

describe('Kubernetes names', () => {
  const subdomain = 'a Kubernetes object name (DNS-1123 subdomain)';
  it.each([
    ['..', '".."'],
    ['.', '"."'],
    ['../..', '"../.."'],
    ['a/b', '"a/b"'],
    ['%2e%2e', '"%2e%2e"'],
    ['a..b', '"a..b"'],
    ['.a', '".a"'],
    ['a.', '"a."'],
    ['-a', '"-a"'],
    ['a-', '"a-"'],
    ['a.-b', '"a.-b"'],
    ['Api', '"Api"'],
    ['a b', '"a b"'],
    ['a\u0000b', '"a\\u0000b"'],
    ['a\nb', '"a\\nb"'],
    ['api\u202e', '"api\\u202e"'],
    ['', '""'],
    ['ａｐｉ', '"ａｐｉ"'],
  ])('refuses the pod name %j', (pod, shown) => {
    const problem = invalidParams(deletePod, { namespace: 'shop', pod });
    expect(problem).toContain(`parameter "pod" must be ${subdomain}`);
    expect(problem).toContain(`, got ${shown}`);
  });

  it('refuses a name of 254 characters and accepts one of 253', () => {
    const name253 = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    expect(invalidParam('pod', K8S_NAME, name253)).toBeUndefined();
    const problem = invalidParam('pod', K8S_NAME, `${name253}e`);
    expect(problem).toContain(`got "${'a'.repeat(40)}…" (254 characters)`);
  });

  it.each(['..', '.', 'a.b', 'A', 'a'.repeat(64), '-a', 'a_b', 'kube-system/x'])('refuses the namespace %j', (namespace) => {
    expect(invalidParams(deletePod, { namespace, pod: 'api-0' })).toMatch(/^parameter "namespace" must be a Kubernetes namespace name \(DNS-1123 label\): 1 to 63 lowercase letters, digits and "-", starting and ending with a letter or digit, got /);
  });

  it('accepts DNS-1123 names as Kubernetes makes them', () => {
    expect(invalidParam('namespace', K8S_NAMESPACE, 'a'.repeat(63))).toBeUndefined();
    expect(invalidParam('namespace', K8S_NAMESPACE, 'kube-system')).toBeUndefined();
    expect(invalidParam('namespace', K8S_NAMESPACE, '0')).toBeUndefined();
    for (const pod of ['api-gateway-5d4f8c7b9-x2x9z', 'web-0', 'a', 'node.example.com', '0-a.1-b']) expect(invalidParam('pod', K8S_NAME, pod), pod).toBeUndefined();
  });

  it('checks the Logs button\'s container as a label and previous as yes or no', () => {
    const ok = { namespace: 'shop', pod: 'worker-0', container: 'app', previous: 'yes' };
    expect(invalidParams(logs, ok)).toBeUndefined();
    expect(invalidParams(logs, { ...ok, container: 'app.v2' })).toMatch(/^parameter "container" must be a Kubernetes container name \(DNS-1123 label\)/);
    expect(invalidParams(logs, { ...ok, container: '..' })).toMatch(/^parameter "container" must be/);
    expect(invalidParam('container', K8S_CONTAINER, 'c'.repeat(64))).toContain('(64 characters)');
    expect(invalidParams(logs, { ...ok, previous: 'Yes' })).toBe('parameter "previous" must be yes or no, got "Yes"');
    expect(invalidParams(logs, { ...ok, previous: 'yes\u0000' })).toBe('parameter "previous" must be yes or no, got "yes\\u0000" (a NUL character)');
  });

  it('takes the workload kind from its enum exactly', () => {
    const restart = paramsOf('k8s.restart');
    const ok = { namespace: 'shop', workload: 'deployment', name: 'api', replicas: 3 };
    expect(invalidParams(restart, ok)).toBeUndefined();
    for (const workload of ['Deployment', 'deployment ', 'cronjob', 'constructor', 'deployments', '']) {
      expect(invalidParams(restart, { ...ok, workload })).toBe(`parameter "workload" must be one of deployment, statefulset, daemonset, got ${JSON.stringify(workload)}`);
    }
  });

  it('the executors\' own guard refuses before any request, whatever their caller checked', () => {
    expect(() => assertParams({ namespace: 'shop', pod: '..' }, { namespace: K8S_NAMESPACE, pod: K8S_NAME })).toThrow(/^nothing was sent: parameter "pod" must be a Kubernetes object name .*, got "\.\."$/);
    expect(() => assertParams({ pod: 'a' }, { namespace: K8S_NAMESPACE, pod: K8S_NAME })).toThrow('nothing was sent: missing parameter "namespace"');
    expect(() => assertParams(Object.create({ namespace: 'shop', pod: 'a' }), { namespace: K8S_NAMESPACE })).toThrow('missing parameter "namespace"');
    expect(() => assertParams({ namespace: 'shop', pod: 'a' }, { namespace: K8S_NAMESPACE, pod: K8S_NAME })).not.toThrow();
  });
});

describe('PostgreSQL identifiers', () => {
  const ok = { database: 'app', schema: 'public', table: 'orders' };
  it('accepts any name PostgreSQL keeps whole, quotes and spaces included', () => {
    expect(invalidParams(vacuum, ok)).toBeUndefined();
    expect(invalidParams(vacuum, { ...ok, table: 'Order "Lines"; DROP TABLE x' })).toBeUndefined();
    expect(invalidParam('table', PG_IDENTIFIER, 'é'.repeat(31))).toBeUndefined(); // 62 bytes
  });

  it('refuses names longer than 63 bytes, empty ones and NUL', () => {
    expect(invalidParams(vacuum, { ...ok, table: 't'.repeat(64) })).toBe(`parameter "table" must be a PostgreSQL identifier: 1 to 63 bytes, no NUL, got "${'t'.repeat(40)}…" (64 characters)`);
    expect(invalidParams(vacuum, { ...ok, schema: 'é'.repeat(32) })).toBe(`parameter "schema" must be a PostgreSQL identifier: 1 to 63 bytes, no NUL, got "${'é'.repeat(32)}" (64 bytes)`);
    expect(invalidParams(vacuum, { ...ok, database: '' })).toBe('parameter "database" must be a PostgreSQL identifier: 1 to 63 bytes, no NUL, got ""');
    expect(invalidParams(vacuum, { ...ok, table: 'a\u0000b' })).toBe('parameter "table" must be a PostgreSQL identifier: 1 to 63 bytes, no NUL, got "a\\u0000b" (a NUL character)');
  });
});

describe('how a bad value is shown', () => {
  it('cuts, escapes control, invisible and bidi characters, and masks secrets', () => {
    expect(show('a'.repeat(100))).toBe(`"${'a'.repeat(40)}…"`);
    expect(show('\u202eevil\u200b\u0007')).toBe('"\\u202eevil\\u200b\\u0007"');
    expect(show('x'.repeat(20_000))).toBe('a string of 20000 characters');
    const token = 'xoxb-1234567890-abcdefghij';
    expect(show(token)).not.toContain('1234567890');
    // Masked before it is cut: no prefix of the secret survives the cut either.
    expect(show(`${'a'.repeat(30)} Bearer abcdefghijklmnopqrstuvwxyz`)).not.toContain('abcdefgh');
  });

  it('names the parameter escaped when its name is hostile', () => {
    expect(invalidParams(cancel, { pid: 1, '<!channel>\u202e': 1 })).toBe('unexpected parameter "<!channel>\\u202e"; accepted: pid');
  });
});

describe('runbook remedies', () => {
  const runbook = (params: string) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'runbook-'));
    const file = path.join(dir, 'sample.md');
    writeFileSync(file, `---
id: sample
title: Sample
summary: A sample.
severity_hint: warn
symptoms: [slow]
remedies:
  - action: postgres.terminate_backend
    label: Terminate
    params: ${params}
---
## Confirm
`);
    return () => parseRunbookFile(file, new Set());
  };

  it('refuses a parameter named like a prototype member and values outside the declaration', () => {
    expect(runbook('{ constructor: 1 }')).toThrow(/remedies\.0\.params\.constructor: action postgres\.terminate_backend takes no parameter "constructor"; accepted: pid/);
    expect(runbook('{ toString: 1 }')).toThrow(/takes no parameter "toString"/);
    expect(runbook('{ pid: 0 }')).toThrow(/remedies\.0\.params\.pid: parameter "pid" must be a positive integer up to 2147483647 \(a backend pid\), got 0/);
    expect(runbook('{ pid: 9007199254740991 }')).toThrow(/got 9007199254740991/);
    expect(runbook('{ pid: 42 }')().remedies[0]!.params).toEqual({ pid: 42 });
  });
});

it('every declaration states what it accepts', () => {
  const specs: ParamSpec[] = [K8S_NAME, K8S_NAMESPACE, K8S_CONTAINER, PG_IDENTIFIER, PG_PID];
  for (const spec of specs) expect(spec.accepts.length).toBeGreaterThan(10);
});
