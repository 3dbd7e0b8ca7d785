// The window/level panel's histogram: the volume's grey values (log counts), the window shown as
// black … white, each class's painted voxels as a line in its colour, and the thresholds between
// classes that the strokes imply (where a split by grey value alone would fall).
import { useEffect, useState } from 'react';
import type { GreyHistograms } from '../../../shared/api';
import type { VolumeInfo } from '../../../shared/volume';
import { useServices } from '../api/ClientContext';
import { formatLevel } from '../lib/format';
import { useSegmentation } from '../store/segmentation';
import { useViewer } from '../store/viewer';

const WIDTH = 256;
const REFRESH_MS = 400;
const HEIGHT = 64;

export function Histogram({ volume }: { volume: VolumeInfo }) {
  const { client } = useServices();
  const labelled = useSegmentation((state) => state.labelled);
  const classes = useSegmentation((state) => state.classes);
  const { window, level } = useViewer((state) => state.windowLevel);
  const [histograms, setHistograms] = useState<GreyHistograms | null>(null);
  useEffect(() => {
    let live = true;
    // once painting pauses, not after every stroke of a quick series
    const timer = setTimeout(() => {
      client.api.readHistograms({ volumeId: volume.id, bins: 128 }).then(
        (result) => live && setHistograms(result),
        () => undefined, // a picture, not worth an error
      );
    }, REFRESH_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [client, volume.id, labelled]);
  if (!histograms) return null;
  const { low, high, counts } = histograms.volume;
  const x = (value: number): number => ((value - low) / (high - low)) * WIDTH;
  const barWidth = WIDTH / counts.length;
  const top = Math.log1p(Math.max(...counts));
  const nameOf = (id: number): string => classes.find((c) => c.id === id)?.name ?? `class ${id}`;
  const colourOf = (id: number): string => classes.find((c) => c.id === id)?.colour ?? '#ffffff';
  return (
    <div className="histogram" data-testid="histogram" data-bins={counts.length}>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        role="img"
        aria-label="Histogram of grey values"
      >
        <rect
          className="histogram-window"
          x={x(level - window / 2)}
          width={(window / (high - low)) * WIDTH}
          y={0}
          height={HEIGHT}
        />
        {counts.map((n, b) => {
          const h = (Math.log1p(n) / top) * HEIGHT;
          return <rect key={b} className="histogram-bar" x={b * barWidth} y={HEIGHT - h} width={barWidth} height={h} />;
        })}
        {histograms.classes.map(({ id, histogram }) => {
          const most = Math.max(...histogram.counts);
          if (most === 0) return null;
          const points = histogram.counts
            .map((n, b) => `${(b + 0.5) * barWidth},${HEIGHT - (n / most) * (HEIGHT - 4)}`)
            .join(' ');
          return (
            <polyline
              key={id}
              points={points}
              fill="none"
              stroke={colourOf(id)}
              strokeWidth={1.5}
              vectorEffect="non-scaling-stroke"
            />
          );
        })}
        {histograms.thresholds.map((t) => (
          <line
            key={`${t.below}-${t.above}`}
            x1={x(t.value)}
            x2={x(t.value)}
            y1={0}
            y2={HEIGHT}
            className="histogram-threshold"
          />
        ))}
      </svg>
      <div className="histogram-axis muted">
        <span>{formatLevel(low, volume.dtype)}</span>
        <span>{formatLevel(high, volume.dtype)}</span>
      </div>
      {histograms.thresholds.map((t) => (
        <p className="hint" key={`${t.below}-${t.above}`} data-testid="threshold">
          {nameOf(t.below)} | {nameOf(t.above)} by grey value alone: ≈ {formatLevel(t.value, volume.dtype)} (
          {(t.misread * 100).toFixed(1)} % of their strokes on the wrong side)
        </p>
      ))}
    </div>
  );
}
