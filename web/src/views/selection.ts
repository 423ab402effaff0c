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

/** How a view finds the token under the pointer and shows the range being dragged. */
export interface PointerTokens {
  /** The token under the point (not a disabled one), or null. */
  tokenAt(x: number, y: number, target: EventTarget | null): number | null;
  /** Show tokens lo..hi as selected; lo > hi: nothing selected. */
  paint(lo: number, hi: number): void;
}

/**
 * Press on a token and drag to another, or click one, to select a range; press and release on
 * an element with `data-span` to act on that span. Returns a function that removes the
 * document listeners. The views differ only in how they find tokens (`PointerTokens`).
 */
export function pointerSelection(root: HTMLElement, tokens: PointerTokens, handlers: SelectionHandlers): () => void {
  let anchor: number | null = null;
  let focus: number | null = null;
  let pressedSpan: number | null = null;

  const paint = (): void => {
    if (anchor === null || focus === null) tokens.paint(0, -1);
    else tokens.paint(Math.min(anchor, focus), Math.max(anchor, focus));
  };

  const down = (e: MouseEvent): void => {
    if (e.button !== 0) return;
    const span = spanIndex(e.target, root);
    if (span !== null) {
      // the second press of a double-click lands on the span the first one made: keep it
      pressedSpan = e.detail > 1 ? null : span;
      e.preventDefault();
      return;
    }
    const i = tokens.tokenAt(e.clientX, e.clientY, e.target);
    if (i === null) return;
    anchor = focus = i;
    e.preventDefault(); // no native text selection while dragging
    paint();
  };

  const move = (e: MouseEvent): void => {
    if (anchor === null) return;
    const i = tokens.tokenAt(e.clientX, e.clientY, document.elementFromPoint(e.clientX, e.clientY));
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
    tokens.paint(0, -1);
    document.removeEventListener("mousemove", move);
    document.removeEventListener("mouseup", up);
  };
}

/** Selection over token elements (`.tok[data-i]`): snapping to tokens comes free. */
export function tokenSelection(root: HTMLElement, handlers: SelectionHandlers): () => void {
  return pointerSelection(
    root,
    {
      tokenAt: (_x, _y, target) => tokenIndex(target, root),
      paint(lo, hi) {
        root.querySelectorAll<HTMLElement>(".tok[data-i]").forEach((el) => {
          const i = Number(el.dataset.i);
          el.classList.toggle("sel", i >= lo && i <= hi);
        });
      },
    },
    handlers,
  );
}
