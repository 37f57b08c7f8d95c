/**
 * Typed errors for every public input check. Messages name the argument, the value and what was expected,
 * so a user can fix the call without reading tsrl's source.
 */
export class TsrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An argument, option or config value is out of range or of the wrong kind. */
export class InvalidArgumentError extends TsrlError {}

/** Tensor or array shapes do not agree. */
export class ShapeError extends TsrlError {}

/** A NaN or an infinity reached a place that requires finite numbers. */
export class NonFiniteError extends TsrlError {}

/** An environment was used against its contract (action outside its space, step after the episode ended...). */
export class EnvError extends TsrlError {}

/** A checkpoint or safetensors file is truncated, corrupt, of a newer format, or does not match the model. */
export class CheckpointError extends TsrlError {}

/** A zip archive is truncated, corrupt, uses an unsupported feature, or exceeds a size limit (a zip bomb). */
export class ArchiveError extends TsrlError {}

/**
 * A pickle (a PyTorch `.pth`) holds an opcode or names a global outside the restricted set a state_dict needs, or is
 * malformed. Nothing in it is ever executed: the reader refuses instead.
 */
export class PickleError extends TsrlError {}

/** A Stable-Baselines3 model cannot be imported (unknown algorithm, policy, space or a missing tensor). */
export class Sb3ImportError extends TsrlError {}

/** Render a value for an error message: short, and exact for numbers. */
export function describe(value: unknown): string {
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const arr = Array.from(value as unknown as ArrayLike<number>).slice(0, 8);
    const more = (value as unknown as ArrayLike<number>).length > 8 ? ", ..." : "";
    return `${value.constructor.name}[${arr.join(", ")}${more}]`;
  }
  try {
    const s = JSON.stringify(value);
    if (s !== undefined) return s.length > 120 ? `${s.slice(0, 117)}...` : s;
  } catch {
    // fall through for cyclic values
  }
  return String(value);
}
