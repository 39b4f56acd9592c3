/**
 * Live updates: listens to the dispute's stream (Server-Sent Events, which reconnect by
 * themselves and resume from the last entry seen) and, when an entry the reader may see is
 * recorded, fetches this page again and swaps in its <main>, so counts, the whose-move board
 * and the timeline change without a reload. A form the reader has started to fill in is never
 * swapped away: a notice offers the refresh instead.
 */
const QUIET_MS = 150;

export function mount(el: HTMLElement, props: unknown): void {
  const { slug } = props as { slug: string };
  const main = document.getElementById("main");
  if (!main || typeof EventSource === "undefined") return;

  const status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  el.append(status);

  // A form the server refused holds what the reader typed: it counts as started.
  let dirty = main.querySelector("form[data-refused]") !== null;
  main.addEventListener("input", () => {
    dirty = true;
  });

  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let again = false;

  const refresh = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      const res = await fetch(location.href, {
        headers: { accept: "text/html" },
        credentials: "same-origin",
      });
      if (!res.ok) return;
      const doc = new DOMParser().parseFromString(await res.text(), "text/html");
      const fresh = doc.getElementById("main");
      if (!fresh) return;
      if (dirty) {
        offerReload(main);
        return;
      }
      main.replaceChildren(...Array.from(fresh.childNodes, (n) => document.importNode(n, true)));
      main.dispatchEvent(new CustomEvent("parley:content", { bubbles: true }));
      status.textContent = "New entries were recorded; this page has been updated.";
    } finally {
      running = false;
      if (again) {
        again = false;
        void refresh();
      }
    }
  };

  const source = new EventSource(`/api/v1/disputes/${encodeURIComponent(slug)}/stream`);
  source.addEventListener("entry", () => {
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), QUIET_MS);
  });
  document.documentElement.dataset.live = "connected";
  source.addEventListener("open", () => {
    document.documentElement.dataset.live = "open";
  });
}

function offerReload(main: HTMLElement): void {
  if (document.getElementById("live-reload")) return;
  const note = document.createElement("p");
  note.id = "live-reload";
  note.className = "notice";
  note.setAttribute("role", "status");
  note.append("New entries were recorded. ");
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "Show them";
  button.addEventListener("click", () => location.reload());
  note.append(button);
  main.prepend(note);
}
