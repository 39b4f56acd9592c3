import { render } from "preact";
import { useRef, useState } from "preact/hooks";

/**
 * Adds a slider over the dispute's life to the time-travel form: dragging shows the day it
 * would go to, letting go goes there; from the keyboard, the page follows once the arrows
 * pause. The date field and its button still work alone.
 */
interface Props {
  firstDate: string;
  today: string;
  asOf: string | null;
  path: string;
  /** The query parameter that carries the day ("as-of" on the public site, "asOf" in the workspace). */
  key: string;
}

const DAY_MS = 86_400_000;
const KEY_PAUSE_MS = 900;
const toDays = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY_MS;
const toDate = (days: number) => new Date(days * DAY_MS).toISOString().slice(0, 10);

function Slider(props: Props) {
  const first = toDays(props.firstDate);
  const last = toDays(props.today);
  const initial = toDays(props.asOf ?? props.today);
  const [day, setDay] = useState(initial);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const go = (d: number) => {
    const url = new URL(props.path, location.href);
    const here = new URL(location.href);
    for (const [k, v] of here.searchParams)
      if (k !== "asOf" && k !== "as-of" && k !== "after") url.searchParams.append(k, v);
    if (d < last) url.searchParams.set(props.key, toDate(d));
    location.assign(url.toString());
  };
  return (
    <div class="time-slider">
      <label for="as-of-slider">Dispute's life</label>
      <input
        id="as-of-slider"
        type="range"
        min={first}
        max={last}
        step={1}
        value={day}
        aria-valuetext={toDate(day)}
        aria-describedby="as-of-slider-hint"
        onInput={(e) => setDay(Number((e.target as HTMLInputElement).value))}
        onPointerUp={(e) => go(Number((e.target as HTMLInputElement).value))}
        onKeyUp={(e) => {
          // Arrow keys step a day at a time: go once the reader pauses, or at once on Enter.
          const value = Number((e.target as HTMLInputElement).value);
          clearTimeout(timer.current);
          if (e.key === "Enter") go(value);
          else if (value !== initial) timer.current = setTimeout(() => go(value), KEY_PAUSE_MS);
        }}
      />
      <span id="as-of-slider-hint" class="visually-hidden">
        Arrow keys move a day at a time; the page follows when you pause or press Enter.
      </span>
      <output for="as-of-slider">{day >= last ? "today" : toDate(day)}</output>
    </div>
  );
}

export function mount(el: HTMLElement, props: unknown): void {
  const box = document.createElement("div");
  el.append(box);
  render(<Slider {...(props as Props)} />, box);
}
