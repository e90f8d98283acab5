import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkJsonTemplate,
  checkTemplate,
  lookup,
  MissingPlaceholderError,
  renderJson,
  renderText,
  renderUrl,
  TemplateRenderError,
} from '../../../src/destinations/templates';

const context = {
  event: {
    id: 'evt-1',
    name: 'pointsIssued',
    customer: { id: '381', identifiers: { mobile: '919876543210' } },
    properties: {
      totalPointsIssued: 25,
      loyaltyProgramId: 1017,
      firstPurchase: false,
      till: { code: 'till-7', name: 'Till 7' },
      items: [{ sku: 'SKU-1' }, { sku: 'SKU-2' }],
      note: null,
    },
  },
  enrichment: { pointsBalance: { totalPoints: 1250 } },
  destination: { name: 'crm' },
};

describe('checkTemplate', () => {
  it('accepts paths under the known roots', () => {
    assert.deepEqual(
      checkTemplate('Hi {{ event.customer.id }} / {{enrichment.pointsBalance.totalPoints}} {{ event.properties.items[0].sku }}'),
      [],
    );
  });

  it('refuses a placeholder that is not a path', () => {
    const problems = checkTemplate('{{ event.customer.id + 1 }}');
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /is not a path/);
  });

  it('refuses an unknown root', () => {
    const problems = checkTemplate('{{ process.env.SECRET }}');
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /must start with one of: event, enrichment, destination/);
  });

  for (const template of ['{{ event.id', 'event.id }}', '{{ event.id }} }}', '{{ {{ event.id }}']) {
    it(`reports unbalanced braces in ${JSON.stringify(template)}`, () => {
      assert.ok(
        checkTemplate(template).some((p) => /unbalanced/.test(p)),
        `no unbalanced-brace problem for ${template}`,
      );
    });
  }

  it('reports problems of a JSON template with their paths', () => {
    assert.deepEqual(checkJsonTemplate({ a: ['ok', '{{ nope.x }}'], b: { c: '{{ event.id' } }), [
      { path: 'body.a[1]', message: 'placeholder {{ nope.x }} must start with one of: event, enrichment, destination' },
      { path: 'body.b.c', message: 'unbalanced "{{" or "}}"' },
    ]);
  });
});

describe('renderJson', () => {
  it('keeps the JSON type of a value that fills a whole string', () => {
    const out = renderJson(
      {
        points: '{{ event.properties.totalPointsIssued }}',
        first: '{{event.properties.firstPurchase}}',
        till: '{{ event.properties.till }}',
        note: '{{ event.properties.note }}',
        items: ['{{ event.properties.items[1] }}'],
      },
      context,
    );
    assert.deepEqual(out, {
      points: 25,
      first: false,
      till: { code: 'till-7', name: 'Till 7' },
      note: null,
      items: [{ sku: 'SKU-2' }],
    });
  });

  it('interpolates into strings', () => {
    const out = renderJson(
      {
        text: 'Customer {{ event.customer.id }} earned {{ event.properties.totalPointsIssued }} points ({{ event.properties.firstPurchase }})',
      },
      context,
    );
    assert.deepEqual(out, { text: 'Customer 381 earned 25 points (false)' });
  });

  it('leaves non-string values and keys as they are', () => {
    assert.deepEqual(renderJson({ n: 1, b: true, z: null, '{{ event.id }}': 'x' }, context), {
      n: 1,
      b: true,
      z: null,
      '{{ event.id }}': 'x',
    });
  });

  const attacks = [
    '","admin":true,"x":"',
    '"}, "admin": true, {"',
    '{{ event.id }}',
    'line1\nline2\r\n"admin":true',
    '\\","admin":true}',
    '}}{{',
    '</script><script>alert(1)</script>',
    '\u2028\u2029\u0000',
  ];
  for (const value of attacks) {
    it(`renders an injection attempt harmlessly: ${JSON.stringify(value)}`, () => {
      const ctx = { event: { name: value } };
      const out = JSON.parse(
        JSON.stringify(renderJson({ greeting: 'Hello {{ event.name }}!', whole: '{{ event.name }}', role: 'user' }, ctx)),
      ) as Record<string, unknown>;
      assert.deepEqual(Object.keys(out).sort(), ['greeting', 'role', 'whole']);
      assert.equal(out.greeting, `Hello ${value}!`);
      assert.equal(out.whole, value);
      assert.equal(out.role, 'user');
    });
  }

  it('does not turn a "__proto__" key in a template into a prototype', () => {
    const template = JSON.parse('{"__proto__": {"admin": true}, "a": "{{ event.id }}"}') as unknown;
    const out = renderJson(template, context) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.equal((out as { admin?: unknown }).admin, undefined);
    assert.equal(JSON.stringify(out), '{"__proto__":{"admin":true},"a":"evt-1"}');
  });

  it('throws MissingPlaceholderError naming the placeholder', () => {
    assert.throws(
      () => renderJson({ a: 'x {{ event.properties.missing }}' }, context),
      (e: unknown) => {
        assert.ok(e instanceof MissingPlaceholderError);
        assert.ok(e instanceof TemplateRenderError);
        assert.equal(e.placeholder, 'event.properties.missing');
        assert.match(e.message, /event\.properties\.missing/);
        return true;
      },
    );
    assert.throws(() => renderJson('{{ event.properties.items[5] }}', context), MissingPlaceholderError);
  });
});

describe('renderText and renderUrl', () => {
  it('renders null as empty text and objects as JSON', () => {
    assert.equal(renderText('[{{ event.properties.note }}] {{ event.properties.till }}', context), '[] {"code":"till-7","name":"Till 7"}');
  });

  it('percent-encodes every value in a URL', () => {
    const ctx = { event: { customer: { id: 'a b/c?d=1&e#f' } } };
    assert.equal(
      renderUrl('https://hooks.example.com/c/{{ event.customer.id }}?x=1', ctx),
      'https://hooks.example.com/c/a%20b%2Fc%3Fd%3D1%26e%23f?x=1',
    );
  });

  it('throws TemplateRenderError (not URIError) for a value that cannot be percent-encoded: a lone surrogate', () => {
    const ctx = { event: { customer: { id: 'a\ud800b' } } };
    assert.throws(
      () => renderUrl('https://x.example/c/{{ event.customer.id }}', ctx),
      (e: unknown) => {
        assert.ok(e instanceof TemplateRenderError, `got ${String(e)}`);
        assert.match(e.message, /event\.customer\.id/);
        return true;
      },
    );
  });

  it('throws MissingPlaceholderError from a URL too', () => {
    assert.throws(() => renderUrl('https://x.example/{{ event.nope }}', context), {
      name: 'MissingPlaceholderError',
      placeholder: 'event.nope',
    });
  });
});

describe('lookup', () => {
  it('follows dotted paths and indexes', () => {
    assert.equal(lookup(context, 'event.properties.items[1].sku'), 'SKU-2');
    assert.equal(lookup(context, 'event.properties.items[9].sku'), undefined);
  });

  it('reaches own properties only', () => {
    assert.equal(lookup(context, 'event.__proto__'), undefined);
    assert.equal(lookup(context, 'event.constructor'), undefined);
    assert.equal(lookup(context, 'event.constructor.name'), undefined);
    assert.equal(lookup(context, 'event.name.length'), undefined);
    assert.equal(lookup(context, 'event.customer.toString'), undefined);
    assert.throws(() => renderText('{{ event.constructor.name }}', context), MissingPlaceholderError);
  });
});
