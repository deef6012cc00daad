/**
 * sentencepiece's BPE encoder (bpe_model.cc): the normalized text starts as characters (a
 * user-defined piece is one frozen symbol); every adjacent pair whose concatenation is a piece
 * goes into a priority queue by that piece's score (highest first, then leftmost); the best pair
 * still valid is merged and its new neighbour pairs are queued, until the queue is empty. Merges
 * into an unused piece are undone at the end (resegmented into the two symbols they came from).
 */
import { oneCharLen, type PrefixMatcher } from './sentencepiece_normalizer.js';
import { PieceType } from './sentencepiece_proto.js';
import type { PieceTable } from './sentencepiece_unigram.js';

interface SymbolPair {
  left: number;
  right: number;
  score: number;
  size: number;
}

/** Max-heap order: higher score first, then the smaller left index (sentencepiece's comparator). */
const before = (a: SymbolPair, b: SymbolPair) => a.score > b.score || (a.score === b.score && a.left < b.left);

/** A binary heap of symbol pairs. */
class Agenda {
  private readonly heap: SymbolPair[] = [];
  get size(): number {
    return this.heap.length;
  }
  push(p: SymbolPair): void {
    const h = this.heap;
    h.push(p);
    for (let i = h.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }
  pop(): SymbolPair {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ;) {
        const [l, r] = [2 * i + 1, 2 * i + 2];
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

/** [piece (binary string), id] of each token of `s` after BPE merges. */
export function bpeEncode(table: PieceTable, matcher: PrefixMatcher, s: string): Array<[string, number]> {
  const pieces: string[] = [];
  const frozen: boolean[] = [];
  for (let pos = 0; pos < s.length;) {
    const user = matcher.match(s, pos);
    const n = user > 0 ? user : Math.min(oneCharLen(s.charCodeAt(pos)), s.length - pos);
    pieces.push(s.substr(pos, n));
    frozen.push(user > 0);
    pos += n;
  }
  if (pieces.length === 0) return [];
  const prev = pieces.map((_, i) => i - 1);
  const next = pieces.map((_, i) => (i + 1 < pieces.length ? i + 1 : -1));
  const agenda = new Agenda();
  const revMerge = new Map<string, [string, string]>();
  const maybeAdd = (left: number, right: number) => {
    if (left === -1 || right === -1 || frozen[left] || frozen[right]) return;
    const piece = pieces[left] + pieces[right];
    const id = table.ids.get(piece);
    if (id === undefined) return;
    agenda.push({ left, right, score: table.scores[id], size: piece.length });
    if (table.types[id] === PieceType.UNUSED) revMerge.set(piece, [pieces[left], pieces[right]]);
  };
  for (let i = 1; i < pieces.length; i++) maybeAdd(i - 1, i);
  while (agenda.size > 0) {
    const top = agenda.pop();
    const [l, r] = [pieces[top.left], pieces[top.right]];
    if (l === '' || r === '' || l.length + r.length !== top.size) continue; // stale pair
    pieces[top.left] = l + r;
    next[top.left] = next[top.right];
    if (next[top.right] >= 0) prev[next[top.right]] = top.left;
    pieces[top.right] = '';
    maybeAdd(prev[top.left], top.left);
    maybeAdd(top.left, next[top.left]);
  }
  const out: Array<[string, number]> = [];
  const resegment = (w: string): void => {
    const id = table.reserved.get(w) ?? table.ids.get(w) ?? table.unkId; // PieceToId
    const split = table.types[id] === PieceType.UNUSED ? revMerge.get(w) : undefined;
    if (!split) out.push([w, id]);
    else split.forEach(resegment);
  };
  for (let i = 0; i !== -1; i = next[i]) resegment(pieces[i]);
  return out;
}
