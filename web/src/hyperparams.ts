// The hyperparameter form: one field per option of the chosen defaults, typed after the default's value, parsed
// back with a message naming the field and what was wrong. Range checks are the algorithm's own (its constructor
// names the option and the valid values), so the page never disagrees with the library.
import type { ZooDefaults } from "./protocol.js";

export interface ParsedRun {
  totalTimesteps: number;
  nEnvs: number;
  seed: number;
  hyperparams: Record<string, unknown>;
}

export class FormError extends Error {
  constructor(
    readonly field: HTMLElement,
    message: string,
  ) {
    super(message);
  }
}

const RUN_FIELDS = [
  { key: "totalTimesteps", label: "total timesteps", min: 1 },
  { key: "nEnvs", label: "parallel envs", min: 1 },
  { key: "seed", label: "seed", min: 0 },
] as const;

/** Fill `root` with inputs for `d` (run fields first, then the algorithm's options). */
export function renderForm(root: HTMLElement, d: ZooDefaults): void {
  root.replaceChildren();
  const add = (key: string, label: string, value: unknown): void => {
    const row = document.createElement("div");
    row.className = "row";
    const id = `hp-${key}`;
    const lab = document.createElement("label");
    lab.htmlFor = id;
    lab.textContent = label;
    const input = document.createElement("input");
    input.id = id;
    input.dataset.key = key;
    input.dataset.kind =
      typeof value === "number"
        ? "number"
        : typeof value === "boolean"
          ? "boolean"
          : typeof value === "string"
            ? "string"
            : "json";
    input.value = typeof value === "string" ? value : JSON.stringify(value);
    if (input.dataset.kind === "number") input.inputMode = "decimal";
    input.spellcheck = false;
    input.addEventListener("input", () => input.removeAttribute("aria-invalid"));
    row.append(lab, input);
    root.append(row);
  };
  for (const f of RUN_FIELDS) add(f.key, f.label, f.key === "seed" ? 0 : d[f.key]);
  for (const [k, v] of Object.entries(d.hyperparams)) add(k, k, v);
}

function fail(input: HTMLInputElement | HTMLTextAreaElement, message: string): never {
  input.setAttribute("aria-invalid", "true");
  throw new FormError(input, message);
}

/** Read the form back; a {@link FormError} names the first bad field. */
export function parseForm(root: HTMLElement, extra: HTMLTextAreaElement): ParsedRun {
  const out: ParsedRun = { totalTimesteps: 0, nEnvs: 1, seed: 0, hyperparams: {} };
  for (const input of Array.from(root.querySelectorAll<HTMLInputElement>("input[data-key]"))) {
    const key = input.dataset.key as string;
    const text = input.value.trim();
    const run = RUN_FIELDS.find((f) => f.key === key);
    if (run) {
      const v = Number(text);
      if (text === "" || !Number.isSafeInteger(v) || v < run.min) {
        fail(input, `${run.label} must be an integer >= ${run.min}, got ${JSON.stringify(input.value)}`);
      }
      out[run.key] = v;
      continue;
    }
    let v: unknown;
    switch (input.dataset.kind) {
      case "number":
        v = Number(text);
        if (text === "" || !Number.isFinite(v))
          fail(input, `${key} must be a number, got ${JSON.stringify(input.value)}`);
        break;
      case "boolean":
        if (text !== "true" && text !== "false")
          fail(input, `${key} must be true or false, got ${JSON.stringify(input.value)}`);
        v = text === "true";
        break;
      case "string":
        v = text;
        break;
      default:
        try {
          v = JSON.parse(text);
        } catch {
          fail(
            input,
            `${key} must be JSON (a number, list or object like the default), got ${JSON.stringify(input.value)}`,
          );
        }
    }
    out.hyperparams[key] = v;
  }
  const more = extra.value.trim();
  if (more !== "") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(more);
    } catch (e) {
      fail(extra, `more options must be a JSON object: ${(e as Error).message}`);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      fail(extra, `more options must be a JSON object like {"normalizeObs": true}, got ${more}`);
    }
    Object.assign(out.hyperparams, parsed);
  }
  return out;
}
