/**
 * docs/grafana/loyalty-relay.json: every PromQL expression in it is lexed and checked (balanced
 * brackets, label matchers, known functions, defined variables), and every metric it names is
 * one the relay's registry exports — built as `npm start` builds it (receiver and worker in one
 * registry), with the `_bucket/_sum/_count` series of histograms — or one listed as external.
 * The dashboard's structure is checked against what Grafana's import needs: a title, a null id,
 * a valid uid, a datasource variable every panel and query refers to, panels that fit the grid.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createDeliveryMetrics, createMetrics, createRegistry } from '../../../src/telemetry/metrics';
import { registerOpsGauges } from '../../../src/telemetry/metrics-ops';

const FILE = join(__dirname, '..', '..', '..', 'docs', 'grafana', 'loyalty-relay.json');

/** Metrics the dashboard may use that the relay does not export (Temporal SDK or server). None today. */
const EXTERNAL_METRICS = new Set<string>([]);

/** Grafana's built-in variables usable in queries. */
const BUILTIN_VARIABLES = new Set(['__rate_interval', '__interval', '__range', '__range_s', '__interval_ms']);

const FUNCTIONS = new Set([
  // aggregation operators
  'sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'group',
  // functions
  'rate', 'irate', 'increase', 'delta', 'idelta', 'histogram_quantile', 'abs', 'clamp_min', 'clamp_max', 'vector', 'scalar',
  'time', 'sum_over_time', 'avg_over_time', 'max_over_time', 'min_over_time', 'label_replace', 'absent', 'round', 'sort', 'sort_desc',
]); // prettier-ignore
const GROUPING = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', ...GROUPING]);

interface Parsed {
  metrics: Set<string>;
  variables: Set<string>;
}

/**
 * A lexer-level PromQL check (not Prometheus's full grammar): strings, numbers, durations,
 * identifiers and operators; brackets balanced; `{…}` holds `label op "value"` matchers;
 * `[…]` a duration or a Grafana interval variable; `by (…)` a label list; an identifier before
 * `(` a known function; any other identifier a metric name.
 */
export function parsePromql(expr: string): Parsed {
  const metrics = new Set<string>();
  const variables = new Set<string>();
  const tokens: { kind: 'str' | 'num' | 'id' | 'var' | 'op'; text: string }[] = [];
  const re =
    /\s*(?:("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(\$\{?[A-Za-z_][A-Za-z0-9_]*\}?)|(\d+(?:\.\d+)?(?:ms|s|m|h|d|w|y)?)|([A-Za-z_:][A-Za-z0-9_:]*)|(=~|!~|!=|==|>=|<=|[-+*/%^(){}[\],=<>]))/y;
  let pos = 0;
  while (pos < expr.length) {
    if (/^\s*$/.test(expr.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(expr);
    if (!m) throw new Error(`cannot lex at ${pos}: ${expr.slice(pos, pos + 20)}`);
    pos = re.lastIndex;
    if (m[1] !== undefined) {
      tokens.push({ kind: 'str', text: m[1] });
      for (const v of m[1].matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) variables.add(v[1] ?? '');
    } else if (m[2] !== undefined) {
      const name = m[2].replace(/^\$\{?|\}$/g, '');
      variables.add(name);
      tokens.push({ kind: 'var', text: name });
    } else if (m[3] !== undefined) tokens.push({ kind: 'num', text: m[3] });
    else if (m[4] !== undefined) tokens.push({ kind: 'id', text: m[4] });
    else tokens.push({ kind: 'op', text: m[5] ?? '' });
  }

  const closing: Record<string, string> = { '(': ')', '{': '}', '[': ']' };
  const stack: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    if (t.kind === 'op' && t.text === '{') {
      // label matchers: label op "value" (, …)* }
      for (i++; ;) {
        const [label, op, value, sep] = [tokens[i], tokens[i + 1], tokens[i + 2], tokens[i + 3]];
        if (label?.kind === 'op' && label.text === '}') break;
        if (label?.kind !== 'id' || !['=', '!=', '=~', '!~'].includes(op?.text ?? '') || value?.kind !== 'str') {
          throw new Error(`bad label matcher in ${expr}`);
        }
        i += 3;
        if (sep?.text === ',') i++;
        else if (sep?.text !== '}') throw new Error(`label matchers not closed in ${expr}`);
      }
      continue;
    }
    if (t.kind === 'op' && t.text === '[') {
      const [range, close] = [tokens[i + 1], tokens[i + 2]];
      if (!(range?.kind === 'num' && /[a-z]$/.test(range.text)) && range?.kind !== 'var') throw new Error(`bad range in ${expr}`);
      if (close?.text !== ']') throw new Error(`range not closed in ${expr}`);
      i += 2;
      continue;
    }
    if (t.kind === 'id' && GROUPING.has(t.text)) {
      if (next?.text !== '(') continue; // group_left without labels
      let j = i + 2;
      while (tokens[j]?.kind === 'id' && (tokens[j + 1]?.text === ',' || tokens[j + 1]?.text === ')'))
        j += tokens[j + 1]?.text === ',' ? 2 : 1;
      if (tokens[j]?.text !== ')') throw new Error(`bad label list after ${t.text} in ${expr}`);
      i = j;
      continue;
    }
    if (t.kind === 'op' && t.text in closing) stack.push(closing[t.text]!);
    else if (t.kind === 'op' && [')', '}', ']'].includes(t.text)) {
      if (stack.pop() !== t.text) throw new Error(`unbalanced ${t.text} in ${expr}`);
    } else if (t.kind === 'id' && !KEYWORDS.has(t.text)) {
      // A function call, or an aggregation with its grouping first: `sum by (x) (…)`.
      if (next?.text === '(' || (next?.kind === 'id' && (next.text === 'by' || next.text === 'without'))) {
        if (!FUNCTIONS.has(t.text)) throw new Error(`unknown function ${t.text} in ${expr}`);
      } else metrics.add(t.text);
    }
  }
  if (stack.length > 0) throw new Error(`unclosed brackets in ${expr}`);
  if (tokens.length === 0) throw new Error('empty expression');
  return { metrics, variables };
}

/** Every series name the relay's registry exposes, as `npm start` builds it (one registry). */
async function exportedNames(): Promise<Set<string>> {
  const registry = createRegistry();
  createMetrics(registry);
  registerOpsGauges(createDeliveryMetrics(registry));
  const names = new Set<string>();
  for (const m of await registry.getMetricsAsJSON()) {
    names.add(m.name);
    if (String(m.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
    if (String(m.type) === 'summary') for (const s of ['_sum', '_count']) names.add(m.name + s);
  }
  return names;
}

interface Target {
  refId?: string;
  expr?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
}
interface Variable {
  name: string;
  type: string;
  query?: string | { query?: string };
  datasource?: { uid?: string };
}
interface Dashboard {
  id: null;
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
  __inputs?: unknown;
}

const dashboard = JSON.parse(readFileSync(FILE, 'utf8')) as Dashboard;
const expressions = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title ?? String(p.id), expr: t.expr ?? '' })));
const variableQueries = dashboard.templating.list
  .filter((v) => v.type === 'query')
  .map((v) => ({ panel: `variable ${v.name}`, expr: typeof v.query === 'string' ? v.query : (v.query?.query ?? '') }));

describe('the PromQL check', () => {
  it('finds metric names, not functions, labels or grouping labels', () => {
    const p = parsePromql(
      'histogram_quantile(0.95, sum by (destination, le) (rate(relay_x_bucket{destination=~"$destination"}[$__rate_interval])))',
    );
    assert.deepEqual([...p.metrics], ['relay_x_bucket']);
    assert.deepEqual([...p.variables].sort(), ['__rate_interval', 'destination']);
    assert.deepEqual([...parsePromql('sum(rate(a_total[5m])) / sum(rate(b_total[5m]))').metrics], ['a_total', 'b_total']);
  });

  for (const bad of ['sum(rate(a[5m])', 'rat(a[5m])', 'a{b="c"', 'a{b~"c"}', 'rate(a[five])', 'sum by (a b) (x)', '']) {
    it(`refuses ${JSON.stringify(bad)}`, () => assert.throws(() => parsePromql(bad)));
  }
});

describe('docs/grafana/loyalty-relay.json', () => {
  it('every query parses and names only metrics the relay exports (or listed external ones)', async () => {
    const exported = await exportedNames();
    const defined = new Set([...BUILTIN_VARIABLES, ...dashboard.templating.list.map((v) => v.name)]);
    assert.ok(expressions.length >= 10, 'the dashboard has its queries');
    for (const { panel, expr } of expressions) {
      const parsed = parsePromql(expr);
      assert.ok(parsed.metrics.size > 0, `${panel}: ${expr} names a metric`);
      for (const name of parsed.metrics) assert.ok(exported.has(name) || EXTERNAL_METRICS.has(name), `${panel}: ${name} is not exported`);
      for (const v of parsed.variables) assert.ok(defined.has(v), `${panel}: $${v} is not defined`);
    }
    for (const { panel, expr } of variableQueries) {
      const m = /^label_values\((\w+), *(\w+)\)$/.exec(expr);
      assert.ok(m, `${panel}: ${expr}`);
      assert.ok(exported.has(m[1] ?? ''), `${panel}: ${m[1]} is not exported`);
    }
  });

  it('shows every delivery metric the worker exports', async () => {
    const used = new Set(expressions.flatMap(({ expr }) => [...parsePromql(expr).metrics]));
    const registry = createRegistry();
    registerOpsGauges(createDeliveryMetrics(registry));
    for (const m of await registry.getMetricsAsJSON()) {
      if (!m.name.startsWith('relay_')) continue;
      const series = String(m.type) === 'histogram' ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name];
      assert.ok(
        series.some((s) => used.has(s)),
        `${m.name} has no panel`,
      );
    }
  });

  it('imports without edits: null id, a uid, and every datasource is the DS_PROMETHEUS variable', () => {
    assert.equal(dashboard.id, null, 'an id would make the import overwrite another dashboard');
    assert.match(dashboard.uid, /^[A-Za-z0-9_-]{1,40}$/);
    assert.ok(dashboard.title.length > 0);
    assert.ok(Number.isInteger(dashboard.schemaVersion) && dashboard.schemaVersion >= 36, 'uid datasource references need schema 36+');
    // No __inputs: nothing for the import dialog to fill in; file provisioning works as well.
    assert.equal(dashboard.__inputs, undefined);
    const ds = dashboard.templating.list.find((v) => v.name === 'DS_PROMETHEUS');
    assert.equal(ds?.type, 'datasource');
    assert.equal(ds.query, 'prometheus');
    const ref = { type: 'prometheus', uid: '${DS_PROMETHEUS}' };
    for (const p of dashboard.panels.filter((x) => x.type !== 'row')) {
      assert.deepEqual(p.datasource, ref, `${p.title} datasource`);
      assert.ok((p.targets ?? []).length > 0, `${p.title} has queries`);
      for (const t of p.targets ?? []) assert.deepEqual(t.datasource, ref, `${p.title} ${t.refId} datasource`);
      const refIds = (p.targets ?? []).map((t) => t.refId);
      assert.equal(new Set(refIds).size, refIds.length, `${p.title}: refIds unique`);
    }
    for (const v of dashboard.templating.list.filter((x) => x.type === 'query')) assert.equal(v.datasource?.uid, '${DS_PROMETHEUS}');
  });

  it('panels have unique ids and fit the 24-column grid without overlapping', () => {
    const ids = dashboard.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length);
    const boxes = dashboard.panels.map((p) => ({ title: p.title, ...p.gridPos }));
    for (const b of boxes) assert.ok(b.x >= 0 && b.w > 0 && b.h > 0 && b.x + b.w <= 24, `${b.title} fits`);
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) {
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        assert.ok(!overlap, `${a.title} overlaps ${b.title}`);
      }
    }
  });
});
