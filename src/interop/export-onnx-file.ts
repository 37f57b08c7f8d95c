import type { Algorithm } from "../algos/common/algorithm.js";
import { writeFileAtomic } from "../platform/fs.js";
import { type ExportOnnxOptions, exportOnnx } from "./export-onnx.js";

/** Node: write `exportOnnx(model)` to `path` atomically (a crash leaves no half-written model). */
export async function exportOnnxFile(model: Algorithm, path: string, opts: ExportOnnxOptions = {}): Promise<void> {
  await writeFileAtomic(path, exportOnnx(model, opts));
}
