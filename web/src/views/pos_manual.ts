/**
 * pos_manual: one label a token (pos.correct's tags, sent.correct's S marks).
 *
 * As Prodigy stores it: each labelled token is a one-token span in
 * `task.spans` ({start, end, token_start: i, token_end: i, label}). Each
 * token shows its label under it. Keys: ←/→ move the cursor, the number keys
 * (or ↑/↓, for tag sets longer than the keys) pick a label, Enter gives the
 * token under the cursor the picked label (Enter again on a token that has it
 * takes it away: with one label, as in sent.correct, Enter toggles), D clears
 * it. A click on a token does what Enter does.
 */
import { h } from "../dom";
import { labelFill, labelPicker } from "../labels";
import type { Span, Task } from "../types";
import { spanLabels } from "./ner_manual";
import { getTokens, makeSpan, tokenRange } from "./tokens";
import type { RenderedView, ViewContext } from "./view";

export function posManualView(task: Task, ctx: ViewContext): RenderedView {
  const text = typeof task.text === "string" ? task.text : "";
  const { tokens } = getTokens(task, false);
  const labels = spanLabels(task, ctx);
  if (!Array.isArray(task.spans)) task.spans = [];
  const picker = labelPicker(labels, ctx.config);
  const textEl = h("div", { class: "task-text tokens stacked pos-tokens" });
  let cursor = 0;

  /** The label of each token, from the task's one-token spans. */
  const tagOf = (): Map<number, string> => {
    const tags = new Map<number, string>();
    for (const s of task.spans as Span[]) {
      const r = tokenRange(s, tokens);
      if (r && typeof s.label === "string") for (let i = r[0]; i <= r[1]; i++) tags.set(i, s.label);
    }
    return tags;
  };

  const render = (): void => {
    const tags = tagOf();
    textEl.replaceChildren();
    tokens.forEach((t, i) => {
      const tag = tags.get(i);
      const chip = tag
        ? h("span", { class: "pos-tag", style: { "--label-fill": labelFill(tag, labels) } }, tag)
        : h("span", { class: "pos-tag empty" }, "\u00a0");
      const el = h("span", { class: i === cursor ? "tok cursor" : "tok", "data-i": i, title: tag ?? "" }, h("span", { class: "tok-text" }, t.text), chip);
      el.addEventListener("click", () => {
        cursor = i;
        apply(i);
      });
      textEl.appendChild(el);
      const next = tokens[i + 1];
      const gap = next ? text.slice(t.end, next.start) : "";
      if (gap || t.ws) textEl.appendChild(document.createTextNode(gap || " "));
    });
  };

  /** Set (or, when it already has it, take away) the picked label on token i. */
  const apply = (i: number): void => {
    const label = picker.selected();
    if (!label) return ctx.notify("Pick a label first");
    const had = tagOf().get(i);
    clear(i);
    if (had !== label) {
      const span = makeSpan(tokens, i, i, label, false);
      if (span) task.spans = [...(task.spans as Span[]), span].sort((x, y) => (x.start ?? 0) - (y.start ?? 0));
    }
    render();
  };

  const clear = (i: number): void => {
    task.spans = (task.spans as Span[]).filter((s) => {
      const r = tokenRange(s, tokens);
      return !(r && r[0] <= i && i <= r[1]);
    });
  };

  const move = (step: number): void => {
    if (!tokens.length) return;
    cursor = Math.max(0, Math.min(tokens.length - 1, cursor + step));
    textEl.querySelectorAll<HTMLElement>(".tok[data-i]").forEach((el) => el.classList.toggle("cursor", Number(el.dataset.i) === cursor));
    textEl.querySelector<HTMLElement>(".tok.cursor")?.scrollIntoView({ block: "nearest", inline: "nearest" });
  };

  /** ↑/↓ step through the labels: a tag set has more labels than number keys. */
  const cycle = (step: number): void => {
    if (!labels.length) return;
    const at = labels.indexOf(picker.selected() ?? "");
    const next = labels[(at + step + labels.length) % labels.length];
    picker.el.querySelector<HTMLButtonElement>(`.label-btn[data-label="${CSS.escape(next)}"]`)?.click();
  };

  const onKey = (e: KeyboardEvent): boolean => {
    if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      move(e.key === "ArrowRight" ? 1 : -1);
      return true;
    }
    if (e.key === "ArrowUp" || e.key === "ArrowDown") {
      cycle(e.key === "ArrowDown" ? 1 : -1);
      return true;
    }
    if (e.key === "Enter" && tokens.length) {
      if (!e.repeat) apply(cursor);
      return true;
    }
    if (e.key.toLowerCase() === "d" && !e.shiftKey && tokens.length) {
      clear(cursor);
      render();
      return true;
    }
    return picker.onKey(e);
  };

  render();
  return { el: h("div", { class: "view-pos-manual" }, picker.el, textEl), onKey };
}
