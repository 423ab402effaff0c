/** What every view provides, and what the app hands to it. */
import type { AnswerKind, Task, UiConfig } from "../types";

export interface ViewContext {
  viewId: string;
  /** UI settings; inside blocks, the block's own settings on top. */
  config: UiConfig;
  labels: string[];
  /** Rendered as one block of a blocks card (other blocks show the content). */
  inBlock?: boolean;
  /** Accept the current task (choice_auto_accept). */
  accept(): void;
  /** Answer the current task (review: a binary version's number key). */
  answer(kind: AnswerKind): void;
  /** Show a short message to the annotator. */
  notify(message: string): void;
}

export interface RenderedView {
  el: HTMLElement;
  /** Handle a key before the app's own keys; return true when handled. */
  onKey?(e: KeyboardEvent): boolean;
  /** Called once the view is in the document (focus a field, measure an image). */
  mounted?(): void;
  destroy?(): void;
}

export type ViewRenderer = (task: Task, ctx: ViewContext) => RenderedView;
