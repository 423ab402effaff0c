/**
 * ner_manual: drag over tokens (or click one) to add a span with the picked
 * label; click a span to remove it. Spans never overlap. With
 * ner_manual_highlight_chars and no tokens, every character is selectable.
 */
import { h } from "../dom";
import { labelFill, labelPicker } from "../labels";
import type { Span, Task, Token } from "../types";
import { tokenSelection } from "./selection";
import { getTokens, makeSpan, tokenRange } from "./tokens";
import type { RenderedView, ViewContext } from "./view";

/** Labels to offer: the recipe's, else those already on the task's spans. */
export function spanLabels(task: Task, ctx: ViewContext): string[] {
  if (ctx.labels.length) return ctx.labels;
  const seen = new Set<string>();
  for (const s of task.spans ?? []) if (typeof s.label === "string") seen.add(s.label);
  return [...seen];
}

/** The text between token i and the next one (whitespace, newlines). */
export function gapAfter(text: string, tokens: Token[], i: number): string {
  const next = tokens[i + 1];
  if (next) return text.slice(tokens[i].end, next.start);
  return tokens[i].ws ? " " : "";
}

export function tokenElement(tokens: Token[], i: number): HTMLElement {
  return h("span", { class: tokens[i].disabled ? "tok disabled" : "tok", "data-i": i }, tokens[i].text);
}

export function nerManualView(task: Task, ctx: ViewContext): RenderedView {
  const text = typeof task.text === "string" ? task.text : "";
  const { tokens, chars } = getTokens(task, Boolean(ctx.config.ner_manual_highlight_chars));
  const labels = spanLabels(task, ctx);
  if (!Array.isArray(task.spans)) task.spans = [];
  const picker = labelPicker(labels, ctx.config);
  const textEl = h("div", { class: chars ? "task-text tokens chars" : "task-text tokens" });

  const render = (): void => {
    const spans = task.spans as Span[];
    const starts = new Map<number, [number, number, number]>();
    let covered = -1;
    spans
      .map((s, k) => [k, tokenRange(s, tokens)] as const)
      .filter((r): r is readonly [number, [number, number]] => r[1] !== null)
      .sort((x, y) => x[1][0] - y[1][0])
      .forEach(([k, [a, b]]) => {
        if (a > covered) {
          starts.set(a, [k, a, b]);
          covered = b;
        }
      });
    textEl.replaceChildren();
    let i = 0;
    while (i < tokens.length) {
      const start = starts.get(i);
      if (start) {
        const [k, a, b] = start;
        const label = String(spans[k].label);
        const mark = h("mark", {
          class: "ent editable",
          "data-span": k,
          title: `${label}: click to remove`,
          style: { "--label-fill": labelFill(label, labels) },
        });
        for (let j = a; j <= b; j++) {
          mark.appendChild(tokenElement(tokens, j));
          if (j < b) mark.appendChild(document.createTextNode(gapAfter(text, tokens, j)));
        }
        mark.appendChild(h("span", { class: "ent-label" }, label));
        textEl.appendChild(mark);
        textEl.appendChild(document.createTextNode(gapAfter(text, tokens, b)));
        i = b + 1;
      } else {
        textEl.appendChild(tokenElement(tokens, i));
        textEl.appendChild(document.createTextNode(gapAfter(text, tokens, i)));
        i++;
      }
    }
  };

  const release = tokenSelection(textEl, {
    onSelect(first, last) {
      const label = picker.selected();
      if (!label) return ctx.notify("Pick a label first");
      const span = makeSpan(tokens, first, last, label, chars);
      if (!span) return;
      const overlaps = (task.spans as Span[]).some((s) => {
        const r = tokenRange(s, tokens);
        return r !== null && r[0] <= last && r[1] >= first;
      });
      if (overlaps) return ctx.notify("Spans can't overlap: remove the other span first");
      task.spans = [...(task.spans as Span[]), span].sort((x, y) => (x.start ?? 0) - (y.start ?? 0));
      render();
    },
    onSpanClick(k) {
      task.spans = (task.spans as Span[]).filter((_, j) => j !== k);
      render();
    },
  });
  render();
  return { el: h("div", { class: "view-ner-manual" }, picker.el, textEl), onKey: picker.onKey, destroy: release };
}
