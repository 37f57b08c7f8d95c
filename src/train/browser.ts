// The browser-safe part of the training tools, the package's `tsrl/zoo` entry: the tuned hyperparameter tables and
// the env a run trains on, as the CLI builds them (the web page starts its runs from these).
export { makeTrainEnv, type Vectorization } from "./train-env.js";
export { type AlgoZoo, listZooEntries, ZOOS, type ZooEntry, zooEntry } from "./zoo/index.js";
