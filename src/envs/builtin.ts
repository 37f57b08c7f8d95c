// Registers the built-in environments (imported for its side effect by src/envs/index.ts).
import "./classic-control/register.js";
import "./toy-text/register.js";
import "./mujoco/ids.js";
