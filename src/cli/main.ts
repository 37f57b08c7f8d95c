#!/usr/bin/env node
// The `tsrl` executable (package.json "bin"): see program.ts for the commands.
import { runCli } from "./program.js";

process.exitCode = await runCli(process.argv.slice(2));
