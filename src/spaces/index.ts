export { Box } from "./box.js";
export { Dict } from "./dict.js";
export { Discrete } from "./discrete.js";
export { MultiBinary } from "./multi-binary.js";
export { MultiDiscrete } from "./multi-discrete.js";
export { Space, type SpaceJSON } from "./space.js";
export { Tuple } from "./tuple.js";
export { flatdim, flatten, flattenSpace, spaceFromJSON, spacesEqual, unflatten } from "./utils.js";
