// Runs the CLI in-process with its output captured (no TTY, no real sleeping), for the CLI tests.
import { type CliIo, runCli } from "../../src/cli/program.js";

export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIo = {
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
    isTTY: false,
    sleep: async () => {},
  };
  const code = await runCli(argv, io);
  return { code, out, err };
}
