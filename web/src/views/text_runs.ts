/**
 * Token selection over plain text nodes, for long texts (ner_manual).
 *
 * An element per token made a 1,000-word text cost 30-40 ms of style, layout
 * and paint on every task; a few text nodes cost what plain text costs. The
 * pointer is mapped to a token through the caret position under it
 * (caretRangeFromPoint) and the character offsets of the text nodes ("runs"),
 * and the range being dragged is painted with the CSS Custom Highlight API, so
 * selecting adds no elements either. Pressing, dragging and clicking spans
 * work as in the other views (selection.ts).
 */
import type { Token } from "../types";
import { pointerSelection, type SelectionHandlers } from "./selection";

export interface TextRun {
  node: Text;
  /** character offset of the node's first character in the task's text */
  start: number;
}

const HIGHLIGHT = "mentor-selection";

interface HighlightRegistry {
  set(name: string, value: unknown): void;
  delete(name: string): void;
}

function highlights(): { registry: HighlightRegistry; make: (range: Range) => unknown } | null {
  const css = (globalThis as { CSS?: { highlights?: HighlightRegistry } }).CSS;
  const Ctor = (globalThis as { Highlight?: new (range: Range) => unknown }).Highlight;
  return css?.highlights && Ctor ? { registry: css.highlights, make: (range) => new Ctor(range) } : null;
}

/** The text node and offset under a point: caretRangeFromPoint (Chromium, WebKit) or caretPositionFromPoint. */
function caretAt(x: number, y: number): { node: Node; offset: number } | null {
  const doc = document as Document & {
    caretPositionFromPoint?: (x: number, y: number) => { offsetNode: Node; offset: number } | null;
  };
  if (typeof doc.caretPositionFromPoint === "function") {
    const pos = doc.caretPositionFromPoint(x, y);
    return pos ? { node: pos.offsetNode, offset: pos.offset } : null;
  }
  const range = typeof document.caretRangeFromPoint === "function" ? document.caretRangeFromPoint(x, y) : null;
  return range ? { node: range.startContainer, offset: range.startOffset } : null;
}

/** Index of the token holding character c (binary search on starts), or -1. */
export function tokenAtChar(tokens: Token[], c: number): number {
  let lo = 0;
  let hi = tokens.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid].end <= c) lo = mid + 1;
    else if (tokens[mid].start > c) hi = mid - 1;
    else return mid;
  }
  return -1;
}

function boxHolds(rects: DOMRectList, x: number, y: number): boolean {
  for (const r of Array.from(rects)) if (x >= r.left - 0.5 && x <= r.right + 0.5 && y >= r.top && y <= r.bottom) return true;
  return false;
}

export class TextRuns {
  private runs: TextRun[] = [];
  private readonly nodes = new Map<Node, number>();

  constructor(private readonly tokens: Token[]) {}

  reset(): void {
    this.runs = [];
    this.nodes.clear();
  }

  /** A text node holding the text from character `start` on. */
  add(text: string, start: number): Text {
    const node = document.createTextNode(text);
    this.nodes.set(node, this.runs.length);
    this.runs.push({ node, start });
    return node;
  }

  /** The token under the point, or null (whitespace, a label chip, outside the text). */
  tokenAt(x: number, y: number, isDisabled: (i: number) => boolean): number | null {
    const caret = caretAt(x, y);
    const k = caret ? this.nodes.get(caret.node) : undefined;
    if (!caret || k === undefined) return null;
    const run = this.runs[k];
    // the caret sits between characters: the character under the point is the one before or after it
    for (const offset of [caret.offset, caret.offset - 1]) {
      if (offset < 0 || offset >= (run.node.data.length || 0)) continue;
      const range = document.createRange();
      range.setStart(run.node, offset);
      range.setEnd(run.node, offset + 1);
      if (!boxHolds(range.getClientRects(), x, y)) continue;
      const i = tokenAtChar(this.tokens, run.start + offset);
      return i >= 0 && !isDisabled(i) ? i : null;
    }
    return null;
  }

  /** A DOM range over characters [start, end) of the text, if the runs hold both ends. */
  range(start: number, end: number): Range | null {
    const find = (c: number, atEnd: boolean): [Text, number] | null => {
      for (const run of this.runs) {
        const len = run.node.data.length;
        if (c > run.start && c <= run.start + len && atEnd) return [run.node, c - run.start];
        if (c >= run.start && c < run.start + len && !atEnd) return [run.node, c - run.start];
      }
      return null;
    };
    const a = find(start, false);
    const b = find(end, true);
    if (!a || !b) return null;
    const range = document.createRange();
    range.setStart(a[0], a[1]);
    range.setEnd(b[0], b[1]);
    return range;
  }
}

/** Wire press-drag-release selection of tokens on root; returns a function that removes the document listeners. */
export function runSelection(root: HTMLElement, runs: TextRuns, tokens: Token[], handlers: SelectionHandlers): () => void {
  const hl = highlights();
  const disabled = (i: number): boolean => Boolean(tokens[i]?.disabled);
  return pointerSelection(
    root,
    {
      tokenAt: (x, y) => runs.tokenAt(x, y, disabled),
      paint(lo, hi) {
        if (!hl) return;
        const range = lo <= hi ? runs.range(tokens[lo].start, tokens[hi].end) : null;
        if (range) hl.registry.set(HIGHLIGHT, hl.make(range));
        else hl.registry.delete(HIGHLIGHT);
      },
    },
    handlers,
  );
}
