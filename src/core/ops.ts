/**
 * Differentiable tensor ops. Each op is a forward function followed by its backward rule (an {@link OpDef}), side
 * by side. Forward: validate, allocate the output, run a kernel, record a tape node when gradients are needed.
 * Backward: read the output gradient and ACCUMULATE into the inputs' gradients.
 *
 * Shapes are row-major. Binary ops broadcast in four ways only (the kernels' {@link Broadcast} modes): same shape,
 * a row vector [D] (or [1,D]) against [..., D], a column [B,1] against [B,D], and a scalar ([] / [1]).
 */
import { InvalidArgumentError, ShapeError } from "../errors.js";
import type { Engine } from "./engine.js";
import { type BinaryKernel, Broadcast, type Kernels } from "./kernels/kernels.js";
import { log1p, exp as mathExp, log as mathLog } from "./math/index.js";
import type { OpDef, TapeNode } from "./tape.js";
import { fmtShape, Tensor, type WeightPack } from "./tensor.js";

// ------------------------------------------------------------------ helpers

function engineOf(op: string, a: Tensor, b?: Tensor): Engine {
  if (!(a instanceof Tensor)) throw new InvalidArgumentError(`${op}: expected a Tensor, got ${typeName(a)}`);
  a.live();
  if (b !== undefined) {
    if (!(b instanceof Tensor)) throw new InvalidArgumentError(`${op}: expected a Tensor, got ${typeName(b)}`);
    b.live();
    if (b.engine !== a.engine) throw new InvalidArgumentError(`${op}: tensors belong to different engines`);
  }
  return a.engine;
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return typeof v;
}

function checkNumber(op: string, name: string, v: number): void {
  if (typeof v !== "number" || Number.isNaN(v)) {
    throw new InvalidArgumentError(`${op}: ${name} must be a number, got ${String(v)}`);
  }
}

/** Output tensor of an op: requires grad iff it is recorded. */
function output(eng: Engine, shape: readonly number[], size: number, recorded: boolean): Tensor {
  return eng.empty(shape, size, recorded, !recorded);
}

function finish(eng: Engine, op: OpDef, out: Tensor): Tensor {
  if (eng.checkFinite) eng.assertFinite(op.name, out);
  return out;
}

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Resolved broadcast of a binary op: output [rows, cols] with each operand's mode. */
interface Layout {
  shape: readonly number[];
  rows: number;
  cols: number;
  aMode: Broadcast;
  bMode: Broadcast;
}

/** How `small` lays out against `big` (the output), or -1 when it does not. */
function modeAgainst(big: readonly number[], bigSize: number, small: readonly number[], smallSize: number): number {
  if (smallSize === 1) return Broadcast.Scalar;
  if (big.length === 0) return -1;
  const last = big[big.length - 1];
  if (small.length <= big.length && smallSize === last && small[small.length - 1] === last) return Broadcast.Row;
  if (small.length === big.length && small[small.length - 1] === 1 && smallSize * last === bigSize) {
    for (let i = 0; i < big.length - 1; i++) if (small[i] !== big[i]) return -1;
    return Broadcast.Col;
  }
  return -1;
}

/** The one Layout `layout` fills (read at once by its caller; ops never nest between the two). */
const scratchLayout: Layout = { shape: [], rows: 0, cols: 0, aMode: Broadcast.Full, bMode: Broadcast.Full };

function layout(op: string, a: Tensor, b: Tensor): Layout {
  const L = scratchLayout;
  if (sameShape(a.shape, b.shape)) {
    L.shape = a.shape;
    L.rows = 1;
    L.cols = a.size;
    L.aMode = Broadcast.Full;
    L.bMode = Broadcast.Full;
    return L;
  }
  const aBig = a.size > b.size || (a.size === b.size && a.shape.length >= b.shape.length);
  const big = aBig ? a : b;
  const small = aBig ? b : a;
  const mode = modeAgainst(big.shape, big.size, small.shape, small.size);
  if (mode < 0) {
    throw new ShapeError(
      `${op}: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} do not broadcast ` +
        "(supported: equal shapes, [..., D] with [D], [B, D] with [B, 1], or a scalar)",
    );
  }
  const cols = mode === Broadcast.Scalar ? big.size : big.shape[big.shape.length - 1];
  L.shape = big.shape;
  L.cols = cols;
  L.rows = mode === Broadcast.Scalar ? 1 : big.size / cols;
  L.aMode = aBig ? Broadcast.Full : (mode as Broadcast);
  L.bMode = aBig ? (mode as Broadcast) : Broadcast.Full;
  return L;
}

/**
 * dst (+)= alpha * reduce(src) where src is a full [rows, cols] gradient and dst an operand laid out by `mode`.
 * Allocates a temporary only for alpha != 1 on a broadcast operand (backward runs inside its own arena mark).
 */
function accumulateInto(
  eng: Engine,
  src: number,
  mode: Broadcast,
  dst: number,
  rows: number,
  cols: number,
  alpha: number,
): void {
  const k = eng.kernels;
  if (mode === Broadcast.Full) {
    k.axpy(alpha, src, dst, rows * cols);
    return;
  }
  const n = mode === Broadcast.Row ? cols : mode === Broadcast.Col ? rows : 1;
  let target = dst;
  if (alpha !== 1) target = eng.arena.alloc(n);
  const acc = alpha === 1;
  if (mode === Broadcast.Row) k.sumCols(src, target, rows, cols, acc);
  else if (mode === Broadcast.Col) k.sumRows(src, target, rows, cols, acc);
  else k.sumAll(src, target, rows * cols, acc);
  if (!acc) k.axpy(alpha, target, dst, n);
}

// ------------------------------------------------------------------ binary elementwise

/** A binary elementwise op: its kernel (read off the engine's kernels) and its backward. */
interface BinaryOp extends OpDef {
  kernel(k: Kernels): BinaryKernel;
}

function binary(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  const eng = engineOf(op.name, a, b);
  const L = layout(op.name, a, b);
  const rec = eng.needsGrad(a, b);
  const out = output(eng, L.shape, L.rows * L.cols, rec);
  op.kernel(eng.kernels)(a.offset, L.aMode, b.offset, L.bMode, out.offset, L.rows, L.cols, false);
  if (rec) recordBinary(eng, op, out, a, b, L);
  return finish(eng, op, out);
}

/** Broadcast modes of a recorded binary node: packed as aMode * 4 + bMode in n0 (rows in n1). */
function aModeOf(node: TapeNode): Broadcast {
  return (node.n0 >> 2) as Broadcast;
}
function bModeOf(node: TapeNode): Broadcast {
  return (node.n0 & 3) as Broadcast;
}
function recordBinary(eng: Engine, op: OpDef, out: Tensor, a: Tensor, b: Tensor, L: Layout): TapeNode {
  const node = eng.record(op, out, a, b);
  node.n0 = L.aMode * 4 + L.bMode;
  node.n1 = L.rows;
  return node;
}

const ADD: BinaryOp = {
  name: "add",
  kernel: (k) => k.add,
  backward(node, eng) {
    const ga = eng.gradOf(node.a);
    const gb = eng.gradOf(node.b);
    const out = node.out as Tensor;
    const g = (out.grad as Tensor).offset;
    const rows = node.n1;
    const cols = out.size / rows;
    if (ga >= 0) accumulateInto(eng, g, aModeOf(node), ga, rows, cols, 1);
    if (gb >= 0) accumulateInto(eng, g, bModeOf(node), gb, rows, cols, 1);
  },
};
/** a + b */
export function add(a: Tensor, b: Tensor): Tensor {
  return binary(ADD, a, b);
}

const SUB: BinaryOp = {
  name: "sub",
  kernel: (k) => k.sub,
  backward(node, eng) {
    const ga = eng.gradOf(node.a);
    const gb = eng.gradOf(node.b);
    const out = node.out as Tensor;
    const g = (out.grad as Tensor).offset;
    const rows = node.n1;
    const cols = out.size / rows;
    if (ga >= 0) accumulateInto(eng, g, aModeOf(node), ga, rows, cols, 1);
    if (gb >= 0) accumulateInto(eng, g, bModeOf(node), gb, rows, cols, -1);
  },
};
/** a - b */
export function sub(a: Tensor, b: Tensor): Tensor {
  return binary(SUB, a, b);
}

/**
 * Shared backward of mul/div: d out / d a = factorA, accumulated as g * factor. For a full operand the kernel
 * accumulates in place; a broadcast operand goes through a full temporary that is then reduced.
 */
function productGrad(
  eng: Engine,
  kernel: BinaryKernel,
  g: number,
  other: number,
  otherMode: Broadcast,
  dst: number,
  mode: Broadcast,
  rows: number,
  cols: number,
  alpha: number,
): void {
  if (mode === Broadcast.Full && alpha === 1) {
    kernel(g, Broadcast.Full, other, otherMode, dst, rows, cols, true);
    return;
  }
  const tmp = eng.arena.alloc(rows * cols);
  kernel(g, Broadcast.Full, other, otherMode, tmp, rows, cols, false);
  accumulateInto(eng, tmp, mode, dst, rows, cols, alpha);
}

const MUL: BinaryOp = {
  name: "mul",
  kernel: (k) => k.mul,
  backward(node, eng) {
    const a = node.a as Tensor;
    const b = node.b as Tensor;
    const ga = eng.gradOf(a);
    const gb = eng.gradOf(b);
    const out = node.out as Tensor;
    const g = (out.grad as Tensor).offset;
    const rows = node.n1;
    const cols = out.size / rows;
    const k = eng.kernels;
    // d(a*b)/da = b, d(a*b)/db = a
    if (ga >= 0) productGrad(eng, k.mul, g, b.offset, bModeOf(node), ga, aModeOf(node), rows, cols, 1);
    if (gb >= 0) productGrad(eng, k.mul, g, a.offset, aModeOf(node), gb, bModeOf(node), rows, cols, 1);
  },
};
/** a * b (elementwise) */
export function mul(a: Tensor, b: Tensor): Tensor {
  return binary(MUL, a, b);
}

const DIV: BinaryOp = {
  name: "div",
  kernel: (k) => k.div,
  backward(node, eng) {
    const b = node.b as Tensor;
    const ga = eng.gradOf(node.a);
    const gb = eng.gradOf(b);
    const out = node.out as Tensor;
    const g = (out.grad as Tensor).offset;
    const rows = node.n1;
    const cols = out.size / rows;
    const k = eng.kernels;
    // d(a/b)/da = 1/b
    if (ga >= 0) productGrad(eng, k.div, g, b.offset, bModeOf(node), ga, aModeOf(node), rows, cols, 1);
    // d(a/b)/db = -a/b^2 = -out/b
    if (gb >= 0) {
      const tmp = eng.arena.alloc(rows * cols);
      k.mul(g, Broadcast.Full, out.offset, Broadcast.Full, tmp, rows, cols, false);
      productGrad(eng, k.div, tmp, b.offset, bModeOf(node), gb, bModeOf(node), rows, cols, -1);
    }
  },
};
/** a / b (elementwise) */
export function div(a: Tensor, b: Tensor): Tensor {
  return binary(DIV, a, b);
}

/** Backward of minimum/maximum: operands expanded to full, routed by the kernel (ties split), then reduced. */
function minMaxBackward(node: TapeNode, eng: Engine, isMax: boolean): void {
  const a = node.a as Tensor;
  const b = node.b as Tensor;
  const ga = eng.gradOf(a);
  const gb = eng.gradOf(b);
  const out = node.out as Tensor;
  const g = (out.grad as Tensor).offset;
  const rows = node.n1;
  const cols = out.size / rows;
  const n = rows * cols;
  const k = eng.kernels;
  const aMode = aModeOf(node);
  const bMode = bModeOf(node);
  let af = a.offset;
  let bf = b.offset;
  if (aMode !== Broadcast.Full) {
    af = eng.arena.alloc(n);
    k.broadcast(a.offset, aMode, af, rows, cols);
  }
  if (bMode !== Broadcast.Full) {
    bf = eng.arena.alloc(n);
    k.broadcast(b.offset, bMode, bf, rows, cols);
  }
  const ta = eng.arena.alloc(n);
  const tb = eng.arena.alloc(n);
  k.minMaxBackward(af, bf, g, ta, tb, n, isMax);
  if (ga >= 0) accumulateInto(eng, ta, aMode, ga, rows, cols, 1);
  if (gb >= 0) accumulateInto(eng, tb, bMode, gb, rows, cols, 1);
}

const MINIMUM: BinaryOp = {
  name: "minimum",
  kernel: (k) => k.minimum,
  backward: (node, eng) => minMaxBackward(node, eng, false),
};
/** Elementwise min(a, b); on ties each side gets half the gradient (PyTorch). */
export function minimum(a: Tensor, b: Tensor): Tensor {
  return binary(MINIMUM, a, b);
}

const MAXIMUM: BinaryOp = {
  name: "maximum",
  kernel: (k) => k.maximum,
  backward: (node, eng) => minMaxBackward(node, eng, true),
};
/** Elementwise max(a, b); on ties each side gets half the gradient (PyTorch). */
export function maximum(a: Tensor, b: Tensor): Tensor {
  return binary(MAXIMUM, a, b);
}

const WHERE: OpDef = {
  name: "where",
  backward(node, eng) {
    const mask = node.index as Uint8Array;
    const ga = eng.gradOf(node.a);
    const gb = eng.gradOf(node.b);
    const out = node.out as Tensor;
    const g = (out.grad as Tensor).offset;
    const rows = node.n1;
    const cols = out.size / rows;
    const n = rows * cols;
    const k = eng.kernels;
    for (let side = 0; side < 2; side++) {
      const dst = side === 0 ? ga : gb;
      if (dst < 0) continue;
      const mode = side === 0 ? aModeOf(node) : bModeOf(node);
      if (mode === Broadcast.Full) k.maskedGrad(mask, side === 1, g, dst, n, true);
      else {
        const tmp = eng.arena.alloc(n);
        k.maskedGrad(mask, side === 1, g, tmp, n, false);
        accumulateInto(eng, tmp, mode, dst, rows, cols, 1);
      }
    }
  },
};
/** mask[i] ? a[i] : b[i]; `mask` is a Uint8Array with one entry per output element (nonzero = take a). */
export function where(mask: Uint8Array, a: Tensor, b: Tensor): Tensor {
  const eng = engineOf("where", a, b);
  if (!(mask instanceof Uint8Array)) {
    throw new InvalidArgumentError(`where: mask must be a Uint8Array, got ${typeName(mask)}`);
  }
  const L = layout("where", a, b);
  const n = L.rows * L.cols;
  if (mask.length !== n) {
    throw new ShapeError(`where: mask has length ${mask.length}, output shape ${fmtShape(L.shape)} needs ${n}`);
  }
  const rec = eng.needsGrad(a, b);
  const out = output(eng, L.shape, n, rec);
  eng.kernels.where(mask, a.offset, L.aMode, b.offset, L.bMode, out.offset, L.rows, L.cols);
  if (rec) {
    const node = recordBinary(eng, WHERE, out, a, b, L);
    node.index = mask.slice(); // the caller may reuse its mask buffer before backward
  }
  return finish(eng, WHERE, out);
}

// ------------------------------------------------------------------ unary elementwise

/**
 * An op with one input `a`, its forward and backward side by side. `forward` writes the n outputs at `out` from the
 * input at `x`, given the op's two numeric attributes (also kept in the node as n0, n1). `grad` runs only when `a`
 * wants a gradient, with `gx` the offset of that gradient, to add the op's chain rule into it from `out.grad` (`g`).
 */
interface UnaryOp extends OpDef {
  forward(eng: Engine, x: number, out: number, n: number, s0: number, s1: number): void;
}
function unaryOp(
  name: string,
  forward: UnaryOp["forward"],
  grad: (eng: Engine, out: Tensor, g: number, gx: number, node: TapeNode) => void,
): UnaryOp {
  return {
    name,
    forward,
    backward(node, eng) {
      const gx = eng.gradOf(node.a);
      const out = node.out as Tensor;
      if (gx >= 0) grad(eng, out, (out.grad as Tensor).offset, gx, node);
    },
  };
}

function unary(op: UnaryOp, x: Tensor, s0 = 0, s1 = 0): Tensor {
  const eng = engineOf(op.name, x);
  const rec = eng.needsGrad(x);
  const out = output(eng, x.shape, x.size, rec);
  op.forward(eng, x.offset, out.offset, x.size, s0, s1);
  if (rec) {
    const node = eng.record(op, out, x);
    node.n0 = s0;
    node.n1 = s1;
  }
  return finish(eng, op, out);
}

const NEG = unaryOp(
  "neg",
  (e, x, o, n) => e.kernels.neg(x, o, n),
  (eng, out, g, gx) => eng.kernels.axpy(-1, g, gx, out.size),
);
/** -x */
export function neg(x: Tensor): Tensor {
  return unary(NEG, x);
}

const EXP = unaryOp(
  "exp",
  (e, x, o, n) => e.kernels.exp(x, o, n),
  // d exp(x) = exp(x) = out
  (eng, out, g, gx) => eng.kernels.mul(g, Broadcast.Full, out.offset, Broadcast.Full, gx, 1, out.size, true),
);
/** e^x */
export function exp(x: Tensor): Tensor {
  return unary(EXP, x);
}

const LOG = unaryOp(
  "log",
  (e, x, o, n) => e.kernels.log(x, o, n),
  // d log(x) = 1/x
  (eng, out, g, gx, node) =>
    eng.kernels.div(g, Broadcast.Full, (node.a as Tensor).offset, Broadcast.Full, gx, 1, out.size, true),
);
/** natural log */
export function log(x: Tensor): Tensor {
  return unary(LOG, x);
}

const TANH = unaryOp(
  "tanh",
  (e, x, o, n) => e.kernels.tanh(x, o, n),
  // d tanh(x) = 1 - tanh(x)^2
  (eng, out, g, gx) => eng.kernels.tanhBackward(out.offset, g, gx, out.size, true),
);
/** tanh(x) */
export function tanh(x: Tensor): Tensor {
  return unary(TANH, x);
}

const RELU = unaryOp(
  "relu",
  (e, x, o, n) => e.kernels.relu(x, o, n),
  (eng, out, g, gx) => eng.kernels.reluBackward(out.offset, g, gx, out.size, true),
);
/** max(x, 0); gradient 0 at x = 0 (PyTorch). */
export function relu(x: Tensor): Tensor {
  return unary(RELU, x);
}

const SQUARE = unaryOp(
  "square",
  (e, x, o, n) => e.kernels.square(x, o, n),
  // d x^2 = 2x
  (eng, out, g, gx, node) => {
    const tmp = eng.arena.alloc(out.size);
    eng.kernels.scale((node.a as Tensor).offset, 2, tmp, out.size);
    eng.kernels.mul(g, Broadcast.Full, tmp, Broadcast.Full, gx, 1, out.size, true);
  },
);
/** x^2 */
export function square(x: Tensor): Tensor {
  return unary(SQUARE, x);
}

const SQRT = unaryOp(
  "sqrt",
  (e, x, o, n) => e.kernels.sqrt(x, o, n),
  // d sqrt(x) = 1 / (2 sqrt(x)) = 0.5 / out
  (eng, out, g, gx) => {
    const tmp = eng.arena.alloc(out.size);
    eng.kernels.scale(g, 0.5, tmp, out.size);
    eng.kernels.div(tmp, Broadcast.Full, out.offset, Broadcast.Full, gx, 1, out.size, true);
  },
);
/** sqrt(x) */
export function sqrt(x: Tensor): Tensor {
  return unary(SQRT, x);
}

const ABS = unaryOp(
  "abs",
  (e, x, o, n) => {
    const v = e.arena.view;
    for (let i = 0; i < n; i++) v[o + i] = Math.abs(v[x + i]);
  },
  // d|x| = sign(x), 0 at 0 (PyTorch)
  (eng, out, g, gx, node) => {
    const x = (node.a as Tensor).offset;
    const v = eng.arena.view;
    for (let i = 0; i < out.size; i++) {
      const xv = v[x + i];
      if (xv > 0) v[gx + i] += v[g + i];
      else if (xv < 0) v[gx + i] -= v[g + i];
    }
  },
);
/** |x| */
export function abs(x: Tensor): Tensor {
  return unary(ABS, x);
}

const SOFTPLUS = unaryOp(
  "softplus",
  (e, x, o, n) => {
    const v = e.arena.view;
    for (let i = 0; i < n; i++) {
      const t = v[x + i];
      v[o + i] = Math.max(t, 0) + log1p(mathExp(-Math.abs(t)));
    }
  },
  // d softplus(x) = sigmoid(x)
  (eng, out, g, gx, node) => {
    const x = (node.a as Tensor).offset;
    const v = eng.arena.view;
    for (let i = 0; i < out.size; i++) v[gx + i] += v[g + i] * sigmoidOf(v[x + i]);
  },
);
/** log(1 + e^x), computed stably as max(x, 0) + log1p(e^-|x|). */
export function softplus(x: Tensor): Tensor {
  return unary(SOFTPLUS, x);
}

function sigmoidOf(t: number): number {
  if (t >= 0) return 1 / (1 + mathExp(-t));
  const e = mathExp(t);
  return e / (1 + e);
}

const SIGMOID = unaryOp(
  "sigmoid",
  (e, x, o, n) => {
    const v = e.arena.view;
    for (let i = 0; i < n; i++) v[o + i] = sigmoidOf(v[x + i]);
  },
  // d sigmoid(x) = y (1 - y), y the output
  (eng, out, g, gx) => {
    const y = out.offset;
    const v = eng.arena.view;
    for (let i = 0; i < out.size; i++) v[gx + i] += v[g + i] * v[y + i] * (1 - v[y + i]);
  },
);
/** 1 / (1 + e^-x), without overflow for large |x|. */
export function sigmoid(x: Tensor): Tensor {
  return unary(SIGMOID, x);
}

const CLAMP = unaryOp(
  "clamp",
  (e, x, o, n, lo, hi) => e.kernels.clamp(x, lo, hi, o, n),
  (eng, out, g, gx, node) =>
    eng.kernels.clampBackward((node.a as Tensor).offset, node.n0, node.n1, g, gx, out.size, true),
);
/** min(max(x, lo), hi); the gradient passes where lo <= x <= hi (PyTorch). Use +-Infinity for a one-sided clamp. */
export function clamp(x: Tensor, lo: number, hi: number): Tensor {
  checkNumber("clamp", "lo", lo);
  checkNumber("clamp", "hi", hi);
  if (lo > hi) throw new InvalidArgumentError(`clamp: lo (${lo}) must be <= hi (${hi})`);
  return unary(CLAMP, x, lo, hi);
}

const ADD_SCALAR = unaryOp(
  "addScalar",
  (e, x, o, n, s) => e.kernels.addScalar(x, s, o, n),
  (eng, out, g, gx) => eng.kernels.axpy(1, g, gx, out.size),
);
/** x + s */
export function addScalar(x: Tensor, s: number): Tensor {
  checkNumber("addScalar", "s", s);
  return unary(ADD_SCALAR, x, s);
}

const MUL_SCALAR = unaryOp(
  "mulScalar",
  (e, x, o, n, s) => e.kernels.scale(x, s, o, n),
  (eng, out, g, gx, node) => eng.kernels.axpy(node.n0, g, gx, out.size),
);
/** x * s */
export function mulScalar(x: Tensor, s: number): Tensor {
  checkNumber("mulScalar", "s", s);
  return unary(MUL_SCALAR, x, s);
}

// ------------------------------------------------------------------ reductions

/** The [outer, n, inner] decomposition of a reduction (the one object `reduceDims` fills, read at once by its caller). */
const scratchDims = { axis: 0, outer: 1, n: 1, inner: 1 };

/**
 * [outer, n, inner] of reducing `shape` over `axis` (normalised to >= 0). No arrays are made: the reductions of a
 * distribution's log-probability run on every env step, and their tuples and sliced shapes were garbage each time.
 */
function reduceDims(op: string, shape: readonly number[], axis: number): typeof scratchDims {
  const r = shape.length;
  if (!Number.isInteger(axis) || axis < -r || axis >= r) {
    throw new InvalidArgumentError(
      `${op}: axis must be an integer in [${-r}, ${r - 1}] for shape ${fmtShape(shape)}, got ${axis}`,
    );
  }
  const d = scratchDims;
  d.axis = axis < 0 ? axis + r : axis;
  d.outer = 1;
  for (let i = 0; i < d.axis; i++) d.outer *= shape[i];
  d.n = shape[d.axis];
  d.inner = 1;
  for (let i = d.axis + 1; i < r; i++) d.inner *= shape[i];
  return d;
}

/** The shape of a full reduction's output, shared by all of them (shapes are never changed in place). */
const SCALAR_SHAPE: readonly number[] = Object.freeze([]);

/** `shape` without axis `axis`. */
function withoutAxis(shape: readonly number[], axis: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) if (i !== axis) out.push(shape[i]);
  return out;
}

/** out[o, j] (+)= sum_i x[o, i, j] */
function sumAxis(eng: Engine, x: number, out: number, outer: number, n: number, inner: number, acc: boolean): void {
  const k = eng.kernels;
  if (inner === 1) k.sumRows(x, out, outer, n, acc);
  else for (let o = 0; o < outer; o++) k.sumCols(x + o * n * inner, out + o * inner, n, inner, acc);
}

/** gx[o, i, j] += g[o, j] (the broadcast back of a reduction), scaled by `alpha`. */
function expandAxis(eng: Engine, g: number, gx: number, outer: number, n: number, inner: number, alpha: number): void {
  const k = eng.kernels;
  let src = g;
  if (alpha !== 1) {
    src = eng.arena.alloc(outer * inner);
    k.scale(g, alpha, src, outer * inner);
  }
  if (inner === 1) k.add(gx, Broadcast.Full, src, Broadcast.Col, gx, outer, n, false);
  else
    for (let o = 0; o < outer; o++)
      k.add(gx + o * n * inner, Broadcast.Full, src + o * inner, Broadcast.Row, gx + o * n * inner, n, inner, false);
}

function reduceBackward(node: TapeNode, eng: Engine, isMean: boolean): void {
  const x = node.a as Tensor;
  const gx = eng.gradOf(x);
  if (gx < 0) return;
  const g = ((node.out as Tensor).grad as Tensor).offset;
  if (node.n0 === -1) {
    const scale = isMean ? 1 / x.size : 1;
    expandAxis(eng, g, gx, 1, x.size, 1, scale);
    return;
  }
  const { outer, n, inner } = reduceDims("sum", x.shape, node.n0);
  expandAxis(eng, g, gx, outer, n, inner, isMean ? 1 / n : 1);
}

function reduce(op: OpDef, x: Tensor, axis: number | undefined, isMean: boolean): Tensor {
  const eng = engineOf(op.name, x);
  const rec = eng.needsGrad(x);
  let out: Tensor;
  if (axis === undefined) {
    out = output(eng, SCALAR_SHAPE, 1, rec);
    eng.kernels.sumAll(x.offset, out.offset, x.size, false);
    if (isMean) eng.kernels.scale(out.offset, 1 / x.size, out.offset, 1);
  } else {
    const { axis: ax, outer, n, inner } = reduceDims(op.name, x.shape, axis);
    out = output(eng, withoutAxis(x.shape, ax), outer * inner, rec);
    sumAxis(eng, x.offset, out.offset, outer, n, inner, false);
    if (isMean) eng.kernels.scale(out.offset, 1 / n, out.offset, outer * inner);
  }
  // n0: the reduced axis, normalised to >= 0, or -1 for "all"
  if (rec) eng.record(op, out, x).n0 = axis === undefined ? -1 : axis < 0 ? axis + x.rank : axis;
  return finish(eng, op, out);
}

const SUM: OpDef = { name: "sum", backward: (node, eng) => reduceBackward(node, eng, false) };
/** Sum of all elements (shape []) or over one axis (that axis removed). */
export function sum(x: Tensor, axis?: number): Tensor {
  return reduce(SUM, x, axis, false);
}

const MEAN: OpDef = { name: "mean", backward: (node, eng) => reduceBackward(node, eng, true) };
/** Mean of all elements (shape []) or over one axis (that axis removed). */
export function mean(x: Tensor, axis?: number): Tensor {
  return reduce(MEAN, x, axis, true);
}

function lastAxis(op: string, x: Tensor): [number, number] {
  if (x.rank < 1 || x.shape[x.rank - 1] === 0) {
    throw new ShapeError(`${op}: needs a tensor with a non-empty last axis, got shape ${fmtShape(x.shape)}`);
  }
  const cols = x.shape[x.rank - 1];
  return [x.size / cols, cols];
}

const MAX: OpDef = {
  name: "max",
  backward(node, eng) {
    const x = node.a as Tensor;
    const gx = eng.gradOf(x);
    if (gx < 0) return;
    const [rows, cols] = lastAxis("max", x);
    const arg = new Int32Array(rows);
    eng.kernels.argmaxRows(x.offset, arg, rows, cols);
    // the gradient goes to the first maximal entry of each row
    eng.kernels.scatterAddRows(((node.out as Tensor).grad as Tensor).offset, arg, gx, rows, cols);
  },
};
/** Maximum over the last axis: x[..., D] -> [...] (gradient to the first maximal entry). */
export function max(x: Tensor): Tensor {
  const eng = engineOf("max", x);
  const [rows, cols] = lastAxis("max", x);
  const rec = eng.needsGrad(x);
  const out = output(eng, x.shape.slice(0, -1), rows, rec);
  eng.kernels.maxRows(x.offset, out.offset, rows, cols);
  if (rec) eng.record(MAX, out, x);
  return finish(eng, MAX, out);
}

/** Index of the first maximum over the last axis (not differentiable), e.g. greedy actions from Q-values. */
export function argmax(x: Tensor, out?: Int32Array): Int32Array {
  const eng = engineOf("argmax", x);
  const [rows, cols] = lastAxis("argmax", x);
  const res = out ?? new Int32Array(rows);
  if (!(res instanceof Int32Array) || res.length !== rows) {
    throw new InvalidArgumentError(`argmax: out must be an Int32Array of length ${rows}`);
  }
  eng.kernels.argmaxRows(x.offset, res, rows, cols);
  return res;
}

/** Minimum over the last axis: x[..., D] -> [...] (gradient to the first minimal entry); -max(-x). */
export function min(x: Tensor): Tensor {
  return neg(max(neg(x)));
}

// ------------------------------------------------------------------ softmax family

const LOG_SOFTMAX = unaryOp(
  "logSoftmax",
  (e, x, o, n, cols) => e.kernels.logSoftmax(x, o, n / cols, cols),
  // dx = g - softmax(x) * sum(g)
  (eng, out, g, gx, node) => eng.kernels.logSoftmaxBackward(out.offset, g, gx, out.size / node.n0, node.n0, true),
);
/** log(softmax(x)) over the last axis, computed stably (max-shifted). */
export function logSoftmax(x: Tensor): Tensor {
  engineOf("logSoftmax", x);
  return unary(LOG_SOFTMAX, x, lastAxis("logSoftmax", x)[1]);
}

const LOG_SUM_EXP: OpDef = {
  name: "logSumExp",
  backward(node, eng) {
    const x = node.a as Tensor;
    const gx = eng.gradOf(x);
    if (gx < 0) return;
    const out = node.out as Tensor;
    const g = (out.grad as Tensor).offset;
    const [rows, cols] = lastAxis("logSumExp", x);
    const v = eng.arena.view;
    // d lse / d x_j = softmax(x)_j = exp(x_j - lse); a row of only -Infinity has no gradient
    for (let r = 0; r < rows; r++) {
      const l = v[out.offset + r];
      if (l === Number.NEGATIVE_INFINITY) continue;
      const gr = v[g + r];
      const row = x.offset + r * cols;
      for (let j = 0; j < cols; j++) v[gx + r * cols + j] += gr * mathExp(v[row + j] - l);
    }
  },
};
/**
 * log(sum(exp(x))) over the last axis, max-shifted: x[..., D] -> [...]. Entries of -Infinity (masked) contribute
 * nothing and get no gradient; a row of only -Infinity gives -Infinity.
 */
export function logSumExp(x: Tensor): Tensor {
  const eng = engineOf("logSumExp", x);
  const [rows, cols] = lastAxis("logSumExp", x);
  const rec = eng.needsGrad(x);
  const out = output(eng, x.shape.slice(0, -1), rows, rec);
  const v = eng.arena.view;
  for (let r = 0; r < rows; r++) {
    const row = x.offset + r * cols;
    let m = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < cols; j++) if (v[row + j] > m) m = v[row + j];
    if (m === Number.NEGATIVE_INFINITY || m === Number.POSITIVE_INFINITY) {
      v[out.offset + r] = m;
      continue;
    }
    let s = 0;
    for (let j = 0; j < cols; j++) s += mathExp(v[row + j] - m);
    v[out.offset + r] = m + mathLog(s);
  }
  if (rec) eng.record(LOG_SUM_EXP, out, x);
  return finish(eng, LOG_SUM_EXP, out);
}

// ------------------------------------------------------------------ indexing

const GATHER: OpDef = {
  name: "gather",
  backward(node, eng) {
    const x = node.a as Tensor;
    const gx = eng.gradOf(x);
    if (gx < 0) return;
    const rows = x.shape[0];
    eng.kernels.scatterAddRows(
      ((node.out as Tensor).grad as Tensor).offset,
      node.index as Int32Array,
      gx,
      rows,
      x.shape[1],
    );
  },
};
/** out[b] = x[b, index[b]] for x of shape [B, D] and an Int32Array index of length B (e.g. the taken actions). */
export function gather(x: Tensor, index: Int32Array): Tensor {
  const eng = engineOf("gather", x);
  if (!(index instanceof Int32Array)) {
    throw new InvalidArgumentError(`gather: index must be an Int32Array, got ${typeName(index)}`);
  }
  if (x.rank !== 2) throw new ShapeError(`gather: x must have shape [B, D], got ${fmtShape(x.shape)}`);
  const rows = x.shape[0];
  const cols = x.shape[1];
  if (index.length !== rows) {
    throw new ShapeError(`gather: index has length ${index.length}, x of shape ${fmtShape(x.shape)} needs ${rows}`);
  }
  for (let i = 0; i < rows; i++) {
    const j = index[i];
    if (j < 0 || j >= cols) {
      throw new InvalidArgumentError(
        `gather: index[${i}] = ${j} is outside [0, ${cols}) for x of shape ${fmtShape(x.shape)}`,
      );
    }
  }
  const rec = eng.needsGrad(x);
  const out = output(eng, [rows], rows, rec);
  eng.kernels.gather(x.offset, index, out.offset, rows, cols);
  if (rec) eng.record(GATHER, out, x).index = index.slice(); // the caller may reuse its index buffer
  return finish(eng, GATHER, out);
}

// ------------------------------------------------------------------ structure

/** The same values with gradients blocked (shares storage; no copy). */
export function stopGradient(x: Tensor): Tensor {
  const eng = engineOf("stopGradient", x);
  return eng.alias(x, x.shape, false, true);
}

const RESHAPE: OpDef = {
  name: "reshape",
  backward(node, eng) {
    const gx = eng.gradOf(node.a);
    const out = node.out as Tensor;
    if (gx >= 0) eng.kernels.axpy(1, (out.grad as Tensor).offset, gx, out.size);
  },
};
/** The same values under another shape of the same size (shares storage; no copy). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const eng = engineOf("reshape", x);
  const size = sizeOf(shape);
  let valid = size === x.size;
  for (let i = 0; i < shape.length && valid; i++) valid = Number.isInteger(shape[i]) && shape[i] >= 0;
  if (!valid) {
    throw new ShapeError(`reshape: cannot view shape ${fmtShape(x.shape)} as ${fmtShape(shape)}`);
  }
  const rec = eng.needsGrad(x);
  const out = eng.alias(x, shape.slice(), rec, !rec);
  if (rec) eng.record(RESHAPE, out, x);
  return out;
}

/**
 * dst[r * dstStride + j] (+)= src[r * srcStride + j] for r < rows, j < width: a block of columns between two
 * row-major arrays (concat, sliceLast). Narrow rows (SAC's [obs, action] of a few columns each) are copied in one
 * loop here instead of one kernel call per row; wide rows, or both sides contiguous, go to the kernels.
 */
function copyRows(
  eng: Engine,
  src: number,
  srcStride: number,
  dst: number,
  dstStride: number,
  rows: number,
  width: number,
  acc: boolean,
): void {
  const k = eng.kernels;
  if (srcStride === width && dstStride === width) {
    if (acc) k.axpy(1, src, dst, rows * width);
    else k.copy(src, dst, rows * width);
  } else if (width >= 32) {
    for (let r = 0; r < rows; r++) {
      if (acc) k.axpy(1, src + r * srcStride, dst + r * dstStride, width);
      else k.copy(src + r * srcStride, dst + r * dstStride, width);
    }
  } else {
    const v = eng.arena.view;
    for (let r = 0; r < rows; r++) {
      const s = src + r * srcStride;
      const d = dst + r * dstStride;
      if (acc) for (let j = 0; j < width; j++) v[d + j] += v[s + j];
      else for (let j = 0; j < width; j++) v[d + j] = v[s + j];
    }
  }
}

/** [rows, cols] of x seen as rows of its last axis, for ops that work column-wise. */
function rowsOf(op: string, x: Tensor): [number, number] {
  if (x.rank < 1) throw new ShapeError(`${op}: needs a tensor of rank >= 1, got shape ${fmtShape(x.shape)}`);
  const cols = x.shape[x.rank - 1];
  return [cols === 0 ? 0 : x.size / cols, cols];
}

const CONCAT: OpDef = {
  name: "concat",
  backward(node, eng) {
    const a = node.a as Tensor;
    const b = node.b as Tensor;
    const ga = eng.gradOf(a);
    const gb = eng.gradOf(b);
    const out = node.out as Tensor;
    const g = (out.grad as Tensor).offset;
    const [rows, ca] = rowsOf("concat", a);
    const cb = b.shape[b.rank - 1];
    // each operand gets its own columns of the output gradient back
    if (ga >= 0) copyRows(eng, g, ca + cb, ga, ca, rows, ca, true);
    if (gb >= 0) copyRows(eng, g + ca, ca + cb, gb, cb, rows, cb, true);
  },
};
function concat2(a: Tensor, b: Tensor): Tensor {
  const eng = engineOf("concat", a, b);
  let agree = a.rank >= 1 && a.rank === b.rank;
  for (let i = 0; i + 1 < a.rank && agree; i++) agree = a.shape[i] === b.shape[i];
  if (!agree) {
    throw new ShapeError(
      `concat: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} must agree on every axis but the last`,
    );
  }
  const [rows, ca] = rowsOf("concat", a);
  const cb = b.shape[b.rank - 1];
  const rec = eng.needsGrad(a, b);
  const out = output(eng, [...a.shape.slice(0, -1), ca + cb], rows * (ca + cb), rec);
  copyRows(eng, a.offset, ca, out.offset, ca + cb, rows, ca, false);
  copyRows(eng, b.offset, cb, out.offset + ca, ca + cb, rows, cb, false);
  if (rec) eng.record(CONCAT, out, a, b);
  return finish(eng, CONCAT, out);
}
/** Concatenation along the last axis ([B, D1], [B, D2], ... -> [B, D1 + D2 + ...]), e.g. Dict features or (s, a). */
export function concat(tensors: readonly Tensor[]): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new InvalidArgumentError(`concat: tensors must be a non-empty array of Tensors, got ${typeName(tensors)}`);
  }
  let out = tensors[0];
  engineOf("concat", out);
  for (let i = 1; i < tensors.length; i++) out = concat2(out, tensors[i]);
  return out;
}

const SLICE: OpDef = {
  name: "sliceLast",
  backward(node, eng) {
    const x = node.a as Tensor;
    const gx = eng.gradOf(x);
    if (gx < 0) return;
    const out = node.out as Tensor;
    const g = (out.grad as Tensor).offset;
    const [rows, cols] = rowsOf("sliceLast", x);
    const start = node.n0;
    const width = node.n1;
    copyRows(eng, g, width, gx + start, cols, rows, width, true);
  },
};
/** Columns [start, end) of the last axis: x[..., D] -> [..., end - start] (a copy), e.g. one head of a split output. */
export function sliceLast(x: Tensor, start: number, end: number): Tensor {
  const eng = engineOf("sliceLast", x);
  const [rows, cols] = rowsOf("sliceLast", x);
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > cols || start >= end) {
    throw new InvalidArgumentError(
      `sliceLast: need integers 0 <= start < end <= ${cols} for shape ${fmtShape(x.shape)}, got start ${start}, end ${end}`,
    );
  }
  const width = end - start;
  const rec = eng.needsGrad(x);
  const out = output(eng, [...x.shape.slice(0, -1), width], rows * width, rec);
  copyRows(eng, x.offset + start, cols, out.offset, width, rows, width, false);
  if (rec) {
    const node = eng.record(SLICE, out, x);
    node.n0 = start;
    node.n1 = width;
  }
  return finish(eng, SLICE, out);
}

/**
 * mask[i] ? value : x[i] (PyTorch's masked_fill), e.g. -Infinity for the logits of masked actions. The gradient
 * reaches x only where the mask is 0, so a filled infinity never turns gradients into NaN.
 */
export function maskedFill(x: Tensor, mask: Uint8Array, value: number): Tensor {
  const eng = engineOf("maskedFill", x);
  if (typeof value !== "number") throw new InvalidArgumentError(`maskedFill: value must be a number, got ${value}`);
  return where(mask, eng.full([], value), x);
}

// ------------------------------------------------------------------ linear algebra

const MATMUL: OpDef = {
  name: "matmul",
  backward(node, eng) {
    const a = node.a as Tensor;
    const b = node.b as Tensor;
    const ga = eng.gradOf(a);
    const gb = eng.gradOf(b);
    const out = node.out as Tensor;
    const g = (out.grad as Tensor).offset;
    const transA = node.n0 === 1;
    const transB = node.n1 === 1;
    const m = out.shape[0];
    const n = out.shape[1];
    const kdim = transA ? a.shape[0] : a.shape[1];
    const k = eng.kernels;
    // C = op(A) op(B):  dA = dC op(B)^T (transposed back when transA),  dB = op(A)^T dC (transposed back when transB)
    if (ga >= 0) {
      if (!transA) k.matmul(g, b.offset, ga, m, n, kdim, false, !transB, true);
      else k.matmul(b.offset, g, ga, kdim, n, m, transB, true, true);
    }
    if (gb >= 0) {
      if (!transB) k.matmul(a.offset, g, gb, kdim, m, n, !transA, false, true);
      else k.matmul(g, a.offset, gb, n, m, kdim, true, transA, true);
    }
  },
};
/**
 * The kept W^T of a 2-D parameter W for a product op(A)[m,k] · W^T, or null when W keeps none (not a parameter, or
 * aliased under another shape) or the kernels multiply without packing here (small batches, e.g. acting, take dot
 * products). Pass `pack.offset` and `pack.fresh` to the kernel, then {@link packed}.
 */
function weightPack(eng: Engine, w: Tensor, m: number, transA: boolean): WeightPack | null {
  const p = w.pack;
  if (p === null || m === 0 || p.rows !== w.shape[0] || !eng.kernels.packsB(m, p.rows, transA, true)) return null;
  return p;
}

/** After a product given `p`: the kernel left W^T there. */
function packed(p: WeightPack | null): void {
  if (p !== null) p.fresh = true;
}

/** op(a) · op(b) for 2-D tensors, op = transpose when the flag is set. */
export function matmul(a: Tensor, b: Tensor, opts: { transA?: boolean; transB?: boolean } = {}): Tensor {
  const eng = engineOf("matmul", a, b);
  const transA = opts.transA === true;
  const transB = opts.transB === true;
  if (a.rank !== 2 || b.rank !== 2) {
    throw new ShapeError(`matmul: both operands must be 2-D, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  const m = transA ? a.shape[1] : a.shape[0];
  const ka = transA ? a.shape[0] : a.shape[1];
  const kb = transB ? b.shape[1] : b.shape[0];
  const n = transB ? b.shape[0] : b.shape[1];
  if (ka !== kb) {
    throw new ShapeError(
      `matmul: inner dimensions differ: ${fmtShape(a.shape)}${transA ? "^T" : ""} · ${fmtShape(b.shape)}${transB ? "^T" : ""}`,
    );
  }
  const rec = eng.needsGrad(a, b);
  const out = output(eng, [m, n], m * n, rec);
  const p = transB ? weightPack(eng, b, m, transA) : null;
  eng.kernels.matmul(a.offset, b.offset, out.offset, m, ka, n, transA, transB, false, p?.offset, p?.fresh);
  packed(p);
  if (rec) {
    const node = eng.record(MATMUL, out, a, b);
    node.n0 = transA ? 1 : 0;
    node.n1 = transB ? 1 : 0;
  }
  return finish(eng, MATMUL, out);
}

/** The activation a fused dense layer applies to its output. */
export type LinearActivation = "identity" | "tanh" | "relu";

const LINEAR: OpDef = {
  name: "linear",
  backward(node, eng) {
    const x = node.a as Tensor;
    const w = node.b as Tensor;
    const gx = x.requiresGrad ? 0 : -1; // its buffer is chosen below
    const gw = eng.gradOf(w);
    const gbias = eng.gradOf(node.c);
    const out = node.out as Tensor;
    const outF = w.shape[0];
    const inF = w.shape[1];
    const batch = out.size / outF;
    const k = eng.kernels;
    // y = act(z), z = x W^T + b:  dz = dy * act'(y) (from the OUTPUT y),  dx = dz W,  dW = dz^T x,  db = sum_batch dz
    let dz = (out.grad as Tensor).offset;
    const act = node.n0;
    // n1 = 1: the sole consumer of y, a linear layer, already wrote dz into y's gradient (below)
    if (act !== ACT_IDENTITY && node.n1 !== 1) {
      const t = eng.arena.alloc(out.size);
      if (act === ACT_TANH) k.tanhBackward(out.offset, dz, t, out.size, false);
      else k.reluBackward(out.offset, dz, t, out.size, false);
      dz = t;
    }
    if (gw >= 0) k.matmul(dz, x.offset, gw, outF, batch, inF, true, false, true);
    if (gbias >= 0) k.sumCols(dz, gbias, batch, outF, true);
    if (gx < 0) return;
    // x made by an activated linear layer and used only here: one fused kernel gives that layer's dz = (dz W) * act'(x)
    const below = x.producer;
    const fuse = below !== null && below.out === x && below.op === LINEAR && below.n0 !== ACT_IDENTITY;
    const sole = fuse ? eng.soleGrad(x) : -1;
    if (sole >= 0 && below !== null) {
      k.linearInputGrad(dz, w.offset, x.offset, sole, batch, outF, inF, below.n0 === ACT_TANH ? "tanh" : "relu");
      below.n1 = 1;
    } else {
      if (fuse) below.n1 = 0; // a retained graph's earlier backward may have fused
      k.matmul(dz, w.offset, eng.gradOf(x), batch, outF, inF, false, false, true);
    }
  },
};
const ACT_IDENTITY = 0;
const ACT_TANH = 1;
const ACT_RELU = 2;
const ACT_CODE: Record<LinearActivation, number> = { identity: ACT_IDENTITY, tanh: ACT_TANH, relu: ACT_RELU };
const KERNEL_ACT = { identity: "none", tanh: "tanh", relu: "relu" } as const;

/**
 * Fully connected layer in PyTorch layout: act(x[B, in] · W[out, in]^T + b[out]) -> [B, out]. A 1-D x[in] (one
 * observation) gives a 1-D [out].
 *
 * With an `activation` ("identity", "tanh" or "relu") the layer runs as ONE fused kernel (bias starting the
 * accumulators, relu in the same pass) with one backward, the fastest form of an MLP layer. Without one it runs the
 * unfused matmul-then-bias arithmetic that DQN's tuned results were measured with; the two differ only in float32
 * rounding order (identical in float64).
 */
export function linear(x: Tensor, w: Tensor, b?: Tensor | null, activation?: LinearActivation): Tensor {
  const eng = engineOf("linear", x, w);
  if (b != null) engineOf("linear", x, b);
  if (activation !== undefined && activation !== "identity" && activation !== "tanh" && activation !== "relu") {
    throw new InvalidArgumentError(
      `linear: activation must be "identity", "tanh" or "relu", got ${JSON.stringify(activation)}`,
    );
  }
  if (w.rank !== 2) throw new ShapeError(`linear: weight must be [out, in], got ${fmtShape(w.shape)}`);
  const outF = w.shape[0];
  const inF = w.shape[1];
  if ((x.rank !== 1 && x.rank !== 2) || x.shape[x.rank - 1] !== inF) {
    throw new ShapeError(
      `linear: input ${fmtShape(x.shape)} does not match weight ${fmtShape(w.shape)} (expected [B, ${inF}] or [${inF}])`,
    );
  }
  if (b != null && (b.rank !== 1 || b.shape[0] !== outF)) {
    throw new ShapeError(
      `linear: bias must have shape [${outF}] for weight ${fmtShape(w.shape)}, got ${fmtShape(b.shape)}`,
    );
  }
  const batch = x.rank === 2 ? x.shape[0] : 1;
  const rec = eng.needsGrad(x, w, b);
  const out = output(eng, x.rank === 2 ? [batch, outF] : [outF], batch * outF, rec);
  const k = eng.kernels;
  const p = weightPack(eng, w, batch, false);
  if (activation !== undefined && b != null) {
    k.linear(x.offset, w.offset, b.offset, out.offset, batch, inF, outF, KERNEL_ACT[activation], p?.offset, p?.fresh);
  } else {
    k.matmul(x.offset, w.offset, out.offset, batch, inF, outF, false, true, false, p?.offset, p?.fresh);
    if (b != null) k.add(out.offset, Broadcast.Full, b.offset, Broadcast.Row, out.offset, batch, outF, false);
    if (activation === "tanh") k.tanh(out.offset, out.offset, batch * outF);
    else if (activation === "relu") k.relu(out.offset, out.offset, batch * outF);
  }
  packed(p);
  if (rec) eng.record(LINEAR, out, x, w, b ?? null).n0 = ACT_CODE[activation ?? "identity"];
  return finish(eng, LINEAR, out);
}
