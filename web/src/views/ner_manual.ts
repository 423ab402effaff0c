/**
 * ner_manual: drag over tokens (or click one) to add a span with the picked
 * label; click a span to remove it. Spans never overlap. With
 * ner_manual_highlight_chars and no tokens, every character is selectable.
 * The text is drawn as a few text nodes, not an element per token
 * (text_runs.ts): a 1,000-word text paints as fast as plain text.
 */
import { h } from "../dom";
import { labelFill, labelPicker } from "../labels";
import type { Span, Task, Token } from "../types";
import { runSelection, TextRuns } from "./text_runs";
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

export function nerManualView(task: Task, ctx: ViewContext): RenderedView {
  const text = typeof task.text === "string" ? task.text : "";
  const { tokens, chars } = getTokens(task, Boolean(ctx.config.ner_manual_highlight_chars));
  const labels = spanLabels(task, ctx);
  if (!Array.isArray(task.spans)) task.spans = [];
  const picker = labelPicker(labels, ctx.config);
  const textEl = h("div", { class: chars ? "task-text tokens chars" : "task-text tokens" });
  // where each token is, for the browser tests and a recipe's own javascript: "start-end start-end ..."
  textEl.dataset.tokens = tokens.map((t) => `${t.start}-${t.end}`).join(" ");
  const runs = new TextRuns(tokens);
  const disabled = tokens.some((t) => t.disabled);

  /** Text [from, to) as text nodes; disabled tokens as muted elements around them. */
  const plain = (into: HTMLElement, from: number, to: number): void => {
    if (to <= from) return;
    if (!disabled) {
      into.appendChild(runs.add(text.slice(from, to), from));
      return;
    }
    let pos = from;
    for (const t of tokens) {
      if (!t.disabled || t.start < from || t.end > to) continue;
      if (t.start > pos) into.appendChild(runs.add(text.slice(pos, t.start), pos));
      into.appendChild(h("span", { class: "tok disabled" }, runs.add(text.slice(t.start, t.end), t.start)));
      pos = t.end;
    }
    if (to > pos) into.appendChild(runs.add(text.slice(pos, to), pos));
  };

  const render = (): void => {
    const spans = task.spans as Span[];
    const marks: Array<[number, number, number]> = [];
    let covered = -1;
    spans
      .map((s, k) => [k, tokenRange(s, tokens)] as const)
      .filter((r): r is readonly [number, [number, number]] => r[1] !== null)
      .sort((x, y) => x[1][0] - y[1][0])
      .forEach(([k, [a, b]]) => {
        if (a > covered) {
          marks.push([k, a, b]);
          covered = b;
        }
      });
    runs.reset();
    textEl.replaceChildren();
    let pos = 0;
    for (const [k, a, b] of marks) {
      const [from, to] = [tokens[a].start, tokens[b].end];
      plain(textEl, pos, from);
      const label = String(spans[k].label);
      const mark = h("mark", { class: "ent editable", "data-span": k, title: `${label}: click to remove`, style: { "--label-fill": labelFill(label, labels) } });
      plain(mark, from, to);
      mark.appendChild(h("span", { class: "ent-label" }, label));
      textEl.appendChild(mark);
      pos = to;
    }
    plain(textEl, pos, text.length);
  };

  const release = runSelection(textEl, runs, tokens, {
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
