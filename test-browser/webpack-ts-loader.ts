// A webpack loader that strips TypeScript types with esbuild (the test page is TypeScript; a webpack app uses ts-loader
// or babel for this, which are beside the point of the MuJoCo settings under test).
import { transformSync } from "esbuild";

export default function tsLoader(source: string): string {
  return transformSync(source, { loader: "ts", format: "esm", target: "es2022" }).code;
}
