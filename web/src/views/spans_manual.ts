/**
 * spans_manual: like ner_manual, but spans may overlap or nest. Each span is a
 * coloured bar under its tokens, stacked in rows so none hides another; click
 * a bar to remove its span.
 */
import { h } from "../dom";
import { labelFill, labelPicker } from "../labels";
import type { Span, Task } from "../types";
import { gapAfter, spanLabels } from "./ner_manual";
import { tokenSelection } from "./selection";
import { getTokens, makeSpan, tokenRange } from "./tokens";
import type { RenderedView, ViewContext } from "./view";

/** Give each span the lowest row where it overlaps no other span. */
function stack(ranges: Array<[number, number, number]>): Map<number, number> {
  const rowEnds: number[] = [];
  const rows = new Map<number, number>();
  for (const [k, a, b] of [...ranges].sort((x, y) => x[1] - y[1] || y[2] - x[2])) {
    let row = rowEnds.findIndex((end) => end < a);
    if (row < 0) row = rowEnds.push(b) - 1;
    else rowEnds[row] = b;
    rows.set(k, row);
  }
  return rows;
}

export function spansManualView(task: Task, ctx: ViewContext): RenderedView {
  const text = typeof task.text === "string" ? task.text : "";
  const { tokens, chars } = getTokens(task, Boolean(ctx.config.ner_manual_highlight_chars));
  const labels = spanLabels(task, ctx);
  if (!Array.isArray(task.spans)) task.spans = [];
  const picker = labelPicker(labels, ctx.config);
  const textEl = h("div", { class: chars ? "task-text stacked chars" : "task-text stacked" });

  const render = (): void => {
    const spans = task.spans as Span[];
    const ranges: Array<[number, number, number]> = [];
    spans.forEach((s, k) => {
      const r = tokenRange(s, tokens);
      if (r) ranges.push([k, r[0], r[1]]);
    });
    const rows = stack(ranges);
    const rowCount = Math.max(0, ...[...rows.values()].map((r) => r + 1));
    textEl.replaceChildren();
    tokens.forEach((_, i) => {
      const bars = h("span", { class: "tok-bars" });
      for (let row = 0; row < rowCount; row++) {
        const hit = ranges.find(([k, a, b]) => rows.get(k) === row && a <= i && i <= b);
        if (!hit) {
          bars.appendChild(h("span", { class: "bar empty" }));
          continue;
        }
        const [k, a, b] = hit;
        const label = String(spans[k].label);
        const cls = `bar${a === i ? " first" : ""}${b === i ? " last" : ""}`;
        bars.appendChild(
          h(
            "span",
            { class: cls, "data-span": k, title: `${label}: click to remove`, style: { "--label-fill": labelFill(label, labels) } },
            a === i ? h("span", { class: "bar-label" }, label) : null,
          ),
        );
      }
      const last = ranges.some(([, , b]) => b === i);
      textEl.appendChild(
        h(
          "span",
          { class: tokens[i].disabled ? "tok disabled" : "tok", "data-i": i },
          h("span", { class: "tok-text" }, tokens[i].text, h("span", { class: last ? "tok-gap end" : "tok-gap" }, gapAfter(text, tokens, i))),
          bars,
        ),
      );
    });
  };

  const release = tokenSelection(textEl, {
    onSelect(first, last) {
      const label = picker.selected();
      if (!label) return ctx.notify("Pick a label first");
      const span = makeSpan(tokens, first, last, label, chars);
      if (!span) return;
      const same = (task.spans as Span[]).some((s) => s.start === span.start && s.end === span.end && s.label === span.label);
      if (same) return ctx.notify("That span is already there");
      task.spans = [...(task.spans as Span[]), span].sort((x, y) => (x.start ?? 0) - (y.start ?? 0) || (y.end ?? 0) - (x.end ?? 0));
      render();
    },
    onSpanClick(k) {
      task.spans = (task.spans as Span[]).filter((_, j) => j !== k);
      render();
    },
  });
  render();
  return { el: h("div", { class: "view-spans-manual" }, picker.el, textEl), onKey: picker.onKey, destroy: release };
}
