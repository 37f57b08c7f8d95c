import { ArchiveError } from "../errors.js";

/**
 * Limits of {@link readZip}. Memory stays bounded by the archive's own bytes plus ONE member being inflated, which
 * is never allowed past `maxMemberBytes`: a member is refused before inflating when it declares more, and inflating
 * stops with an error as soon as its output passes the declared size (a zip bomb that lies about its size).
 */
export interface ZipLimits {
  /** Largest uncompressed member accepted, in bytes (default 256 MiB). */
  maxMemberBytes?: number;
  /** Most members accepted (default 10,000). */
  maxEntries?: number;
}

export const DEFAULT_MAX_MEMBER_BYTES = 256 * 1024 * 1024;

/** One member of a zip archive, as its central directory describes it. */
export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflate. */
  readonly method: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly crc32: number;
  /** Offset of the member's local header. */
  readonly localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const CEN_SIG = 0x02014b50;
const LOC_SIG = 0x04034b50;

/**
 * A zip archive read from bytes in memory (PKWARE APPNOTE: end-of-central-directory record, central directory,
 * local headers). Stored and deflated members; no encryption, no zip64, no multi-disk archives (each refused with an
 * {@link ArchiveError} saying so). Every size and offset is checked against the bytes actually present, so a
 * truncated or corrupt archive fails with an error naming the member instead of reading out of bounds.
 */
export class ZipArchive {
  readonly entries: ReadonlyMap<string, ZipEntry>;
  private readonly bytes: Uint8Array;
  private readonly maxMemberBytes: number;

  private constructor(bytes: Uint8Array, entries: Map<string, ZipEntry>, maxMemberBytes: number) {
    this.bytes = bytes;
    this.entries = entries;
    this.maxMemberBytes = maxMemberBytes;
  }

  /** Parse the central directory of `bytes` (nothing is inflated yet). */
  static open(bytes: Uint8Array, limits: ZipLimits = {}): ZipArchive {
    if (!(bytes instanceof Uint8Array)) throw new ArchiveError("zip: expected the archive as a Uint8Array");
    const maxMember = limits.maxMemberBytes ?? DEFAULT_MAX_MEMBER_BYTES;
    const maxEntries = limits.maxEntries ?? 10_000;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // the end record is 22 bytes plus a comment of at most 65,535: search backwards for its signature
    let eocd = -1;
    for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
      if (dv.getUint32(i, true) === EOCD_SIG) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) {
      throw new ArchiveError(
        `zip: no end-of-central-directory record in ${bytes.length} bytes (not a zip file, or truncated)`,
      );
    }
    const disk = dv.getUint16(eocd + 4, true);
    const count = dv.getUint16(eocd + 10, true);
    const cdSize = dv.getUint32(eocd + 12, true);
    const cdOffset = dv.getUint32(eocd + 16, true);
    if (disk !== 0) throw new ArchiveError("zip: multi-disk archives are not supported");
    if (count === 0xffff || cdOffset === 0xffffffff) throw new ArchiveError("zip: zip64 archives are not supported");
    if (count > maxEntries) throw new ArchiveError(`zip: ${count} members, more than the limit of ${maxEntries}`);
    if (cdOffset + cdSize > eocd) {
      throw new ArchiveError(
        `zip: the central directory (${cdSize} bytes at ${cdOffset}) runs past the end record at ${eocd} (truncated?)`,
      );
    }
    const entries = new Map<string, ZipEntry>();
    let p = cdOffset;
    const decoder = new TextDecoder("utf-8", { fatal: false });
    for (let i = 0; i < count; i++) {
      if (p + 46 > eocd || dv.getUint32(p, true) !== CEN_SIG) {
        throw new ArchiveError(`zip: central directory entry ${i} is corrupt or truncated (at byte ${p})`);
      }
      const flags = dv.getUint16(p + 8, true);
      const method = dv.getUint16(p + 10, true);
      const crc32 = dv.getUint32(p + 16, true);
      const compressedSize = dv.getUint32(p + 20, true);
      const uncompressedSize = dv.getUint32(p + 24, true);
      const nameLen = dv.getUint16(p + 28, true);
      const extraLen = dv.getUint16(p + 30, true);
      const commentLen = dv.getUint16(p + 32, true);
      const localHeaderOffset = dv.getUint32(p + 42, true);
      if (p + 46 + nameLen > eocd) throw new ArchiveError(`zip: central directory entry ${i} is truncated`);
      const name = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLen));
      if ((flags & 1) !== 0) throw new ArchiveError(`zip: member ${JSON.stringify(name)} is encrypted`);
      if (compressedSize === 0xffffffff || uncompressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
        throw new ArchiveError(`zip: member ${JSON.stringify(name)} uses zip64 sizes, which are not supported`);
      }
      entries.set(name, { name, method, compressedSize, uncompressedSize, crc32, localHeaderOffset });
      p += 46 + nameLen + extraLen + commentLen;
    }
    return new ZipArchive(bytes, entries, maxMember);
  }

  /** Member names in central-directory order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /**
   * The uncompressed bytes of member `name`, size-capped and CRC-checked. A member that declares more than the
   * limit is refused before inflating; one whose inflated output passes its declared size is refused while
   * inflating.
   */
  async read(name: string): Promise<Uint8Array> {
    const e = this.entries.get(name);
    if (e === undefined) {
      throw new ArchiveError(
        `zip: no member ${JSON.stringify(name)} (members: ${this.names().slice(0, 20).join(", ")})`,
      );
    }
    if (e.uncompressedSize > this.maxMemberBytes) {
      throw new ArchiveError(
        `zip: member ${JSON.stringify(name)} declares ${e.uncompressedSize} uncompressed bytes, more than the limit of ${this.maxMemberBytes}`,
      );
    }
    const dv = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    const h = e.localHeaderOffset;
    if (h + 30 > this.bytes.length || dv.getUint32(h, true) !== LOC_SIG) {
      throw new ArchiveError(`zip: the local header of ${JSON.stringify(name)} is missing or corrupt (truncated?)`);
    }
    const start = h + 30 + dv.getUint16(h + 26, true) + dv.getUint16(h + 28, true);
    const end = start + e.compressedSize;
    if (end > this.bytes.length) {
      throw new ArchiveError(
        `zip: member ${JSON.stringify(name)} needs bytes up to ${end}, the archive has ${this.bytes.length} (truncated)`,
      );
    }
    const raw = this.bytes.subarray(start, end);
    let out: Uint8Array;
    if (e.method === 0) {
      if (e.compressedSize !== e.uncompressedSize) {
        throw new ArchiveError(`zip: stored member ${JSON.stringify(name)} has different compressed and stored sizes`);
      }
      out = raw;
    } else if (e.method === 8) out = await inflateRaw(raw, e.uncompressedSize, name);
    else
      throw new ArchiveError(
        `zip: member ${JSON.stringify(name)} uses compression method ${e.method} (only 0 stored and 8 deflate)`,
      );
    if (out.length !== e.uncompressedSize) {
      throw new ArchiveError(
        `zip: member ${JSON.stringify(name)} inflated to ${out.length} bytes, its header declares ${e.uncompressedSize}`,
      );
    }
    const crc = crc32(out);
    if (crc !== e.crc32) {
      throw new ArchiveError(
        `zip: member ${JSON.stringify(name)} fails its CRC-32 check (${hex(crc)} vs ${hex(e.crc32)}): corrupt`,
      );
    }
    return out;
  }
}

/**
 * Inflate raw deflate data with the platform's DecompressionStream (Node >= 20 and browsers), stopping as soon as
 * the output passes `limit` bytes.
 */
async function inflateRaw(data: Uint8Array, limit: number, name: string): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream("deflate-raw"));
  const reader = stream.getReader();
  const out = new Uint8Array(limit);
  let n = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (n + value.length > limit) {
        await reader.cancel();
        throw new ArchiveError(
          `zip: member ${JSON.stringify(name)} inflates past its declared ${limit} bytes (a zip bomb or a corrupt header)`,
        );
      }
      out.set(value, n);
      n += value.length;
    }
  } catch (e) {
    if (e instanceof ArchiveError) throw e;
    throw new ArchiveError(`zip: member ${JSON.stringify(name)} is not valid deflate data (${(e as Error).message})`);
  }
  return n === limit ? out : out.subarray(0, n);
}

let crcTable: Uint32Array | null = null;

/** CRC-32 (IEEE 802.3, as zip uses). */
export function crc32(data: Uint8Array): number {
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[i] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}
