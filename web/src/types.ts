/**
 * Shapes exchanged with the mentor server (see docs/web-app.md, "HTTP API").
 * Tasks are free-form JSON objects; these types name the keys the views read.
 */

import type * as api from "./api-types";

export type AnswerKind = "accept" | "reject" | "ignore";

export interface Token {
  text: string;
  start: number;
  end: number;
  id?: number;
  ws?: boolean;
  disabled?: boolean;
}

export interface Span {
  label: string;
  start?: number;
  end?: number;
  token_start?: number;
  token_end?: number;
  score?: number;
  /** image_manual: shape corners in image pixels */
  points?: number[][];
  type?: "rect" | "polygon";
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  [key: string]: unknown;
}

export interface Option {
  id: string | number;
  text?: string;
  image?: string;
  [key: string]: unknown;
}

export interface Task {
  text?: string | null;
  html?: string | null;
  image?: string | null;
  label?: string | null;
  spans?: Span[];
  tokens?: Token[];
  options?: Option[];
  accept?: Array<string | number>;
  meta?: Record<string, unknown> | null;
  score?: number | null;
  answer?: AnswerKind;
  _input_hash?: number;
  _task_hash?: number;
  _timestamp?: number;
  /** Seconds the task was on screen before it was answered (set by the app, timing.ts). */
  _time_on_screen?: number;
  [key: string]: unknown;
}

/** One entry of config.blocks: a view_id plus settings or task keys to override. */
export interface Block {
  view_id: string;
  [key: string]: unknown;
}

export interface UiConfig {
  batch_size?: number;
  history_size?: number;
  instant_submit?: boolean;
  show_stats?: boolean;
  choice_style?: "single" | "multiple";
  choice_auto_accept?: boolean;
  labels?: string[] | null;
  blocks?: Block[] | null;
  html_template?: string | null;
  ner_manual_highlight_chars?: boolean;
  field_id?: string;
  field_label?: string;
  field_rows?: number;
  field_placeholder?: string;
  field_autofocus?: boolean;
  darken_image?: number;
  hide_meta?: boolean;
  keymap_by_label?: Record<string, string> | null;
  /** The index the number keys of labels and options start at (review: 10, Shift+1). */
  number_key_offset?: number;
  /** review: the view the answers were given in, and whether it asked yes/no questions. */
  review_view_id?: string;
  review_binary?: boolean;
  /** The recipe has validate_answer: each answer is checked before the next task shows. */
  validate_answer?: boolean;
  /** Prodigy's UI settings: instructions (sanitized HTML from the server), a flag button,
   *  which answer buttons show, themes, and the operator's own CSS and script (served in the page). */
  instructions?: string | null;
  show_flag?: boolean;
  buttons?: string[] | null;
  custom_theme?: Record<string, unknown> | null;
  card_css?: Record<string, unknown> | null;
  [key: string]: unknown;
}

/* The envelopes come from the server's OpenAPI schema (src/api-types.ts, generated);
   only the free-form parts the schema can't describe (tasks, UI config) are refined here. */

export type Stats = api.Stats;
export type AnswersResponse = api.AnswersResponse;
export type ErrorResponse = api.ErrorResponse;

export interface AnswersRequest extends Omit<api.AnswersRequest, "answers"> {
  answers: Task[];
}

export interface ProjectResponse extends Omit<api.ProjectResponse, "config"> {
  config?: UiConfig;
}

export interface QuestionsResponse extends Omit<api.QuestionsResponse, "tasks"> {
  tasks: Task[];
}
