/**
 * sentencepiece's normalizer (normalizer.cc), byte for byte. Text is handled as "binary strings":
 * one JavaScript char per UTF-8 byte (`binary(text)`), so that positions, lengths and prefix
 * matches are in bytes as in the C++ code, and piece lookups are plain Map lookups.
 *
 * The precompiled charsmap (`nmt_nfkc`, `nfkc`, ...) is `uint32 trie_size` (little-endian), a
 * Darts-clone double-array trie of `trie_size` bytes (uint32 units), then the normalized strings,
 * each NUL-terminated. At each position the longest input prefix found in the trie is replaced by
 * the string at the offset stored in its leaf; no match copies one UTF-8 character unchanged.
 * User-defined pieces are matched first and never normalized. Around that: leading, trailing and
 * repeated spaces removed (`remove_extra_whitespaces`), a space added in front (`add_dummy_prefix`;
 * at the end with `treat_whitespace_as_suffix`), spaces written as U+2581 (`escape_whitespaces`).
 */
import type { NormalizerSpec } from './sentencepiece_proto.js';

/** The UTF-8 bytes of `text`, one char per byte. */
export function binary(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

// NOTE: ignoreBOM keeps a leading U+FEFF (a piece of its own); the default decoder drops it.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** A binary string back to text. */
export function fromBinary(s: string): string {
  let ascii = true;
  for (let i = 0; i < s.length && ascii; i++) ascii = s.charCodeAt(i) < 0x80;
  if (ascii) return s;
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return utf8.decode(bytes);
}

/** Bytes of the UTF-8 character starting with byte `lead` (sentencepiece's `OneCharLen`). */
export function oneCharLen(lead: number): number {
  return [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4][lead >> 4];
}

/** The escaped space, U+2581, as UTF-8 bytes. */
export const SPACE_SYMBOL = '\xe2\x96\x81';

/** Longest match among a set of binary strings (sentencepiece's `PrefixMatcher` of user-defined pieces). */
export class PrefixMatcher {
  private readonly set: Set<string>;
  private readonly maxLength: number;
  constructor(symbols: readonly string[]) {
    this.set = new Set(symbols);
    this.maxLength = Math.max(0, ...symbols.map((s) => s.length));
  }
  /** Length of the longest symbol at `s[pos..]`, or 0. */
  match(s: string, pos: number): number {
    for (let n = Math.min(this.maxLength, s.length - pos); n > 0; n--) if (this.set.has(s.substr(pos, n))) return n;
    return 0;
  }
}

/** Darts-clone's double array: `commonPrefixSearch` from the root, keeping the longest of the first 32 results. */
class DoubleArray {
  private readonly units: Uint32Array;
  constructor(blob: Uint8Array) {
    const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    this.units = new Uint32Array(blob.byteLength >> 2);
    for (let i = 0; i < this.units.length; i++) this.units[i] = dv.getUint32(4 * i, true);
  }
  private unit(id: number): number {
    if (id >= this.units.length)
      throw new Error('SentencePieceTokenizer: the normalizer trie points outside itself (corrupt charsmap)');
    return this.units[id];
  }
  /** [length, value] of the longest key that is a prefix of `s[pos..]`, or [0, 0]. */
  longestPrefix(s: string, pos: number): [number, number] {
    const offset = (u: number) => ((u >>> 10) << ((u & (1 << 9)) >>> 6)) >>> 0;
    let id = offset(this.unit(0));
    let found = 0;
    let best: [number, number] = [0, 0];
    for (let i = pos; i < s.length; i++) {
      const c = s.charCodeAt(i);
      id = (id ^ c) >>> 0;
      const u = this.unit(id);
      if ((u & 0x800000ff) >>> 0 !== c) break; // label
      id = (id ^ offset(u)) >>> 0;
      if ((u >>> 8) & 1 && found++ < 32) {
        const length = i - pos + 1;
        if (length > best[0]) best = [length, this.unit(id) & 0x7fffffff];
      }
    }
    return best;
  }
}

/** sentencepiece's `Normalizer` for one model. */
export class Normalizer {
  private readonly trie: DoubleArray | null = null;
  private readonly normalized: Uint8Array = new Uint8Array(0);
  /** Replacement strings decoded so far, by their offset in `normalized`. */
  private readonly replacements = new Map<number, string>();

  constructor(
    private readonly spec: NormalizerSpec,
    private readonly treatWhitespaceAsSuffix: boolean,
    private readonly matcher: PrefixMatcher,
    file: string,
  ) {
    const blob = spec.precompiledCharsmap;
    if (blob.length === 0) return;
    const trieSize = blob.length > 4 ? new DataView(blob.buffer, blob.byteOffset, 4).getUint32(0, true) : blob.length;
    if (trieSize >= blob.length || trieSize % 4 !== 0)
      throw new Error(
        `SentencePieceTokenizer: ${file}: the precompiled charsmap is corrupt (trie of ${trieSize} bytes in ${blob.length})`,
      );
    this.trie = new DoubleArray(blob.subarray(4, 4 + trieSize));
    this.normalized = blob.subarray(4 + trieSize);
  }

  /** `NormalizePrefix`: [replacement, bytes consumed] at `s[pos..]`. */
  private prefix(s: string, pos: number): [string, number] {
    const user = this.matcher.match(s, pos);
    if (user > 0) return [s.substr(pos, user), user];
    const [length, value] = this.trie ? this.trie.longestPrefix(s, pos) : [0, 0];
    if (length === 0) {
      const n = Math.min(oneCharLen(s.charCodeAt(pos)), s.length - pos);
      return [s.substr(pos, n), n];
    }
    let replacement = this.replacements.get(value);
    if (replacement === undefined) {
      let end = value;
      while (end < this.normalized.length && this.normalized[end] !== 0) end++;
      if (end >= this.normalized.length)
        throw new Error('SentencePieceTokenizer: the charsmap has an unterminated string');
      replacement = String.fromCharCode(...this.normalized.subarray(value, end));
      this.replacements.set(value, replacement);
    }
    return [replacement, length];
  }

  /** The normalized binary string of the binary string `input`. */
  normalize(input: string): string {
    const { addDummyPrefix, removeExtraWhitespaces, escapeWhitespaces } = this.spec;
    let pos = 0;
    if (removeExtraWhitespaces) {
      while (pos < input.length) {
        const [sp, n] = this.prefix(input, pos);
        if (sp !== ' ') break;
        pos += n;
      }
    }
    if (pos >= input.length) return '';
    const space = escapeWhitespaces ? SPACE_SYMBOL : ' ';
    const out: string[] = [];
    if (!this.treatWhitespaceAsSuffix && addDummyPrefix) out.push(space);
    let isPrevSpace = removeExtraWhitespaces;
    while (pos < input.length) {
      const [replacement, n] = this.prefix(input, pos);
      let skip = 0;
      if (isPrevSpace) while (skip < replacement.length && replacement.charCodeAt(skip) === 32) skip++;
      const sp = skip > 0 ? replacement.slice(skip) : replacement;
      if (sp.length > 0) {
        out.push(escapeWhitespaces && sp.includes(' ') ? sp.replace(/ /g, SPACE_SYMBOL) : sp);
        isPrevSpace = sp.charCodeAt(sp.length - 1) === 32;
      }
      pos += n;
      if (!removeExtraWhitespaces) isPrevSpace = false;
    }
    let result = out.join('');
    if (removeExtraWhitespaces) while (result.endsWith(space)) result = result.slice(0, -space.length);
    if (this.treatWhitespaceAsSuffix && addDummyPrefix) result += space;
    return result;
  }
}
