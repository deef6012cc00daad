/**
 * torchtext's `SentencePieceTokenizer`: a sentencepiece `.model` (unigram or BPE) read and run
 * in TypeScript, giving sentencepiece's own pieces and ids. Encoding is sentencepiece's pipeline:
 * normalize (sentencepiece_normalizer.ts), segment (sentencepiece_unigram.ts or
 * sentencepiece_bpe.ts), then each unknown piece becomes the unknown id, or its UTF-8 bytes as
 * `<0xNN>` pieces when the model was trained with `byte_fallback`.
 */
import { builtin } from '../../data/node.js';
import { binary, fromBinary, Normalizer, PrefixMatcher } from './sentencepiece_normalizer.js';
import { parseModelProto, PieceType, type SentencePieceModel } from './sentencepiece_proto.js';
import { unigramEncode, type PieceTable } from './sentencepiece_unigram.js';
import { bpeEncode } from './sentencepiece_bpe.js';

const OP = 'SentencePieceTokenizer';
const MODEL_TYPES: Record<number, string> = { 1: 'unigram', 2: 'BPE', 3: 'word', 4: 'char' };

/** The bytes of a `.model` file (Node only), with errors naming it. */
function readModelFile(path: string): Uint8Array {
  const fs = builtin<typeof import('node:fs')>('node:fs', `${OP}('${path}')`);
  try {
    if (!fs.statSync(path).isFile()) throw new Error('not a regular file');
    return fs.readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${OP}: cannot read '${path}': ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

/** sentencepiece's `InitializePieces`: the matchable and reserved pieces, checked. */
function pieceTable(model: SentencePieceModel, file: string): PieceTable {
  const n = model.pieces.length;
  const table: PieceTable = {
    ids: new Map(),
    reserved: new Map(),
    scores: new Float32Array(n),
    types: new Uint8Array(n),
    unkId: -1,
    maxLength: 0,
    minScore: 3.4028234663852886e38, // FLT_MAX
    maxScore: 1.1754943508222875e-38, // FLT_MIN: sentencepiece starts its maximum there
  };
  for (const [id, { piece, score, type }] of model.pieces.entries()) {
    const fail = (why: string) => new Error(`${OP}: ${file}: piece ${id} ('${piece}') ${why}`);
    if (piece === '') throw fail('is empty');
    if (type < PieceType.NORMAL || type > PieceType.BYTE) throw fail(`has an unknown type ${type}`);
    const matchable = type === PieceType.NORMAL || type === PieceType.USER_DEFINED || type === PieceType.UNUSED;
    const key = binary(piece);
    const map = matchable ? table.ids : table.reserved;
    if (map.has(key)) throw fail('is already defined');
    map.set(key, id);
    if (matchable) table.maxLength = Math.max(table.maxLength, key.length);
    table.scores[id] = score;
    table.types[id] = type;
    if (type === PieceType.UNKNOWN) {
      if (table.unkId >= 0) throw fail('is a second unknown piece');
      table.unkId = id;
    }
    if (type === PieceType.BYTE && !model.byteFallback) throw fail('is a byte piece but byte_fallback is off');
    if (type === PieceType.NORMAL) {
      table.minScore = Math.min(table.minScore, score);
      table.maxScore = Math.max(table.maxScore, score);
    }
  }
  if (table.unkId < 0) throw new Error(`${OP}: ${file}: the model has no unknown piece (<unk>)`);
  return table;
}

/**
 * torchtext's `SentencePieceTokenizer(sp_model_path)`: `forward(text)` gives sentencepiece's
 * pieces (`EncodeAsPieces`), one list per string of a batch; `encode(text)` gives the ids.
 * `modelBytesOrPath`: the `.model` file's path (Node) or its bytes (anywhere).
 */
export class SentencePieceTokenizer {
  private readonly table: PieceTable;
  private readonly normalizer: Normalizer;
  private readonly matcher: PrefixMatcher;
  private readonly model: SentencePieceModel;

  constructor(modelBytesOrPath: string | Uint8Array) {
    const isPath = typeof modelBytesOrPath === 'string';
    if (!isPath && !(modelBytesOrPath instanceof Uint8Array))
      throw new Error(`${OP}: expects a .model path or its bytes (Uint8Array)`);
    const file = isPath ? modelBytesOrPath : '<bytes>';
    const model = parseModelProto(isPath ? readModelFile(modelBytesOrPath) : modelBytesOrPath, file);
    if (model.modelType !== 1 && model.modelType !== 2)
      throw new Error(
        `${OP}: ${file}: model_type ${MODEL_TYPES[model.modelType] ?? model.modelType} is not supported (unigram and BPE models only)`,
      );
    this.model = model;
    this.table = pieceTable(model, file);
    const userDefined = model.pieces.filter((p) => p.type === PieceType.USER_DEFINED).map((p) => binary(p.piece));
    this.matcher = new PrefixMatcher(userDefined);
    this.normalizer = new Normalizer(model.normalizer, model.treatWhitespaceAsSuffix, this.matcher, file);
  }

  /** Number of pieces (ids run from 0 to vocabSize - 1), as `GetPieceSize()`. */
  get vocabSize(): number {
    return this.model.pieces.length;
  }

  /** The model type: 'unigram' or 'BPE'. */
  get modelType(): string {
    return MODEL_TYPES[this.model.modelType];
  }

  /** Pieces of one string, or of each string of a batch (torchtext's forward, `EncodeAsPieces`). */
  forward(text: string): string[];
  forward(text: string[]): string[][];
  forward(text: string | string[]): string[] | string[][];
  forward(text: string | string[]): string[] | string[][] {
    if (Array.isArray(text)) return text.map((t) => this.encodeAsPieces(t));
    return this.encodeAsPieces(text);
  }

  /** sentencepiece's pieces of `text` (`EncodeAsPieces`): unknown text keeps its surface form. */
  encodeAsPieces(text: string): string[] {
    return this.run(text).map(([piece]) => piece);
  }

  /** sentencepiece's ids of `text` (`EncodeAsIds`). */
  encode(text: string): number[] {
    return this.run(text).map(([, id]) => id);
  }

  /** The piece of `id` (`IdToPiece`). */
  idToPiece(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize)
      throw new Error(`${OP}.idToPiece: id ${id} out of range [0, ${this.vocabSize})`);
    return this.model.pieces[id].piece;
  }

  /** The id of `piece`, the unknown id when absent (`PieceToId`). */
  pieceToId(piece: string): number {
    const key = binary(piece);
    return this.table.reserved.get(key) ?? this.table.ids.get(key) ?? this.table.unkId;
  }

  /** Normalize, segment, then the byte fallback of unknown pieces (sentencepiece's `Encode`). */
  private run(text: string): Array<[string, number]> {
    if (typeof text !== 'string') throw new Error(`${OP}.forward: expects a string or an array of strings`);
    const normalized = this.normalizer.normalize(binary(text));
    const segments =
      this.model.modelType === 1
        ? unigramEncode(this.table, normalized)
        : bpeEncode(this.table, this.matcher, normalized);
    const out: Array<[string, number]> = [];
    const unk = this.table.unkId;
    for (const [i, [piece, id]] of segments.entries()) {
      if (id === unk && this.model.byteFallback) {
        for (let b = 0; b < piece.length; b++) {
          const byte = `<0x${piece.charCodeAt(b).toString(16).toUpperCase().padStart(2, '0')}>`;
          out.push([byte, this.pieceToId(byte)]);
        }
      } else if (id === unk && i > 0 && segments[i - 1][1] === unk) {
        // A run of unknown pieces is one unknown token, as sentencepiece merges them.
        out[out.length - 1][0] += piece;
      } else out.push([piece, id]);
    }
    return out.map(([piece, id]) => [fromBinary(piece), id]);
  }
}
