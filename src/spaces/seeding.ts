/**
 * Fresh entropy for generators the user did not seed (Gymnasium seeds such generators from the OS).
 * Uses Web Crypto, present in Node >= 20 and every evergreen browser.
 */
export function entropySeed(): number {
  const words = new Uint32Array(2);
  globalThis.crypto.getRandomValues(words);
  // 53 bits: any safe integer is a valid Rng seed
  return (words[0] & 0x1fffff) * 2 ** 32 + words[1];
}

/** True for a seed Gymnasium accepts: a non-negative integer (here also safe, so it round-trips through JSON). */
export function isValidSeed(seed: unknown): seed is number {
  return typeof seed === "number" && Number.isSafeInteger(seed) && seed >= 0;
}
