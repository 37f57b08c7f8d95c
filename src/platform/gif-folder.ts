import type { GifSink } from "../envs/wrappers/record-video.js";

/**
 * Node only: a RecordVideo sink that writes each GIF into `folder` (created if missing) under the recording's
 * suggested name. `node:fs` is loaded on demand so that importing tsrl in a browser never pulls it in.
 */
export async function gifFolderSink(folder: string): Promise<GifSink> {
  const fs = await import("node:fs");
  const path = await import("node:path");
  fs.mkdirSync(folder, { recursive: true });
  return (gif, info) => {
    fs.writeFileSync(path.join(folder, info.name), gif);
  };
}
