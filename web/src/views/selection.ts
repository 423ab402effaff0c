/**
 * Mouse selection over token elements (`.tok[data-i]`): press on a token and
 * drag to another, or click one, to select a token range; click an element
 * with `data-span` to act on that span. Snapping to token boundaries comes
 * free: only whole tokens can be under the pointer.
 */

export interface SelectionHandlers {
  onSelect(first: number, last: number): void;
  onSpanClick(index: number): void;
}

function tokenIndex(target: EventTarget | null, root: HTMLElement): number | null {
  const el = target instanceof Element ? target.closest<HTMLElement>(".tok[data-i]") : null;
  if (!el || !root.contains(el) || el.classList.contains("disabled")) return null;
  return Number(el.dataset.i);
}

function spanIndex(target: EventTarget | null, root: HTMLElement): number | null {
  const el = target instanceof Element ? target.closest<HTMLElement>("[data-span]") : null;
  return el && root.contains(el) ? Number(el.dataset.span) : null;
}

/** Wire selection on root; returns a function that removes the document listeners. */
export function tokenSelection(root: HTMLElement, handlers: SelectionHandlers): () => void {
  let anchor: number | null = null;
  let focus: number | null = null;
  let pressedSpan: number | null = null;

  const paint = (): void => {
    const lo = anchor === null || focus === null ? -1 : Math.min(anchor, focus);
    const hi = anchor === null || focus === null ? -2 : Math.max(anchor, focus);
    root.querySelectorAll<HTMLElement>(".tok[data-i]").forEach((el) => {
      const i = Number(el.dataset.i);
      el.classList.toggle("sel", i >= lo && i <= hi);
    });
  };

  const down = (e: MouseEvent): void => {
    if (e.button !== 0) return;
    const span = spanIndex(e.target, root);
    if (span !== null) {
      pressedSpan = span;
      e.preventDefault();
      return;
    }
    const i = tokenIndex(e.target, root);
    if (i === null) return;
    anchor = focus = i;
    e.preventDefault(); // no native text selection while dragging
    paint();
  };

  const move = (e: MouseEvent): void => {
    if (anchor === null) return;
    const under = document.elementFromPoint(e.clientX, e.clientY);
    const i = tokenIndex(under, root);
    if (i !== null && i !== focus) {
      focus = i;
      paint();
    }
  };

  const up = (e: MouseEvent): void => {
    if (pressedSpan !== null) {
      const span = pressedSpan;
      pressedSpan = null;
      if (spanIndex(document.elementFromPoint(e.clientX, e.clientY), root) === span) handlers.onSpanClick(span);
      return;
    }
    if (anchor === null || focus === null) return;
    const [a, b] = [anchor, focus];
    anchor = focus = null;
    paint();
    handlers.onSelect(Math.min(a, b), Math.max(a, b));
  };

  root.addEventListener("mousedown", down);
  document.addEventListener("mousemove", move);
  document.addEventListener("mouseup", up);
  return () => {
    document.removeEventListener("mousemove", move);
    document.removeEventListener("mouseup", up);
  };
}
