/**
 * image_manual: draw rectangles (drag) and polygons (click points, then click
 * the first point, press Enter or double-click to close) with the picked
 * label. Shapes are stored in image pixels as
 * `{label, type, points, x, y, width, height}`; click a shape (or its × in
 * the list) to remove it. Key `t` switches between the two tools.
 */
import { h, svg } from "../dom";
import { labelFill, labelPicker, labelStroke } from "../labels";
import type { Span, Task } from "../types";
import { spanLabels } from "./ner_manual";
import type { RenderedView, ViewContext } from "./view";

type Tool = "rect" | "polygon";
type Point = [number, number];

const round = (v: number): number => Math.round(v * 100) / 100;

function boxOf(points: Point[]): { x: number; y: number; width: number; height: number } {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x: round(x), y: round(y), width: round(Math.max(...xs) - x), height: round(Math.max(...ys) - y) };
}

function shapePoints(span: Span): Point[] {
  if (Array.isArray(span.points) && span.points.length) return span.points.map((p) => [Number(p[0]), Number(p[1])] as Point);
  if ([span.x, span.y, span.width, span.height].every((v) => typeof v === "number")) {
    const [x, y, w, hgt] = [span.x!, span.y!, span.width!, span.height!];
    return [[x, y], [x + w, y], [x + w, y + hgt], [x, y + hgt]];
  }
  return [];
}

export function imageManualView(task: Task, ctx: ViewContext): RenderedView {
  const labels = spanLabels(task, ctx);
  if (!Array.isArray(task.spans)) task.spans = [];
  const picker = labelPicker(labels, ctx.config);
  let tool: Tool = "rect";
  let draft: Point[] = [];
  let dragStart: Point | null = null;
  let dragScreen: [number, number] | null = null;
  let pressedShape: number | null = null;

  const darken = typeof ctx.config.darken_image === "number" ? ctx.config.darken_image : 0;
  const img = h("img", { class: "annot-image", src: typeof task.image === "string" ? task.image : "", alt: "", draggable: "false" });
  if (darken > 0) img.style.setProperty("filter", `brightness(${Math.max(0, 1 - darken)})`);
  const layer = svg("svg", { class: "annot-layer", preserveAspectRatio: "none" });
  const stage = h("div", { class: "annot-stage" }, img, layer);
  const list = h("ul", { class: "shape-list" });
  const toolButtons = new Map<Tool, HTMLButtonElement>();
  const toolbar = h("div", { class: "tool-bar" });
  for (const [t, name] of [["rect", "Rectangle"], ["polygon", "Polygon"]] as const) {
    const b = h("button", { type: "button", class: "tool-btn", "data-tool": t, on: { click: () => setTool(t) } }, name);
    toolButtons.set(t, b);
    toolbar.appendChild(b);
  }
  toolbar.appendChild(h("span", { class: "tool-hint" }, "t switches tool · Enter closes a polygon · Esc cancels"));

  const size = (): [number, number] => [img.naturalWidth || img.width || 1, img.naturalHeight || img.height || 1];

  const toImage = (e: MouseEvent): Point => {
    const r = layer.getBoundingClientRect();
    const [w, hgt] = size();
    const x = Math.min(Math.max(e.clientX - r.left, 0), r.width);
    const y = Math.min(Math.max(e.clientY - r.top, 0), r.height);
    return [round((x * w) / (r.width || 1)), round((y * hgt) / (r.height || 1))];
  };

  function setTool(t: Tool): void {
    tool = t;
    draft = [];
    for (const [k, b] of toolButtons) b.classList.toggle("selected", k === t);
    render();
  }

  const addShape = (type: Tool, points: Point[]): void => {
    const label = picker.selected();
    if (!label) return ctx.notify("Pick a label first");
    task.spans = [...(task.spans as Span[]), { label, type, points, ...boxOf(points) }];
  };

  const closePolygon = (): void => {
    // a double-click adds its point twice: drop repeats before closing
    const pts = draft.filter((p, i) => i === 0 || Math.hypot(p[0] - draft[i - 1][0], p[1] - draft[i - 1][1]) > 1);
    if (pts.length >= 3) addShape("polygon", pts);
    draft = [];
    render();
  };

  function render(preview?: Point[]): void {
    const [w, hgt] = size();
    layer.setAttribute("viewBox", `0 0 ${w} ${hgt}`);
    const unit = Math.max(w, hgt) / 400; // stroke and text scale with the image
    layer.replaceChildren();
    list.replaceChildren();
    (task.spans as Span[]).forEach((span, k) => {
      const pts = shapePoints(span);
      if (!pts.length) return;
      const label = String(span.label);
      const stroke = labelStroke(label, labels);
      layer.appendChild(
        svg(
          "g",
          { class: "shape", "data-shape": k },
          svg("polygon", {
            points: pts.map((p) => p.join(",")).join(" "),
            fill: labelFill(label, labels),
            "fill-opacity": "0.35",
            stroke,
            "stroke-width": String(2 * unit),
          }),
          svg("text", { x: String(pts[0][0] + 3 * unit), y: String(pts[0][1] + 12 * unit), "font-size": String(11 * unit), fill: stroke, class: "shape-label" }, label),
        ),
      );
      list.appendChild(
        h(
          "li",
          { style: { "--label-fill": labelFill(label, labels) } },
          h("span", { class: "label-swatch" }),
          h("span", null, `${label} · ${span.type === "polygon" ? "polygon" : "rectangle"}`),
          h("button", { type: "button", class: "shape-remove", "aria-label": `Remove ${label}`, on: { click: () => removeShape(k) } }, "×"),
        ),
      );
    });
    const live = preview ?? (draft.length ? draft : null);
    if (live && live.length) {
      const label = picker.selected() ?? "";
      layer.appendChild(
        svg(tool === "polygon" ? "polyline" : "polygon", {
          class: "draft",
          points: live.map((p) => p.join(",")).join(" "),
          fill: tool === "polygon" ? "none" : labelFill(label, labels),
          "fill-opacity": "0.25",
          stroke: labelStroke(label, labels),
          "stroke-width": String(2 * unit),
          "stroke-dasharray": `${6 * unit} ${4 * unit}`,
        }),
      );
      if (tool === "polygon") {
        for (const [x, y] of live) layer.appendChild(svg("circle", { cx: String(x), cy: String(y), r: String(4 * unit), fill: labelStroke(label, labels) }));
      }
    }
  }

  function removeShape(k: number): void {
    task.spans = (task.spans as Span[]).filter((_, j) => j !== k);
    render();
  }

  const shapeUnder = (e: MouseEvent): number | null => {
    const g = e.target instanceof Element ? e.target.closest<SVGGElement>("g.shape") : null;
    return g ? Number(g.getAttribute("data-shape")) : null;
  };

  layer.addEventListener("mousedown", (e) => {
    if (e.button !== 0) return;
    e.preventDefault();
    pressedShape = shapeUnder(e);
    dragScreen = [e.clientX, e.clientY];
    if (tool === "rect") dragStart = toImage(e);
  });
  const move = (e: MouseEvent): void => {
    if (tool === "rect" && dragStart) {
      const [x1, y1] = dragStart;
      const [x2, y2] = toImage(e);
      render([[x1, y1], [x2, y1], [x2, y2], [x1, y2]]);
    }
  };
  const up = (e: MouseEvent): void => {
    if (!dragScreen) return;
    const moved = Math.hypot(e.clientX - dragScreen[0], e.clientY - dragScreen[1]) > 4;
    const start = dragStart;
    const shape = pressedShape;
    dragScreen = dragStart = null;
    pressedShape = null;
    if (!moved && shape !== null && draft.length === 0) return removeShape(shape);
    if (tool === "rect") {
      if (moved && start) {
        const [x1, y1] = start;
        const [x2, y2] = toImage(e);
        addShape("rect", [[Math.min(x1, x2), Math.min(y1, y2)], [Math.max(x1, x2), Math.min(y1, y2)], [Math.max(x1, x2), Math.max(y1, y2)], [Math.min(x1, x2), Math.max(y1, y2)]]);
      }
      return render();
    }
    if (moved) return;
    const p = toImage(e);
    const r = layer.getBoundingClientRect();
    const scale = size()[0] / (r.width || 1);
    if (draft.length >= 3 && Math.hypot(p[0] - draft[0][0], p[1] - draft[0][1]) < 10 * scale) return closePolygon();
    draft = [...draft, p];
    render();
  };
  layer.addEventListener("dblclick", (e) => {
    e.preventDefault();
    if (tool === "polygon") closePolygon();
  });
  document.addEventListener("mousemove", move);
  document.addEventListener("mouseup", up);
  img.addEventListener("load", () => render());
  setTool("rect");

  return {
    el: h("div", { class: "view-image-manual" }, picker.el, toolbar, stage, list),
    onKey(e: KeyboardEvent): boolean {
      if (e.key === "t") {
        setTool(tool === "rect" ? "polygon" : "rect");
        return true;
      }
      if (e.key === "Enter" && draft.length) {
        closePolygon();
        return true;
      }
      if (e.key === "Escape" && draft.length) {
        draft = [];
        render();
        return true;
      }
      return picker.onKey(e);
    },
    destroy() {
      document.removeEventListener("mousemove", move);
      document.removeEventListener("mouseup", up);
    },
  };
}
