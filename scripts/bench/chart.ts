/**
 * The PNG chart of a run: per second, how many requests completed in each series
 * (throughput) and their p50 / p95 latency — drawn by Vega-Lite to SVG, rasterised by resvg
 * (both install from the registry without install scripts; resvg ships prebuilt per platform).
 */
import { writeFileSync } from 'node:fs';
import type { Spec } from 'vega';
import type { Sample } from './samples';
import { perSecond } from './stats';

export async function writeChart(samples: Sample[], origin: number, file: string, title: string): Promise<void> {
  const rows: { t: number; series: string; perSecond: number; p50: number; p95: number }[] = [];
  for (const series of [...new Set(samples.map((s) => s.series))]) {
    for (const b of perSecond(
      samples.filter((s) => s.series === series),
      origin,
    )) {
      rows.push({ t: b.t, series, perSecond: b.count, p50: Math.max(1, b.p50 ?? 1), p95: Math.max(1, b.p95 ?? 1) });
    }
  }
  // vega-lite's types need moduleResolution node16+; this project uses node, so type the one call used.
  const vegaLiteName: string = 'vega-lite';
  const vegaLiteModule: unknown = await import(vegaLiteName);
  const vegaLite = vegaLiteModule as { compile(spec: unknown): { spec: Spec } };
  const vega = await import('vega');
  const { Resvg } = await import('@resvg/resvg-js');
  const x = { field: 't', type: 'quantitative', title: 'seconds since start' } as const;
  const color = { field: 'series', type: 'nominal', title: null } as const;
  const spec = vegaLite.compile({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: rows },
    vconcat: [
      {
        width: 900,
        height: 220,
        title: 'Throughput: completions per second',
        mark: { type: 'line', point: { size: 12 } },
        encoding: { x, y: { field: 'perSecond', type: 'quantitative', title: 'per second' }, color },
      },
      {
        width: 900,
        height: 220,
        title: 'Latency per second: p50 (solid), p95 (dashed), log scale',
        layer: [
          {
            mark: { type: 'line' },
            encoding: { x, y: { field: 'p50', type: 'quantitative', scale: { type: 'log' }, title: 'ms' }, color },
          },
          { mark: { type: 'line', strokeDash: [4, 3], opacity: 0.6 }, encoding: { x, y: { field: 'p95', type: 'quantitative' }, color } },
        ],
      },
    ],
    config: { font: 'DejaVu Sans' },
  }).spec;
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 1.5 }, font: { loadSystemFonts: true } })
    .render()
    .asPng();
  writeFileSync(file, png);
}
