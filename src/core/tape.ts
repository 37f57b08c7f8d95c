import type { Engine } from "./engine.js";
import type { Tensor } from "./tensor.js";

/**
 * One differentiable op: its name (for error messages and check mode) and its backward rule. The forward lives
 * beside it in ops.ts. `backward` reads `node.out.grad` and ACCUMULATES into the inputs' gradients
 * (obtained with `engine.gradOf(t)`, which returns -1 for inputs that need none).
 */
export interface OpDef {
  readonly name: string;
  backward(node: TapeNode, engine: Engine): void;
}

/**
 * A recorded op application. Nodes are pooled by the engine and reused across steps, so recording allocates
 * nothing once warm: the fields are a fixed set of slots each op interprets as it documents.
 */
export class TapeNode {
  op: OpDef | null = null;
  out: Tensor | null = null;
  /** Up to three tensor inputs or saved tensors. */
  a: Tensor | null = null;
  b: Tensor | null = null;
  c: Tensor | null = null;
  /** Numeric attributes (axis, scalar, clamp bounds, transpose flags...). */
  n0 = 0;
  n1 = 0;
  /** A saved copy of an integer or mask argument (gather indices, where mask). */
  index: Int32Array | Uint8Array | null = null;

  clear(): void {
    this.op = null;
    this.out = null;
    this.a = null;
    this.b = null;
    this.c = null;
    this.index = null;
  }
}
