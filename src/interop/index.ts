// Public API of interop: Stable-Baselines3 models in, ONNX out, without executing anything read. Browser-safe
// (a path given to importSb3 / readSb3Model is read through src/platform/fs.ts, which loads Node's fs when called).
export { type ExportOnnxOptions, exportOnnx, ONNX_OPSET } from "./export-onnx.js";
export { type ImportSb3Options, importSb3, readSb3Model, type Sb3Model } from "./import-sb3.js";
export type { Sb3Algorithm, Sb3Data, Sb3PolicySpec } from "./sb3-data.js";
export type { TorchOptimizerState } from "./sb3-optimizer.js";
export { readSb3VecNormalize, type Sb3VecNormalize } from "./sb3-vecnormalize.js";
export {
  readTorchObject,
  readTorchStateDict,
  type TorchDType,
  type TorchTensor,
  type TorchValue,
} from "./torch-pth.js";
export { DEFAULT_MAX_MEMBER_BYTES, ZipArchive, type ZipEntry, type ZipLimits } from "./zip-reader.js";
