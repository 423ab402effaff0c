/**
 * relations: spans and labelled arcs between them (rel.manual).
 *
 * Mouse: drag over tokens (or click one) to make a span with the picked span
 * label; click a span to pick the head, then another for the child: the arc
 * gets the picked relation label. Keys: ←/→ move a cursor over the tokens,
 * Shift extends a selection, Enter makes the span (or picks the span under
 * the cursor as head, then child), Esc cancels, D removes the span under the
 * cursor with its arcs. Relation labels take 1-9 first, span labels the
 * number keys after them. Making an arc that exists again removes it; so does
 * clicking its label or its × in the list. Without span labels the ends are
 * single tokens. Arcs are stored as Prodigy stores them: `head`/`child` are
 * the last token of each end, `head_span`/`child_span` the ends themselves.
 */
import { h, svg } from "../dom";
import { labelFill, labelPicker, labelStroke } from "../labels";
import type { Span, Task } from "../types";
import { gapAfter } from "./ner_manual";
import { tokenSelection } from "./selection";
import { getTokens, makeSpan, tokenRange } from "./tokens";
import type { RenderedView, ViewContext } from "./view";

export interface Relation {
  head: number;
  child: number;
  label: string;
  head_span?: Span;
  child_span?: Span;
  [key: string]: unknown;
}

/** One end of an arc: a span (index into task.spans) or, without span labels, a token. */
interface End {
  first: number;
  last: number;
  span: number | null;
}

const ARC_BASE = 18;
const ARC_STEP = 14;
const ARC_LEVELS = 4;

function isRelation(r: unknown, n: number): r is Relation {
  const rel = r as Relation;
  return !!rel && Number.isInteger(rel.head) && Number.isInteger(rel.child) && rel.head >= 0 && rel.child >= 0 && rel.head < n && rel.child < n;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

export function relationsView(task: Task, ctx: ViewContext): RenderedView {
  const text = typeof task.text === "string" ? task.text : "";
  const { tokens } = getTokens(task, false);
  const relLabels = ctx.labels;
  const spanLabels = stringList(ctx.config.relations_span_labels);
  const wrap = ctx.config.wrap_relations === true;
  const arrows = ctx.config.hide_relation_arrow !== true;
  if (!Array.isArray(task.spans)) task.spans = [];
  if (!Array.isArray(task.relations)) task.relations = [];
  const spans = (): Span[] => task.spans as Span[];
  const relations = (): Relation[] => (task.relations as unknown[]).filter((r): r is Relation => isRelation(r, tokens.length));

  const relPicker = labelPicker(relLabels, ctx.config);
  const offset = relLabels.length + (Number(ctx.config.number_key_offset) || 0);
  const spanPicker = labelPicker(spanLabels, { ...ctx.config, number_key_offset: offset });
  const status = h("div", { class: "rel-status", role: "status" });
  const textEl = h("div", { class: "task-text tokens rel-tokens" });
  const arcs = svg("svg", { class: "rel-arcs", "aria-hidden": "true" });
  const stage = h("div", { class: wrap ? "rel-stage wrap" : "rel-stage" }, arcs, textEl);
  const list = h("ol", { class: "rel-list" });

  let head: End | null = null;
  let cursor = 0;
  let anchor: number | null = null;

  /** The span covering token i, if any. */
  const spanAt = (i: number): number | null => {
    const k = spans().findIndex((s) => {
      const r = tokenRange(s, tokens);
      return r !== null && r[0] <= i && i <= r[1];
    });
    return k < 0 ? null : k;
  };
  /** The end an arc's token index belongs to: its span, else the token alone. */
  const endOf = (i: number): End => {
    const k = spanAt(i);
    const r = k === null ? null : tokenRange(spans()[k], tokens);
    return r && k !== null ? { first: r[0], last: r[1], span: k } : { first: i, last: i, span: null };
  };
  const endDict = (end: End): Span => {
    const label = end.span === null ? null : spans()[end.span].label;
    return { start: tokens[end.first].start, end: tokens[end.last].end, token_start: end.first, token_end: end.last, label: label as string };
  };
  const endText = (end: End): string => text.slice(tokens[end.first].start, tokens[end.last].end);
  const sameEnd = (a: End, b: End): boolean => a.first === b.first && a.last === b.last;

  const say = (): void => {
    status.textContent = head
      ? `Head: “${endText(head)}”. Pick the child (click, or Enter on it); Esc cancels.`
      : spanLabels.length
        ? "Drag or Shift+←/→ then Enter to mark a span; click a span (or Enter on it) to start a relation."
        : "Click a token (or Enter on it) to pick the head, then the child.";
  };

  const renderTokens = (): void => {
    const starts = new Map<number, [number, number, number]>();
    spans().forEach((s, k) => {
      const r = tokenRange(s, tokens);
      if (r) starts.set(r[0], [k, r[0], r[1]]);
    });
    const tok = (i: number): HTMLElement =>
      h("span", { class: head && head.span === null && i === head.first ? "tok rel-head" : "tok", "data-i": i }, tokens[i].text);
    textEl.replaceChildren();
    let i = 0;
    while (i < tokens.length) {
      const start = starts.get(i);
      if (start) {
        const [k, a, b] = start;
        const label = String(spans()[k].label);
        const isHead = head !== null && head.span === k;
        const remove = h(
          "button",
          {
            type: "button",
            class: "rel-span-remove",
            title: `Remove this ${label} span and its relations`,
            "aria-label": `Remove span ${label}`,
            on: {
              mousedown: (e: MouseEvent) => e.stopPropagation(), // not a head pick
              click: () => removeSpan(k),
            },
          },
          "×",
        );
        const mark = h("mark", {
          class: isHead ? "ent rel-span rel-head" : "ent rel-span",
          "data-span": k,
          title: `${label}: click to pick as head or child`,
          style: { "--label-fill": labelFill(label, spanLabels) },
        });
        for (let j = a; j <= b; j++) {
          mark.appendChild(tok(j));
          if (j < b) mark.appendChild(document.createTextNode(gapAfter(text, tokens, j)));
        }
        mark.appendChild(h("span", { class: "ent-label" }, label, remove));
        textEl.appendChild(mark);
        textEl.appendChild(document.createTextNode(gapAfter(text, tokens, b)));
        i = b + 1;
      } else {
        textEl.appendChild(tok(i));
        textEl.appendChild(document.createTextNode(gapAfter(text, tokens, i)));
        i++;
      }
    }
  };

  const renderList = (): void => {
    list.replaceChildren();
    relations().forEach((rel) => {
      const k = (task.relations as unknown[]).indexOf(rel);
      list.appendChild(
        h(
          "li",
          { class: "rel-item", "data-rel": k },
          h("span", { class: "rel-end" }, endText(endOf(rel.head))),
          h("span", { class: "rel-label", style: { "--label-fill": labelFill(String(rel.label), relLabels) } }, ` ${String(rel.label)} → `),
          h("span", { class: "rel-end" }, endText(endOf(rel.child))),
          h("button", { type: "button", class: "rel-remove", "aria-label": "Remove relation", on: { click: () => removeRelation(k) } }, "×"),
        ),
      );
    });
  };

  /** Boxes of an end's tokens, relative to the stage's content. */
  const boxOf = (end: End): { x: number; y: number } | null => {
    const el =
      end.span !== null
        ? textEl.querySelector<HTMLElement>(`[data-span="${end.span}"]`)
        : textEl.querySelector<HTMLElement>(`.tok[data-i="${end.first}"]`);
    if (!el) return null;
    const box = el.getClientRects()[0] ?? el.getBoundingClientRect();
    const origin = stage.getBoundingClientRect();
    return { x: box.left - origin.left + stage.scrollLeft + box.width / 2, y: box.top - origin.top + stage.scrollTop };
  };

  const drawArcs = (): void => {
    arcs.replaceChildren();
    arcs.setAttribute("width", String(stage.scrollWidth));
    arcs.setAttribute("height", String(stage.scrollHeight));
    const marker = svg(
      "marker",
      { id: "rel-arrow", viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" },
      svg("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#374151" }),
    );
    arcs.appendChild(svg("defs", null, marker));
    const rels = relations();
    const ranges = rels.map((r) => [Math.min(r.head, r.child), Math.max(r.head, r.child)]);
    rels.forEach((rel, n) => {
      const a = boxOf(endOf(rel.head));
      const b = boxOf(endOf(rel.child));
      if (!a || !b) return;
      const [lo, hi] = ranges[n];
      const inside = ranges.filter(([x, y], m) => m !== n && x >= lo && y <= hi && (x > lo || y < hi)).length;
      const lift = ARC_BASE + ARC_STEP * Math.min(inside, ARC_LEVELS);
      const k = (task.relations as unknown[]).indexOf(rel);
      const label = String(rel.label);
      const colour = labelStroke(label, relLabels);
      const top = Math.min(a.y, b.y) - lift;
      const d = `M ${a.x} ${a.y - 2} C ${a.x} ${top} ${b.x} ${top} ${b.x} ${b.y - 2}`;
      arcs.appendChild(
        svg("path", {
          class: "rel-arc",
          d,
          fill: "none",
          stroke: colour,
          "marker-end": arrows ? "url(#rel-arrow)" : undefined,
          "data-rel": k,
        }),
      );
      const mid = (a.x + b.x) / 2;
      const y = top + lift * 0.25;
      const labelEl = svg("text", { class: "rel-arc-label", x: mid, y, "text-anchor": "middle", "data-rel": k, fill: colour }, label);
      labelEl.appendChild(svg("title", null, `${label}: click to remove`));
      labelEl.addEventListener("click", () => removeRelation(k));
      arcs.appendChild(labelEl);
    });
  };

  const render = (): void => {
    renderTokens();
    paintCursor();
    renderList();
    say();
    if (stage.isConnected) drawArcs();
  };

  const removeRelation = (k: number): void => {
    task.relations = (task.relations as unknown[]).filter((_, j) => j !== k);
    render();
  };

  const removeSpan = (k: number): void => {
    const r = tokenRange(spans()[k], tokens);
    task.spans = spans().filter((_, j) => j !== k);
    if (r) {
      const touches = (i: number): boolean => i >= r[0] && i <= r[1];
      task.relations = relations().filter((rel) => !touches(rel.head) && !touches(rel.child));
    }
    head = null;
    render();
  };

  /** Pick an end: the head first, then the child, which makes (or, if it exists, removes) the arc. */
  const pick = (end: End): void => {
    if (!head) {
      head = end;
      return render();
    }
    if (sameEnd(head, end)) {
      head = null;
      return render();
    }
    const label = relPicker.selected();
    if (!label) return ctx.notify("Pick a relation label first");
    const [from, to] = [head, end];
    head = null;
    const existing = relations().find((r) => r.head === from.last && r.child === to.last && r.label === label);
    if (existing) {
      task.relations = (task.relations as unknown[]).filter((r) => r !== existing);
    } else {
      const rel: Relation = { head: from.last, child: to.last, label, head_span: endDict(from), child_span: endDict(to) };
      task.relations = [...relations(), rel];
    }
    render();
  };

  const addSpan = (first: number, last: number): void => {
    const label = spanPicker.selected();
    if (!label) return ctx.notify("Pick a span label first");
    const overlaps = spans().some((s) => {
      const r = tokenRange(s, tokens);
      return r !== null && r[0] <= last && r[1] >= first;
    });
    if (overlaps) return ctx.notify("Spans can't overlap: remove the other span first");
    const span = makeSpan(tokens, first, last, label, false);
    if (!span) return;
    // arcs point at spans through their token indices: add the span and keep them
    const kept = relations();
    task.spans = [...spans(), span].sort((x, y) => (x.start ?? 0) - (y.start ?? 0));
    task.relations = kept.map((rel) => ({ ...rel, head_span: endDict(endOf(rel.head)), child_span: endDict(endOf(rel.child)) }));
    render();
  };

  /** A token range chosen by mouse or keys: on a span, pick it; else make a span (or pick the token). */
  const choose = (first: number, last: number): void => {
    const k = first === last ? spanAt(first) : null;
    if (k !== null) return pick(endOf(first));
    if (spanLabels.length) return addSpan(first, last);
    if (first !== last) return ctx.notify("This recipe has no span labels (--span-label): pick single tokens");
    pick({ first, last, span: null });
  };

  const release = tokenSelection(textEl, {
    onSelect(first, last) {
      cursor = last;
      anchor = null;
      choose(first, last);
    },
    onSpanClick(k) {
      const r = tokenRange(spans()[k], tokens);
      if (!r) return;
      cursor = r[1];
      anchor = null;
      pick({ first: r[0], last: r[1], span: k });
    },
  });

  const paintCursor = (): void => {
    const lo = anchor === null ? cursor : Math.min(anchor, cursor);
    const hi = anchor === null ? cursor : Math.max(anchor, cursor);
    textEl.querySelectorAll<HTMLElement>(".tok[data-i]").forEach((el) => {
      const i = Number(el.dataset.i);
      el.classList.toggle("cursor", i === cursor);
      el.classList.toggle("sel", anchor !== null && i >= lo && i <= hi);
    });
  };

  const move = (step: number, extend: boolean): void => {
    if (!tokens.length) return;
    if (extend && anchor === null) anchor = cursor;
    if (!extend) anchor = null;
    cursor = Math.max(0, Math.min(tokens.length - 1, cursor + step));
    paintCursor(); // classes only: a key press on a long text rebuilds nothing
    textEl.querySelector<HTMLElement>(".tok.cursor")?.scrollIntoView({ block: "nearest", inline: "nearest" });
  };

  const onKey = (e: KeyboardEvent): boolean => {
    if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      move(e.key === "ArrowRight" ? 1 : -1, e.shiftKey);
      return true;
    }
    if (e.key === "Enter" && tokens.length) {
      if (e.repeat) return true;
      const [a, b] = anchor === null ? [cursor, cursor] : [Math.min(anchor, cursor), Math.max(anchor, cursor)];
      anchor = null;
      choose(a, b);
      return true;
    }
    if (e.key === "Escape" && (head || anchor !== null)) {
      head = null;
      anchor = null;
      render();
      return true;
    }
    if (e.key.toLowerCase() === "d" && !e.shiftKey) {
      const k = spanAt(cursor);
      if (k !== null) removeSpan(k);
      else if (!spanLabels.length) {
        task.relations = relations().filter((rel) => rel.head !== cursor && rel.child !== cursor);
        render();
      }
      return true;
    }
    return relPicker.onKey(e) || spanPicker.onKey(e);
  };

  const pickers = h(
    "div",
    { class: "rel-pickers" },
    h("div", { class: "rel-picker" }, h("span", { class: "rel-picker-title muted" }, "Relation"), relPicker.el),
    spanLabels.length ? h("div", { class: "rel-picker" }, h("span", { class: "rel-picker-title muted" }, "Span"), spanPicker.el) : null,
  );
  const redraw = (): void => drawArcs();
  render();
  return {
    el: h("div", { class: "view-relations" }, pickers, status, stage, list),
    onKey,
    mounted: () => {
      drawArcs();
      window.addEventListener("resize", redraw);
    },
    destroy: () => {
      release();
      window.removeEventListener("resize", redraw);
    },
  };
}
