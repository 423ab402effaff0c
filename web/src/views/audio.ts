/**
 * audio and audio_manual: a recording (task.audio, or task.video shown above
 * its sound) on a waveform drawn by wavesurfer.js, bundled (no CDN).
 *
 * audio_manual adds labelled regions, stored as task.audio_spans
 * `[{start, end, label, id}]` in seconds (Prodigy's format). Mouse: drag on
 * the waveform to add a region, drag its edges to resize, click to select.
 * Keys: space plays or pauses, ←/→ seek 1 s (with Shift 5 s), `m` marks a
 * region's start at the playhead and, pressed again, its end; ↑/↓ select a
 * region, a number key picks the label (and relabels the selected region),
 * `d` deletes the selected region, Esc cancels a mark.
 *
 * A local file comes from the server (`GET /media?path=`, only files the
 * recipe's tasks name); a data URI is decoded here, since the page's
 * Content-Security-Policy lets scripts fetch from the server only.
 */
import WaveSurfer from "wavesurfer.js";
import RegionsPlugin from "wavesurfer.js/dist/plugins/regions.esm.js";
import type { Region } from "wavesurfer.js/dist/plugins/regions.esm.js";

type Regions = ReturnType<typeof RegionsPlugin.create>;
import { h } from "../dom";
import { labelFill, labelPicker } from "../labels";
import type { Task } from "../types";
import { spanLabels } from "./ner_manual";
import type { RenderedView, ViewContext } from "./view";

export interface AudioSpan {
  start: number;
  end: number;
  label: string;
  id?: string;
  [key: string]: unknown;
}

const HINT = "drag or m…m adds a region · ↑↓ select · d deletes · space plays · ←→ seek";
const SEEK = 1;
const SEEK_FAR = 5;
const round = (v: number): number => Math.round(v * 1000) / 1000;
const clock = (t: number): string => `${Math.floor(t / 60)}:${(t % 60).toFixed(2).padStart(5, "0")}`;

/** The URL the browser loads a task's media from. */
export function mediaUrl(value: string): string {
  return /^(https?:|data:|blob:)/i.test(value) ? value : `media?path=${encodeURIComponent(value)}`;
}

function dataBlob(uri: string): Blob {
  const [head, body = ""] = uri.split(",", 2);
  const mime = head.slice(5).split(";")[0] || "application/octet-stream";
  const bytes = head.includes(";base64") ? Uint8Array.from(atob(body), (c) => c.charCodeAt(0)) : new TextEncoder().encode(decodeURIComponent(body));
  return new Blob([bytes], { type: mime });
}

interface Player {
  el: HTMLElement;
  ws(): WaveSurfer | null;
  onKey(e: KeyboardEvent): boolean;
  mounted(): void;
  destroy(): void;
}

/** The media element, its waveform, a play button and the clock; `setup` adds plugins once wavesurfer exists. */
function player(task: Task, ctx: ViewContext, plugins: () => Regions[], onReady: (ws: WaveSurfer) => void): Player {
  const isVideo = typeof task.video === "string" && typeof task.audio !== "string";
  const source = String((isVideo ? task.video : task.audio) ?? "");
  const media = isVideo ? h("video", { class: "media-video", playsinline: "true", preload: "auto" }) : h("audio", { preload: "auto" });
  const wave = h("div", { class: "waveform", "data-state": "loading" });
  const time = h("span", { class: "media-time" }, "0:00.00");
  const play = h("button", { type: "button", class: "media-play", "aria-label": "Play or pause (space)", on: { click: () => ws?.playPause() } }, "▶");
  const note = h("div", { class: "muted media-note", hidden: "true" });
  let ws: WaveSurfer | null = null;

  const seek = (by: number): void => {
    if (!ws || !ws.getDuration()) return;
    ws.setTime(Math.min(Math.max(ws.getCurrentTime() + by, 0), ws.getDuration()));
  };
  const tick = (t: number): void => {
    time.textContent = `${clock(t)} / ${clock(ws?.getDuration() ?? 0)}`;
  };

  return {
    el: h("div", { class: "media-player" }, isVideo ? media : null, wave, h("div", { class: "media-bar" }, play, time), note),
    ws: () => ws,
    mounted() {
      if (ws) return;
      ws = WaveSurfer.create({
        container: wave,
        media,
        height: 96,
        waveColor: "#94a3b8",
        progressColor: "#2f5bd3",
        cursorColor: "#111827",
        normalize: true,
        dragToSeek: false,
        plugins: plugins(),
      });
      ws.on("ready", () => {
        wave.setAttribute("data-state", "ready");
        tick(0);
        onReady(ws!);
        if (ctx.config.audio_autoplay === true) ws!.play().catch(() => undefined);
      });
      ws.on("timeupdate", tick);
      ws.on("play", () => (play.textContent = "❚❚"));
      ws.on("pause", () => (play.textContent = "▶"));
      ws.on("error", (err) => {
        wave.setAttribute("data-state", "error");
        note.hidden = false;
        note.textContent = `Can't draw this ${isVideo ? "video" : "recording"}'s waveform (${String(err)}); it still plays here:`;
        // a file on another site: the page may not fetch it to draw it, but the player may still play it
        if (!source.startsWith("data:") && media.getAttribute("src") !== mediaUrl(source)) media.src = mediaUrl(source);
        media.controls = true;
        if (!media.isConnected) note.after(media);
      });
      const loading = source.startsWith("data:") ? ws.loadBlob(dataBlob(source)) : ws.load(mediaUrl(source));
      loading.catch(() => undefined); // reported by the "error" event
    },
    onKey(e: KeyboardEvent): boolean {
      if (e.key === " ") {
        if (!e.repeat) ws?.playPause().catch(() => undefined);
        return true;
      }
      if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
        seek((e.key === "ArrowLeft" ? -1 : 1) * (e.shiftKey ? SEEK_FAR : SEEK));
        return true;
      }
      return false;
    },
    destroy() {
      ws?.destroy();
      ws = null;
    },
  };
}

/** audio: play only (audio.transcribe puts a text field under it). */
export function audioView(task: Task, ctx: ViewContext): RenderedView {
  const p = player(task, ctx, () => [], () => undefined);
  return { el: h("div", { class: "view-audio" }, p.el), onKey: (e) => p.onKey(e), mounted: () => p.mounted(), destroy: () => p.destroy() };
}

/** audio_manual: labelled regions on the waveform, kept in task.audio_spans. */
export function audioManualView(task: Task, ctx: ViewContext): RenderedView {
  const labels = spanLabels(task, ctx);
  const initial: AudioSpan[] = Array.isArray(task.audio_spans) ? (task.audio_spans as AudioSpan[]) : [];
  task.audio_spans = initial;
  const labelOf = new Map<string, string>();
  const list = h("ul", { class: "shape-list region-list" });
  const hint = h("div", { class: "tool-hint" }, HINT);
  let regions: Regions | null = null;
  let selected: string | null = null;
  let markStart: number | null = null;
  let restoring = false;
  let closing = false; // wavesurfer removes every region as it is destroyed: the answer keeps them
  let counter = 0;

  const all = (): Region[] => (regions ? [...regions.getRegions()].sort((a, b) => a.start - b.start || a.end - b.end) : []);
  const selectedRegion = (): Region | undefined => all().find((r) => r.id === selected);
  // the picker calls back once as it is made, with the first label: all() must exist by then
  const picker = labelPicker(labels, ctx.config, (label) => {
    const region = selectedRegion();
    if (region && labelOf.get(region.id) !== label) {
      labelOf.set(region.id, label);
      paint(region);
      store();
    }
  });
  const p = player(task, ctx, () => [(regions = RegionsPlugin.create())], () => restore());


  function paint(region: Region): void {
    const label = labelOf.get(region.id) ?? "";
    const strength = region.id === selected ? 70 : 40;
    region.setOptions({
      color: `color-mix(in srgb, ${labelFill(label, labels)} ${strength}%, transparent)`,
      // inside wavesurfer's shadow root, where the page's styles don't reach
      content: h("span", { class: "region-label", style: { "font-size": "11px", "font-weight": "700", color: "#111827", padding: "2px 4px" } }, label),
    });
    region.element?.setAttribute("data-label", label);
    region.element?.toggleAttribute("data-selected", region.id === selected);
  }

  function store(): void {
    task.audio_spans = all().map((r) => ({ start: round(r.start), end: round(r.end), label: labelOf.get(r.id) ?? "", id: r.id }));
    list.replaceChildren(
      ...all().map((r) => {
        const label = labelOf.get(r.id) ?? "";
        return h(
          "li",
          { class: r.id === selected ? "selected" : "", "data-region": r.id, style: { "--label-fill": labelFill(label, labels) }, on: { click: () => select(r.id) } },
          h("span", { class: "label-swatch" }),
          h("span", null, `${label} · ${clock(r.start)}–${clock(r.end)}`),
          h("button", { type: "button", class: "shape-remove", "aria-label": `Remove ${label}`, on: { click: () => remove(r.id) } }, "×"),
        );
      }),
    );
  }

  function select(id: string | null): void {
    const before = selected;
    selected = id;
    for (const r of all()) if (r.id === id || r.id === before) paint(r);
    store();
  }

  function remove(id: string): void {
    all().find((r) => r.id === id)?.remove();
  }

  function add(start: number, end: number, label: string, id?: string): void {
    if (!regions) return;
    const rid = id ?? `r${Date.now().toString(36)}-${++counter}`;
    labelOf.set(rid, label);
    regions.addRegion({ id: rid, start, end, drag: true, resize: true, minLength: 0.01 });
  }

  function restore(): void {
    if (!regions) return;
    regions.on("region-created", (region) => {
      if (!labelOf.has(region.id)) {
        // drawn by dragging on the waveform: it gets the picked label
        const label = picker.selected();
        if (!label) {
          ctx.notify("Pick a label first");
          region.remove();
          return;
        }
        labelOf.set(region.id, label);
      }
      paint(region);
      if (!restoring) select(region.id);
    });
    regions.on("region-updated", () => store());
    regions.on("region-removed", (region) => {
      if (closing) return;
      labelOf.delete(region.id);
      if (selected === region.id) selected = null;
      store();
    });
    regions.on("region-clicked", (region, e) => {
      e.stopPropagation(); // a click selects, it doesn't seek
      select(region.id);
    });
    restoring = true;
    initial.forEach((span, i) => {
      if (typeof span.start === "number" && typeof span.end === "number") add(span.start, span.end, String(span.label ?? ""), String(span.id ?? `s${i}`));
    });
    restoring = false;
    regions.enableDragSelection({ drag: true, resize: true }, 3);
    store();
  }

  const markOrAdd = (): void => {
    const ws = p.ws();
    if (!ws || !ws.getDuration()) return;
    const t = ws.getCurrentTime();
    if (markStart === null) {
      markStart = t;
      hint.textContent = `Region starts at ${clock(t)}: move the playhead and press m again (Esc cancels)`;
      return;
    }
    const [start, end] = [Math.min(markStart, t), Math.max(markStart, t)];
    markStart = null;
    hint.textContent = HINT;
    const label = picker.selected();
    if (!label) return ctx.notify("Pick a label first");
    if (end - start < 0.01) return ctx.notify("A region needs a start and an end: move the playhead between the two presses");
    add(start, end, label);
  };

  const step = (by: number): void => {
    const ordered = all();
    if (!ordered.length) return;
    const at = ordered.findIndex((r) => r.id === selected);
    const next = at < 0 ? (by > 0 ? 0 : ordered.length - 1) : Math.min(Math.max(at + by, 0), ordered.length - 1);
    select(ordered[next].id);
  };

  return {
    el: h("div", { class: "view-audio-manual" }, picker.el, p.el, hint, list),
    mounted: () => p.mounted(),
    destroy() {
      closing = true;
      p.destroy();
    },
    onKey(e: KeyboardEvent): boolean {
      const key = e.key;
      if (key === "m") {
        markOrAdd();
        return true;
      }
      if (key === "d" && selected) {
        remove(selected);
        return true;
      }
      if (key === "ArrowUp" || key === "ArrowDown") {
        step(key === "ArrowUp" ? -1 : 1);
        return true;
      }
      if (key === "Escape" && (markStart !== null || selected)) {
        if (markStart === null) select(null);
        markStart = null;
        hint.textContent = HINT;
        return true;
      }
      return p.onKey(e) || picker.onKey(e);
    },
  };
}
