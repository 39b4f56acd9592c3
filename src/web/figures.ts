/**
 * Decimal figures as the pages write them, from their strings (never through a float). Its own
 * module, without the date formatting's time-zone library, so that the impact chart's browser
 * script can use it too.
 */

/** A decimal string with thousands separators, never through a float ("1234567.5" → "1,234,567.5"). */
export function formatDecimal(value: string): string {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(value);
  if (!m) return value;
  return `${m[1]}${m[2]!.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${m[3] ?? ""}`;
}

/** "4,000,000,000 USD", "-17%", "1,000–2,000 jobs": a figure as it reads. */
export function figureText(f: {
  value: string | null;
  low: string | null;
  high: string | null;
  unit: string;
}) {
  const unit = (n: string) => (f.unit === "%" ? `${n}%` : `${n} ${f.unit}`);
  const range = f.low !== null && f.high !== null ? `${formatDecimal(f.low)}–${formatDecimal(f.high)}` : null;
  if (f.value !== null)
    return range ? `${unit(formatDecimal(f.value))} (range ${range})` : unit(formatDecimal(f.value));
  return range ? unit(range) : unit("?");
}
