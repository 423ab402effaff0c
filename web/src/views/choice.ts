/**
 * choice: pick one option (choice_style "single") or several ("multiple");
 * keys 1-9 and 0 toggle options (Shift+1-0 in review, whose versions take
 * 1-9: number_key_offset). With choice_auto_accept, picking a single option
 * accepts the task at once. Picks are stored as `accept: [ids]`.
 */
import { h, toText } from "../dom";
import { keyLabel, keyName, numberKey, numberKeyOffset } from "../labels";
import type { Task } from "../types";
import { taskContent, taskImage } from "./content";
import type { RenderedView, ViewContext } from "./view";

export function choiceView(task: Task, ctx: ViewContext): RenderedView {
  const options = Array.isArray(task.options) ? task.options : [];
  const single = ctx.config.choice_style !== "multiple";
  if (!Array.isArray(task.accept)) task.accept = [];
  const buttons: HTMLButtonElement[] = [];
  const offset = numberKeyOffset(ctx.config);

  const refresh = (): void => {
    buttons.forEach((b, i) => {
      const on = (task.accept as unknown[]).includes(options[i].id);
      b.classList.toggle("selected", on);
      b.setAttribute("aria-checked", String(on));
    });
  };
  const toggle = (i: number): void => {
    const id = options[i].id;
    const picked = (task.accept as Array<string | number>).includes(id);
    if (single) task.accept = picked ? [] : [id];
    else task.accept = picked ? (task.accept as Array<string | number>).filter((x) => x !== id) : [...(task.accept as Array<string | number>), id];
    refresh();
    if (single && !picked && ctx.config.choice_auto_accept) ctx.accept();
  };

  const list = h("div", { class: "options", role: single ? "radiogroup" : "group" });
  options.forEach((option, i) => {
    const key = numberKey(i + offset);
    const button = h(
      "button",
      {
        type: "button",
        class: "option",
        role: single ? "radio" : "checkbox",
        "data-id": toText(option.id),
        on: { click: () => toggle(i) },
      },
      key ? h("kbd", null, keyLabel(key)) : null,
      h("span", { class: single ? "option-mark radio" : "option-mark check" }),
      typeof option.image === "string" && option.image ? taskImage(option.image) : null,
      h("span", { class: "option-text" }, toText(option.text ?? option.id)),
    );
    buttons.push(button);
    list.appendChild(button);
  });
  refresh();
  return {
    el: h("div", { class: "view-choice" }, taskContent(task, ctx.labels), list),
    onKey(e: KeyboardEvent): boolean {
      const i = options.findIndex((_, j) => numberKey(j + offset) === keyName(e));
      if (i < 0) return false;
      toggle(i);
      return true;
    },
  };
}
