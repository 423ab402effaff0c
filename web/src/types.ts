/**
 * Shapes exchanged with the mentor server (see docs/web-app.md, "HTTP API").
 * Tasks are free-form JSON objects; these types name the keys the views read.
 */

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
  [key: string]: unknown;
}

export interface Stats {
  accept: number;
  reject: number;
  ignore: number;
  dataset_total?: number;
}

export interface ProjectResponse {
  view_id: string;
  dataset: string | false | null;
  labels?: string[] | null;
  config?: UiConfig | null;
  progress?: number | null;
  progress_kind?: string | null;
  total?: number | null;
  stats?: Stats | null;
  version?: string;
  session_id?: string;
}

export interface QuestionsResponse {
  tasks: Task[];
  total?: number | null;
  progress?: number | null;
  progress_kind?: string | null;
  session_id?: string | null;
}

export interface AnswersResponse {
  progress?: number | null;
  progress_kind?: string | null;
  total?: number | null;
  stats?: Stats | null;
  saved?: number;
}
