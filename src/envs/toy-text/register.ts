import type { Env } from "../env.js";
import { register } from "../registry.js";
import { BlackjackEnv, type BlackjackObservation, type BlackjackOptions } from "./blackjack.js";
import { CliffWalkingEnv, type CliffWalkingOptions } from "./cliff-walking.js";
import { FrozenLakeEnv, type FrozenLakeOptions } from "./frozen-lake.js";
import { TaxiEnv, type TaxiOptions } from "./taxi.js";

// Gymnasium's ids, time limits, reward thresholds and default options for toy text (imported for its side effect).
register("FrozenLake-v1", (kw) => new FrozenLakeEnv(kw as FrozenLakeOptions), {
  kwargs: { mapName: "4x4" },
  maxEpisodeSteps: 100,
  rewardThreshold: 0.7, // optimum 0.74
});
register("FrozenLake8x8-v1", (kw) => new FrozenLakeEnv(kw as FrozenLakeOptions), {
  kwargs: { mapName: "8x8" },
  maxEpisodeSteps: 200,
  rewardThreshold: 0.85, // optimum 0.91
});
register("CliffWalking-v1", (kw) => new CliffWalkingEnv(kw as CliffWalkingOptions));
register("CliffWalkingSlippery-v1", (kw) => new CliffWalkingEnv(kw as CliffWalkingOptions), {
  kwargs: { isSlippery: true },
});
register("Taxi-v4", (kw) => new TaxiEnv(kw as TaxiOptions), {
  maxEpisodeSteps: 200,
  rewardThreshold: 8, // optimum 8.46
});
register("Blackjack-v1", (kw) => new BlackjackEnv(kw as BlackjackOptions), {
  kwargs: { sab: true, natural: false },
});

declare module "../registry.js" {
  interface EnvRegistry {
    "FrozenLake-v1": Env<number, number>;
    "FrozenLake8x8-v1": Env<number, number>;
    "CliffWalking-v1": Env<number, number>;
    "CliffWalkingSlippery-v1": Env<number, number>;
    "Taxi-v4": Env<number, number>;
    "Blackjack-v1": Env<BlackjackObservation, number>;
  }
}
