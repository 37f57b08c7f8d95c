import { PickleError } from "../errors.js";

/**
 * A restricted pickle reader: a stack machine that understands only the opcodes plain data uses (protocol 2, plus
 * the framing, short-string and bytes opcodes of protocols 3 to 5) and builds plain values. It never imports or
 * calls anything: a global is only a name, and the only "calls" it performs (REDUCE) are the handlers the caller
 * registers for an allowlist of names; an allowlisted "record" class becomes an inert {@link PyObject} (its
 * arguments and BUILD state, never interpreted here). Any other opcode or global is a {@link PickleError} naming
 * it, before anything else happens.
 */

/** A Python tuple (kept distinct from a list). */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** A Python dict (or OrderedDict): keys are strings or numbers, insertion ordered. */
export class PyDict {
  readonly map = new Map<string | number, PyValue>();
  /** The `BUILD` state set on the object (a state_dict's `_metadata`), kept but never interpreted. */
  state: PyValue = null;
}

/** A global named by the pickle (module.name) and allowed by the caller; callable only through its handler. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A value the caller's handlers made (a storage reference, a tensor...). */
export class PyOpaque<T = unknown> {
  constructor(readonly value: T) {}
}

/**
 * An instance of an allowlisted "record" class, as data: the class's name, the arguments it would have been
 * constructed with (NEWOBJ or REDUCE) and the state BUILD would have set. Nothing of the class runs.
 */
export class PyObject {
  state: PyValue = null;
  constructor(
    readonly cls: PyGlobal,
    readonly args: readonly PyValue[],
  ) {}
}

export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  /** bytes or bytearray */
  | Uint8Array
  | PyValue[]
  | PyTuple
  | PyDict
  | PyGlobal
  | PyObject
  | PyOpaque;

/** A global's handling: called by REDUCE, kept as a record (REDUCE or NEWOBJ make a PyObject), or a value only. */
export type GlobalHandler = ((args: PyValue[]) => PyValue) | "record" | null;

export interface PickleHandlers {
  /** Allowed globals: `module.name` -> its handling (null: allowed as a value, never called or instantiated). */
  globals: ReadonlyMap<string, GlobalHandler>;
  /** BINPERSID: the object a persistent id (PyTorch: a storage reference tuple) stands for. */
  persistentLoad?: (pid: PyValue) => PyValue;
}

const MARK = Symbol("mark");
type StackItem = PyValue | typeof MARK;

/** Opcodes plain data never needs, named in the error that refuses them. */
const REFUSED: Record<number, string> = {
  105: "INST",
  111: "OBJ",
  146: "NEWOBJ_EX",
  80: "PERSID",
  83: "STRING",
  84: "BINSTRING",
  85: "SHORT_BINSTRING",
  86: "UNICODE",
  151: "NEXT_BUFFER",
  152: "READONLY_BUFFER",
  73: "INT",
  76: "LONG",
  70: "FLOAT",
  139: "LONG4",
  112: "PUT",
  103: "GET",
  130: "EXT1",
  131: "EXT2",
  132: "EXT4",
  143: "EMPTY_SET",
  144: "ADDITEMS",
  145: "FROZENSET",
  48: "POP",
  49: "DUP",
  50: "POP_MARK",
};

/** Run the restricted machine over `bytes` and return the pickled value. */
export function unpickle(bytes: Uint8Array, handlers: PickleHandlers): PyValue {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder("utf-8", { fatal: true });
  const stack: StackItem[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PyValue>();
  let pos = 0;

  const need = (n: number, what: string) => {
    if (pos + n > bytes.length) throw new PickleError(`pickle: truncated in ${what} at byte ${pos}`);
  };
  const pop = (what: string): PyValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) throw new PickleError(`pickle: ${what} found an empty stack or a mark`);
    return v;
  };
  const top = (what: string): PyValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) throw new PickleError(`pickle: ${what} found an empty stack or a mark`);
    return v;
  };
  const popMark = (what: string): PyValue[] => {
    const m = marks.pop();
    if (m === undefined) throw new PickleError(`pickle: ${what} without a MARK`);
    return stack.splice(m).slice(1) as PyValue[]; // slice: drop the mark itself
  };
  const str = (n: number, what: string): string => {
    need(n, what);
    const start = pos;
    pos += n;
    try {
      return text.decode(bytes.subarray(start, pos));
    } catch {
      throw new PickleError(`pickle: invalid UTF-8 in ${what}`);
    }
  };
  const line = (what: string): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new PickleError(`pickle: unterminated ${what} at byte ${pos}`);
    const s = str(end - pos, what);
    pos++; // the newline
    return s;
  };
  const global = (module: string, name: string): PyGlobal => {
    const q = `${module}.${name}`;
    if (!handlers.globals.has(q)) {
      throw new PickleError(
        `pickle: refusing global ${q}: only ${[...handlers.globals.keys()].join(", ")} may appear here`,
      );
    }
    return new PyGlobal(module, name);
  };
  const setItems = (target: PyValue, items: PyValue[], what: string) => {
    if (!(target instanceof PyDict)) throw new PickleError(`pickle: ${what} on a ${kind(target)}, expected a dict`);
    if (items.length % 2 !== 0) throw new PickleError(`pickle: ${what} with an odd number of items`);
    for (let i = 0; i < items.length; i += 2) {
      const k = items[i];
      if (typeof k !== "string" && typeof k !== "number") {
        throw new PickleError(`pickle: ${what} with a ${kind(k)} key (only str and int keys are supported)`);
      }
      target.map.set(k, items[i + 1]);
    }
  };

  for (;;) {
    need(1, "an opcode");
    const at = pos;
    const op = bytes[pos++];
    switch (op) {
      case 0x80: // PROTO
        need(1, "PROTO");
        if (bytes[pos] > 5) throw new PickleError(`pickle: protocol ${bytes[pos]} is not supported (2 to 5)`);
        pos++;
        break;
      case 0x95: // FRAME: an 8-byte length hint
        need(8, "FRAME");
        pos += 8;
        break;
      case 0x28:
        marks.push(stack.length);
        stack.push(MARK);
        break;
      case 0x2e:
        if (stack.length !== 1 || marks.length !== 0) throw new PickleError("pickle: STOP with a malformed stack");
        return pop("STOP");
      case 0x29:
        stack.push(new PyTuple([]));
        break;
      case 0x7d:
        stack.push(new PyDict());
        break;
      case 0x5d:
        stack.push([]);
        break;
      case 0x74:
        stack.push(new PyTuple(popMark("TUPLE")));
        break;
      case 0x85:
      case 0x86:
      case 0x87: {
        const n = op - 0x84;
        if (stack.length < n) throw new PickleError(`pickle: TUPLE${n} needs ${n} items`);
        const items: PyValue[] = [];
        for (let i = 0; i < n; i++) items.unshift(pop(`TUPLE${n}`));
        stack.push(new PyTuple(items));
        break;
      }
      case 0x6c:
        stack.push(popMark("LIST"));
        break;
      case 0x64: {
        const d = new PyDict();
        setItems(d, popMark("DICT"), "DICT");
        stack.push(d);
        break;
      }
      case 0x61: {
        const v = pop("APPEND");
        const l = top("APPEND");
        if (!Array.isArray(l)) throw new PickleError(`pickle: APPEND on a ${kind(l)}`);
        l.push(v);
        break;
      }
      case 0x65: {
        const items = popMark("APPENDS");
        const l = top("APPENDS");
        if (!Array.isArray(l)) throw new PickleError(`pickle: APPENDS on a ${kind(l)}`);
        l.push(...items);
        break;
      }
      case 0x73: {
        const v = pop("SETITEM");
        const k = pop("SETITEM");
        setItems(top("SETITEM"), [k, v], "SETITEM");
        break;
      }
      case 0x75: {
        const items = popMark("SETITEMS");
        setItems(top("SETITEMS"), items, "SETITEMS");
        break;
      }
      case 0x71:
        need(1, "BINPUT");
        memo.set(bytes[pos++], top("BINPUT"));
        break;
      case 0x72:
        need(4, "LONG_BINPUT");
        memo.set(dv.getUint32(pos, true), top("LONG_BINPUT"));
        pos += 4;
        break;
      case 0x94:
        memo.set(memo.size, top("MEMOIZE"));
        break;
      case 0x68:
      case 0x6a: {
        const n = op === 0x68 ? 1 : 4;
        need(n, "BINGET");
        const k = n === 1 ? bytes[pos] : dv.getUint32(pos, true);
        pos += n;
        const v = memo.get(k);
        if (v === undefined) throw new PickleError(`pickle: BINGET of memo ${k}, which was never stored`);
        stack.push(v);
        break;
      }
      case 0x4a:
        need(4, "BININT");
        stack.push(dv.getInt32(pos, true));
        pos += 4;
        break;
      case 0x4b:
        need(1, "BININT1");
        stack.push(bytes[pos++]);
        break;
      case 0x4d:
        need(2, "BININT2");
        stack.push(dv.getUint16(pos, true));
        pos += 2;
        break;
      case 0x8a: {
        need(1, "LONG1");
        const n = bytes[pos++];
        need(n, "LONG1");
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[pos + i]);
        if (n > 0 && bytes[pos + n - 1] >= 0x80) v -= 1n << BigInt(8 * n);
        pos += n;
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47:
        need(8, "BINFLOAT");
        stack.push(dv.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x4e:
        stack.push(null);
        break;
      case 0x58:
        need(4, "BINUNICODE");
        pos += 4;
        stack.push(str(dv.getUint32(pos - 4, true), "BINUNICODE"));
        break;
      case 0x8c:
        need(1, "SHORT_BINUNICODE");
        pos++;
        stack.push(str(bytes[pos - 1], "SHORT_BINUNICODE"));
        break;
      case 0x43: // SHORT_BINBYTES
      case 0x42: // BINBYTES
      case 0x8e: // BINBYTES8
      case 0x96: {
        // BYTEARRAY8
        const width = op === 0x43 ? 1 : op === 0x42 ? 4 : 8;
        need(width, "a bytes length");
        const n = width === 1 ? bytes[pos] : width === 4 ? dv.getUint32(pos, true) : Number(dv.getBigUint64(pos, true));
        pos += width;
        need(n, "bytes");
        stack.push(bytes.slice(pos, pos + n));
        pos += n;
        break;
      }
      case 0x81: {
        // NEWOBJ: cls.__new__(cls, *args), for record classes only
        const args = pop("NEWOBJ");
        const cls = pop("NEWOBJ");
        if (!(cls instanceof PyGlobal) || !(args instanceof PyTuple)) {
          throw new PickleError(`pickle: NEWOBJ of a ${kind(cls)} with ${kind(args)} arguments`);
        }
        if (handlers.globals.get(cls.qualified) !== "record") {
          throw new PickleError(`pickle: opcode 0x81 NEWOBJ of ${cls.qualified} at byte ${at} is not allowed here`);
        }
        stack.push(new PyObject(cls, args.items));
        break;
      }
      case 0x63: {
        const module = line("GLOBAL module");
        const name = line("GLOBAL name");
        stack.push(global(module, name));
        break;
      }
      case 0x93: {
        const name = pop("STACK_GLOBAL");
        const module = pop("STACK_GLOBAL");
        if (typeof module !== "string" || typeof name !== "string") {
          throw new PickleError("pickle: STACK_GLOBAL needs two strings");
        }
        stack.push(global(module, name));
        break;
      }
      case 0x52: {
        const args = pop("REDUCE");
        const fn = pop("REDUCE");
        if (!(fn instanceof PyGlobal) || !(args instanceof PyTuple)) {
          throw new PickleError(`pickle: REDUCE of a ${kind(fn)} with ${kind(args)} arguments`);
        }
        const handler = handlers.globals.get(fn.qualified);
        if (handler == null) throw new PickleError(`pickle: refusing to call ${fn.qualified}`);
        stack.push(handler === "record" ? new PyObject(fn, args.items) : handler(args.items));
        break;
      }
      case 0x62: {
        const state = pop("BUILD");
        const obj = top("BUILD");
        if (!(obj instanceof PyDict) && !(obj instanceof PyObject))
          throw new PickleError(`pickle: BUILD on a ${kind(obj)} (only dicts and records accept state)`);
        obj.state = state;
        break;
      }
      case 0x51: {
        const pid = pop("BINPERSID");
        if (handlers.persistentLoad === undefined) throw new PickleError("pickle: persistent ids are not allowed here");
        stack.push(handlers.persistentLoad(pid));
        break;
      }
      default:
        throw new PickleError(
          `pickle: opcode 0x${op.toString(16).padStart(2, "0")}${REFUSED[op] === undefined ? "" : ` ${REFUSED[op]}`} at byte ${at} is not allowed`,
        );
    }
  }
}

/** The Python type of a value, for error messages. */
export function kind(v: PyValue | undefined): string {
  if (v === null) return "None";
  if (v === undefined) return "nothing";
  if (Array.isArray(v)) return "list";
  if (v instanceof PyTuple) return "tuple";
  if (v instanceof PyDict) return "dict";
  if (v instanceof PyGlobal) return `global ${v.qualified}`;
  if (v instanceof PyObject) return `${v.cls.qualified} object`;
  if (v instanceof PyOpaque) return "object";
  if (v instanceof Uint8Array) return "bytes";
  return typeof v === "bigint" ? "int" : typeof v;
}
