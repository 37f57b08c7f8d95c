import { InvalidArgumentError } from "../errors.js";

/** Element type of an arena. float32 lives in a `WebAssembly.Memory` (the wasm kernels' memory); float64 is for gradient checks. */
export type ArenaDType = "float32" | "float64";

/** A view over a whole arena. Kernels index it with element offsets. */
export type FloatView = Float32Array | Float64Array;

export interface ArenaOptions {
  /** Element type; default "float32". */
  dtype?: ArenaDType;
  /** Initial capacity in bytes (rounded up to 64 KiB pages); default 1 MiB. */
  initialBytes?: number;
  /**
   * A shared `WebAssembly.Memory` (float32 only; needs SharedArrayBuffer), which kernel worker threads can work on.
   * Growth then never detaches old views (they keep their old length). Default false.
   */
  shared?: boolean;
}

const PAGE = 65536;
const ALIGN = 16;
/**
 * Bytes kept free at the start: offset 0 never names a tensor (kernels take 0 for "no buffer", e.g. an unused
 * momentum buffer), and the wasm kernels keep their static data there (the lookup tables of exp/log, about 8 KiB;
 * WasmKernels checks that it fits).
 */
const RESERVED_BYTES = 16384;
/** wasm32 addresses 4 GiB at most. */
const MAX_PAGES = 65536;

/**
 * All tensor storage of one engine: a bump allocator over one block of memory with 16-byte aligned allocations
 * and a mark/release scope for the temporaries of one step, so memory stays flat over millions of steps.
 *
 * Allocations return ELEMENT offsets into {@link view}, never views: when the memory grows the old buffer is
 * detached, and {@link refreshView} (the one place that does it) replaces `view`. Read `arena.view` afresh after
 * anything that may allocate.
 */
export class Arena {
  readonly dtype: ArenaDType;
  /** The wasm memory the kernels run on (float32 arenas only). */
  readonly memory: WebAssembly.Memory | null;
  /** Whether {@link memory} is a shared memory (worker threads may run kernels on it). */
  readonly shared: boolean;
  /** The whole arena as floats; replaced after every growth. */
  view: FloatView;
  /** Bytes per element: 4 or 8. */
  readonly bytesPerElement: number;
  /** Bytes at the start of the memory never handed out (see RESERVED_BYTES). */
  readonly reservedBytes = RESERVED_BYTES;
  /** Incremented each time the memory grows (views taken before are detached). */
  generation = 0;
  private topBytes = RESERVED_BYTES;
  private peakBytes = RESERVED_BYTES;
  private buffer: ArrayBuffer | SharedArrayBuffer;
  /**
   * `buffer.byteLength`, kept as a number: on a shared memory (the threaded kernels') that getter is a runtime call
   * of about 35 ns, and `alloc` asks on every op output, gradient and kernel scratch block.
   */
  private capacity: number;

  constructor(opts: ArenaOptions = {}) {
    const dtype = opts.dtype ?? "float32";
    if (dtype !== "float32" && dtype !== "float64") {
      throw new InvalidArgumentError(`Arena dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
    }
    const initialBytes = opts.initialBytes ?? 1 << 20;
    if (!Number.isFinite(initialBytes) || initialBytes <= 0) {
      throw new InvalidArgumentError(`Arena initialBytes must be a positive number, got ${initialBytes}`);
    }
    const shared = opts.shared ?? false;
    if (typeof shared !== "boolean" || (shared && dtype !== "float32")) {
      throw new InvalidArgumentError(`Arena shared must be a boolean, and true only for float32, got ${shared}`);
    }
    this.dtype = dtype;
    this.shared = shared;
    this.bytesPerElement = dtype === "float32" ? 4 : 8;
    const pages = Math.min(MAX_PAGES, Math.max(1, Math.ceil(initialBytes / PAGE)));
    if (dtype === "float32") {
      this.memory = new WebAssembly.Memory({ initial: pages, maximum: MAX_PAGES, shared });
      this.buffer = this.memory.buffer;
    } else {
      this.memory = null;
      this.buffer = new ArrayBuffer(pages * PAGE);
    }
    this.view = this.makeView();
    this.capacity = this.buffer.byteLength;
  }

  /** Bytes handed out and not yet released (including the reserved head). */
  get usedBytes(): number {
    return this.topBytes;
  }

  /** Highest {@link usedBytes} ever reached. */
  get peakUsedBytes(): number {
    return this.peakBytes;
  }

  /** Size of the underlying memory in bytes. */
  get capacityBytes(): number {
    return this.capacity;
  }

  /** Allocate `n` elements (uninitialised; possibly stale data from released temporaries); returns the element offset. */
  alloc(n: number): number {
    if (!Number.isInteger(n) || n < 0) {
      throw new InvalidArgumentError(`Arena.alloc n must be a non-negative integer, got ${n}`);
    }
    const start = this.topBytes;
    const end = start + Math.ceil((n * this.bytesPerElement) / ALIGN) * ALIGN;
    if (end > this.capacity) this.grow(end);
    this.topBytes = end;
    if (end > this.peakBytes) this.peakBytes = end;
    return start / this.bytesPerElement;
  }

  /** Elements an allocation of `n` occupies: n rounded up to the alignment (the next allocation starts there). */
  paddedLength(n: number): number {
    const q = ALIGN / this.bytesPerElement;
    return Math.ceil(n / q) * q;
  }

  /** Allocate `n` elements set to zero. */
  allocZeroed(n: number): number {
    const off = this.alloc(n);
    this.view.fill(0, off, off + n);
    return off;
  }

  /** The current top of the allocator; pass it to {@link release} to free everything allocated since. */
  mark(): number {
    return this.topBytes;
  }

  /** Free every allocation made after `mark` was taken. */
  release(mark: number): void {
    if (!Number.isInteger(mark) || mark < RESERVED_BYTES || mark > this.topBytes || mark % ALIGN !== 0) {
      throw new InvalidArgumentError(
        `Arena.release mark must be a value returned by mark() not above the current top ${this.topBytes}, got ${mark}`,
      );
    }
    this.topBytes = mark;
  }

  /** Run `fn` and free whatever it allocated (also when it throws). */
  scoped<T>(fn: () => T): T {
    const m = this.mark();
    try {
      return fn();
    } finally {
      this.release(m);
    }
  }

  /** An Int32Array over the same bytes as elements [offset, offset + n) (float32 arenas: same element count). */
  int32View(offset: number, n: number): Int32Array {
    return new Int32Array(this.buffer, offset * this.bytesPerElement, n);
  }

  /** Grow so that at least `minBytes` fit: at least doubling, so a growing workload reallocates O(log) times. */
  private grow(minBytes: number): void {
    const oldBytes = this.buffer.byteLength;
    const targetPages = Math.ceil(Math.max(minBytes, oldBytes * 2) / PAGE);
    const neededPages = Math.ceil(minBytes / PAGE);
    if (neededPages > MAX_PAGES) {
      throw new InvalidArgumentError(`Arena cannot grow to ${minBytes} bytes: the limit is ${MAX_PAGES * PAGE} bytes`);
    }
    const pages = Math.min(MAX_PAGES, targetPages);
    if (this.memory) {
      this.memory.grow(pages - oldBytes / PAGE);
      this.buffer = this.memory.buffer;
    } else {
      const next = new ArrayBuffer(pages * PAGE);
      new Uint8Array(next).set(new Uint8Array(this.buffer));
      this.buffer = next;
    }
    this.refreshView();
  }

  /** The one place that replaces the view after the memory changed. */
  private refreshView(): void {
    this.view = this.makeView();
    this.capacity = this.buffer.byteLength;
    this.generation++;
  }

  private makeView(): FloatView {
    return this.dtype === "float32" ? new Float32Array(this.buffer) : new Float64Array(this.buffer);
  }
}
