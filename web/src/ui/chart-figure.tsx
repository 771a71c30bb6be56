/**
 * A chart with an accessible name and a "Show as table" alternative: the figure is named by its
 * title, the chart's SVG is hidden from screen readers (the table says the same, exactly), and the
 * toggle swaps the chart for the table for anyone who prefers numbers.
 */
import { useId, useState, type ReactNode } from 'react';
import './chart-figure.css';

export function ChartFigure({ title, description, chart, table }: { title: string; description?: ReactNode; chart: ReactNode; table: ReactNode }) {
  const [asTable, setAsTable] = useState(false);
  const id = useId();
  return (
    <figure className="card chart-figure" aria-labelledby={`${id}-title`} role="figure">
      <div className="chart-figure-head">
        <h2 id={`${id}-title`} className="chart-figure-title">{title}</h2>
        <button type="button" className="btn btn-link btn-small" onClick={() => setAsTable((v) => !v)}>
          {asTable ? 'Show as chart' : 'Show as table'}
          <span className="visually-hidden">: {title}</span>
        </button>
      </div>
      {description ? <figcaption className="muted small">{description}</figcaption> : null}
      {asTable ? (
        // Focusable: a wide table scrolls sideways, and keyboard users must be able to scroll it too.
        <div className="table-wrap" tabIndex={0} role="region" aria-label={`${title} (table)`}>{table}</div>
      ) : (
        <div className="chart-figure-plot" role="img" aria-label={`${title} (chart; use “Show as table” for the numbers)`}>
          {chart}
        </div>
      )}
    </figure>
  );
}
