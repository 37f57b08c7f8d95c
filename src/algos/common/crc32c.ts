/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as TFRecord framing and checkpoint integrity checks use.
 * Table-driven, slicing by 4; `crc32c(bytes, previous)` continues a running checksum.
 */
const POLY = 0x82f63b78;
const TABLE = new Uint32Array(256 * 4);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  TABLE[n] = c >>> 0;
}
for (let n = 0; n < 256; n++) {
  let c = TABLE[n];
  for (let t = 1; t < 4; t++) {
    c = TABLE[c & 0xff] ^ (c >>> 8);
    TABLE[t * 256 + n] = c >>> 0;
  }
}

/** CRC-32C of `bytes`, continuing from `previous` (the CRC of what came before; 0 to start). */
export function crc32c(bytes: Uint8Array, previous = 0): number {
  let crc = ~previous >>> 0;
  let i = 0;
  const end4 = bytes.length - (bytes.length % 4);
  for (; i < end4; i += 4) {
    crc ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    crc =
      TABLE[768 + (crc & 0xff)] ^
      TABLE[512 + ((crc >>> 8) & 0xff)] ^
      TABLE[256 + ((crc >>> 16) & 0xff)] ^
      TABLE[crc >>> 24];
  }
  for (; i < bytes.length; i++) crc = TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** TFRecord's masked CRC: rotate right by 15 and add a constant, so CRCs of CRCs stay well distributed. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}
