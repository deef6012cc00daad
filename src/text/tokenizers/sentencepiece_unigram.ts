/**
 * sentencepiece's unigram encoder (unigram_model.cc, `EncodeOptimized`): Viterbi over the lattice
 * of every vocabulary piece found in the normalized text. The best path ending at each byte
 * position keeps its float32 score; a piece starting at position i extends the best path to i by
 * its score (a user-defined piece scores `length * maxScore - 0.1`, so that it always wins; an
 * unused piece is skipped). A character that no single piece covers becomes the unknown piece,
 * scored `minScore - 10` (the unk penalty). Ties keep the earlier candidate, as sentencepiece.
 */
import { oneCharLen } from './sentencepiece_normalizer.js';
import { PieceType } from './sentencepiece_proto.js';

/** The vocabulary as the encoders see it (pieces as binary strings: one char per UTF-8 byte). */
export interface PieceTable {
  /** Pieces that text can match (NORMAL, USER_DEFINED, UNUSED) -> id. */
  ids: Map<string, number>;
  /** The other pieces (UNKNOWN, CONTROL, BYTE) -> id: looked up by piece, never matched in text. */
  reserved: Map<string, number>;
  /** float32 score and `PieceType` of each id. */
  scores: Float32Array;
  types: Uint8Array;
  unkId: number;
  /** The longest matchable piece, in bytes. */
  maxLength: number;
  /** Lowest and highest score of the NORMAL pieces (the highest starts at FLT_MIN, as in sentencepiece). */
  minScore: number;
  maxScore: number;
}

/** [piece (binary string), id] of each token of the best segmentation of `s`. */
export function unigramEncode(table: PieceTable, s: string): Array<[string, number]> {
  const { ids, scores, types, unkId, maxLength, minScore, maxScore } = table;
  const unkScore = Math.fround(minScore - 10);
  const size = s.length;
  const bestScore = new Float32Array(size + 1);
  const startsAt = new Int32Array(size + 1).fill(-1);
  const bestId = new Int32Array(size + 1).fill(-1);
  const offer = (end: number, start: number, id: number, candidate: number) => {
    if (startsAt[end] === -1 || candidate > bestScore[end]) {
      bestScore[end] = candidate;
      startsAt[end] = start;
      bestId[end] = id;
    }
  };
  for (let start = 0; start < size;) {
    const base = bestScore[start];
    const mblen = Math.min(oneCharLen(s.charCodeAt(start)), size - start);
    let hasSingleNode = false;
    for (let end = start + 1; end <= Math.min(size, start + maxLength); end++) {
      const id = ids.get(s.slice(start, end));
      if (id === undefined || types[id] === PieceType.UNUSED) continue;
      const length = end - start;
      // NOTE: C++ computes the user-defined score in double (`length * max_score_ - 0.1`) and adds
      // the float path score in double; a normal piece's sum is float.
      const candidate =
        types[id] === PieceType.USER_DEFINED
          ? Math.fround(length * maxScore) - 0.1 + base
          : Math.fround(scores[id] + base);
      offer(end, start, id, candidate);
      if (length === mblen) hasSingleNode = true;
    }
    if (!hasSingleNode) offer(start + mblen, start, unkId, Math.fround(unkScore + base));
    start += mblen;
  }
  const out: Array<[string, number]> = [];
  for (let end = size; end > 0; end = startsAt[end]) out.push([s.slice(startsAt[end], end), bestId[end]]);
  return out.reverse();
}
