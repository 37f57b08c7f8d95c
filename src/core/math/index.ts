// Portable math: the transcendental functions tsrl computes with, in plain double arithmetic so that every
// JavaScript engine returns the same bits. ECMAScript leaves Math.sin, Math.exp, Math.pow and the rest
// "implementation-approximated", and engines differ in the last bit (Node 20's V8 runs fdlibm, Chromium's newer V8
// glibc-derived code and std::pow), which would make a browser run drift from a Node run of the same seed. These
// are ports of the fdlibm algorithms Node 20's V8 runs, so on Node 20 each equals Math.<name> bit for bit
// (test/core/math.test.ts checks both claims). Library code calls these, never Math's (test/core/no-engine-math.test.ts).
export { cbrt } from "./cbrt.js";
export { exp, expm1, tanh } from "./exp.js";
export { hypot, hypot3 } from "./hypot.js";
export { atanh, log, log1p, log10 } from "./log.js";
export { pow } from "./pow.js";
export { cos, sin, sincos, sincosOut, tan } from "./trig.js";
