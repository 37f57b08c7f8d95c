// A double's bits as 16 hex digits (high word first), the format of test/fixtures/math.
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

export function fromHex(h: string): number {
  u32[1] = Number.parseInt(h.slice(0, 8), 16);
  u32[0] = Number.parseInt(h.slice(8), 16);
  return f64[0];
}

export function toHex(x: number): string {
  f64[0] = x;
  return u32[1].toString(16).padStart(8, "0") + u32[0].toString(16).padStart(8, "0");
}
