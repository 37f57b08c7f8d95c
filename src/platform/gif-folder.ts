import type { GifSink } from "../envs/wrappers/record-video.js";
import { nodeBuiltin } from "./node-builtin.js";

/**
 * Node only: a RecordVideo sink that writes each GIF into `folder` (created if missing) under the recording's
 * suggested name. `node:fs` is fetched when called (see node-builtin.ts), so a browser bundle never pulls it in.
 */
export async function gifFolderSink(folder: string): Promise<GifSink> {
  const fs = nodeBuiltin<typeof import("node:fs")>("node:fs", "gifFolderSink");
  const path = nodeBuiltin<typeof import("node:path")>("node:path", "gifFolderSink");
  fs.mkdirSync(folder, { recursive: true });
  return (gif, info) => {
    fs.writeFileSync(path.join(folder, info.name), gif);
  };
}
