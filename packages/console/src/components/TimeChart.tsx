import { Box, useComputedColorScheme, useMantineTheme } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useTimeZoneMode } from '../lib/preferences.ts';

export interface TimeChartSeries {
  label: string;
  /** One value per x; null leaves a gap. */
  values: (number | null)[];
  /** A Mantine color name (`indigo`, `red`…). */
  color: string;
  /** Formats a value for the legend and the y axis. */
  format?: (v: number) => string;
}

/**
 * A uPlot time chart sized to its container and following the color scheme. `sparkline` hides axes, legend and
 * cursor (for dashboard tiles). Import it only from lazy screens: uPlot stays out of the initial bundle.
 */
export function TimeChart({ x, series, height = 200, sparkline = false, label }: { x: number[]; series: TimeChartSeries[]; height?: number; sparkline?: boolean; label: string }) {
  const { ref: sizeRef, width } = useElementSize();
  const target = useRef<HTMLDivElement>(null);
  const theme = useMantineTheme();
  const scheme = useComputedColorScheme('light');
  const zone = useTimeZoneMode();
  // Rebuild only when what is drawn changes (callers may pass new but equal series objects on each render).
  const latest = useRef(series);
  latest.current = series;
  const signature = JSON.stringify([x, series.map((s) => [s.label, s.color, s.values])]);

  useEffect(() => {
    const el = target.current;
    if (!el || width <= 0) return;
    const series = latest.current;
    const axisColor = scheme === 'dark' ? theme.colors.dark[1] : theme.colors.gray[7];
    const gridColor = scheme === 'dark' ? theme.colors.dark[4] : theme.colors.gray[2];
    const shade = scheme === 'dark' ? 4 : 7;
    const fmt = series[0]?.format;
    const axis = { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1 } };
    const opts: uPlot.Options = {
      width: Math.floor(width),
      height,
      legend: { show: !sparkline },
      // Times in the zone chosen in Settings, like <Timestamp>.
      tzDate: zone === 'utc' ? (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC') : (ts) => new Date(ts * 1000),
      cursor: sparkline ? { show: false } : { drag: { x: false, y: false } },
      padding: sparkline ? [2, 0, 2, 0] : undefined,
      scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] } },
      axes: sparkline ? [{ show: false }, { show: false }] : [axis, { ...axis, size: 72, values: (_u, vals) => vals.map((v) => (fmt ? fmt(v) : String(v))) }],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: theme.colors[s.color]?.[shade] ?? s.color,
          fill: sparkline ? `${theme.colors[s.color]?.[shade] ?? s.color}22` : undefined,
          width: sparkline ? 1.5 : 2,
          spanGaps: sparkline,
          // A series with only a few values (a quiet window) shows them as dots.
          points: { show: s.values.filter((v) => v !== null).length < 3, size: 5 },
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : s.format ? s.format(v) : String(v)),
        })),
      ],
    };
    const plot = new uPlot(opts, [x, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    return () => plot.destroy();
  }, [signature, x, width, height, sparkline, scheme, theme, zone]);

  return (
    <Box ref={sizeRef} w="100%">
      <div ref={target} role="img" aria-label={label} data-chart={sparkline ? 'sparkline' : 'chart'} />
    </Box>
  );
}
