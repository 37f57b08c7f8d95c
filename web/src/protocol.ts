// Messages between the page (main thread) and the training worker. Everything is plain structured-cloneable data.

/** One training run: the algorithm, the env and the resolved options, as the CLI resolves them from the zoo. */
export interface RunSpec {
  /** Tags this run's metrics ("main" for the single run, "<variant>/<seed>" in an experiment). */
  key: string;
  algo: string;
  envId: string;
  totalTimesteps: number;
  nEnvs: number;
  seed: number;
  hyperparams: Record<string, unknown>;
  envKwargs: Record<string, unknown>;
}

/** The zoo table of one algorithm, as the page shows it: tuned entries by env id and the fallback. */
export interface ZooTable {
  entries: Record<string, ZooDefaults>;
  fallback: ZooDefaults | null;
}

export interface ZooDefaults {
  totalTimesteps: number;
  nEnvs: number;
  hyperparams: Record<string, unknown>;
  envKwargs: Record<string, unknown>;
}

export interface EnvInfo {
  id: string;
  /** "rgb" for envs drawn as images (classic control, MuJoCo), "toy" for toy text (grid or text). */
  view: "rgb" | "toy";
  /** The env selector's group. */
  group: "Classic control" | "Toy text" | "MuJoCo";
  rewardThreshold: number | null;
}

export type ToPage =
  | { type: "catalog"; algorithms: string[]; zoo: Record<string, ZooTable>; envs: EnvInfo[] }
  | { type: "status"; state: "training" | "paused" | "done" | "stopped"; key: string; numTimesteps: number }
  | { type: "metrics"; key: string; step: number; row: Record<string, number> }
  | { type: "evaluation"; key: string; meanReturn: number; stdReturn: number; episodes: number }
  | { type: "frame"; frame: Frame }
  | { type: "model"; bytes: Uint8Array; algo: string; envId: string }
  | { type: "loaded"; algo: string; envId: string; numTimesteps: number }
  | { type: "actions"; actions: number[][] }
  | { type: "experiment-done" }
  | { type: "info"; message: string }
  | { type: "error"; message: string };

export type ToWorker =
  | { type: "start"; run: RunSpec }
  | { type: "experiment"; runs: RunSpec[] }
  | { type: "pause" }
  | { type: "resume" }
  | { type: "stop" }
  | { type: "save" }
  | { type: "load"; bytes: Uint8Array; name: string; algo: string; envId: string }
  | { type: "actions"; observations: number[][] }
  | { type: "preview"; envId: string; envKwargs: Record<string, unknown> };

/** What the canvas shows: an RGBA image (classic control) or a toy-text state with the policy's greedy view. */
export type Frame =
  | { kind: "rgb"; width: number; height: number; rgba: Uint8ClampedArray<ArrayBuffer>; episodeReturn: number }
  | {
      kind: "toy";
      envId: string;
      /** The env's text frame (ANSI codes stripped). */
      text: string;
      /** Grid cells by row (map letters) for grid worlds, else null. */
      cells: string[][] | null;
      state: number;
      /** Greedy action in every state (empty before there is a model), and max_a Q(s, a) for a Q-table (else null). */
      greedy: number[];
      values: number[] | null;
      /** Q-table, row-major states x actions, for tabular models; else null. */
      q: number[] | null;
      nActions: number;
      episodeReturn: number;
    };
