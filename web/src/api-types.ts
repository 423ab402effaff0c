// Generated from the server's OpenAPI schema by scripts/gen_api_types.mjs: do not edit.
// Regenerate: python scripts/dump_openapi.py | node scripts/gen_api_types.mjs > src/api-types.ts

export interface AnswersRequest {
  /** Tasks as served, plus 'answer' and edits */
  answers: Array<Record<string, unknown>>;
  session_id?: string | null;
  /** The tab sending (an empty batch is its ping: the tasks it holds stay its own) */
  tab_id?: string | null;
}

export interface AnswersResponse {
  progress?: number | null;
  progress_kind?: "answered" | "loss" | "recipe" | null;
  /** Answers newly stored (0 for a batch already stored) */
  saved: number;
  session_id: string;
  stats: Stats;
  total?: number | null;
}

export interface ErrorResponse {
  code: string;
  detail: string;
  /** The refused answer's position in the batch, from 0 */
  index?: number | null;
  /** The refused answer's task (422 about one answer) */
  task_hash?: number | null;
}

export interface HealthResponse {
  status?: "ok";
}

export interface ProjectResponse {
  config?: Record<string, unknown>;
  dataset?: string | null;
  labels?: Array<string>;
  progress?: number | null;
  progress_kind?: "answered" | "loss" | "recipe" | null;
  session_id: string;
  /** Bad source lines skipped so far, left out of the tasks served */
  skipped?: number;
  /** The first few, as 'file:line: problem' */
  skipped_lines?: Array<string>;
  stats: Stats;
  total?: number | null;
  version: string;
  view_id: string;
}

export interface QuestionsResponse {
  /** Tasks this tab could answer that other tabs or sessions hold now; with no tasks, more may come once their holder is silent for session_hold_seconds: ask again */
  held_elsewhere?: number;
  progress?: number | null;
  progress_kind?: "answered" | "loss" | "recipe" | null;
  session_id: string;
  /** Bad source lines skipped so far (the stream reads on as it serves) */
  skipped?: number;
  /** The first few, as 'file:line: problem' */
  skipped_lines?: Array<string>;
  /** The next batch; empty means no tasks available */
  tasks: Array<Record<string, unknown>>;
  total?: number | null;
}

export interface SessionRequest {
  /** Bare session name (?session=NAME) or full DATASET-NAME; null: default */
  session_id?: string | null;
  /** The app's id for one browser tab: tabs of one session get different tasks; null: one tab */
  tab_id?: string | null;
}

export interface Stats {
  accept?: number;
  dataset_total?: number;
  ignore?: number;
  reject?: number;
}
