/**
 * A sentencepiece `.model` file is one protobuf message, `ModelProto` (sentencepiece_model.proto):
 * repeated `pieces` (field 1: piece, score, type), `trainer_spec` (2: model_type, byte_fallback,
 * treat_whitespace_as_suffix) and `normalizer_spec` (3: name, precompiled_charsmap,
 * add_dummy_prefix, remove_extra_whitespaces, escape_whitespaces). This is a reader of the
 * protobuf wire format for exactly those fields (no dependency): each field is a varint key
 * `(number << 3) | wireType` followed by a varint (0), 8 bytes (1), a length and that many bytes
 * (2) or 4 bytes (5); fields not listed are skipped; every length is checked against the file.
 */

/** `ModelProto.SentencePiece.Type`. */
export const PieceType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

/** One vocabulary entry. */
export interface ModelPiece {
  piece: string;
  /** float32 score (unigram: log probability; BPE: minus the merge rank). */
  score: number;
  type: number;
}

/** The normalizer's settings (`NormalizerSpec`), with sentencepiece's defaults. */
export interface NormalizerSpec {
  name: string;
  /** The Darts trie + normalized strings blob; empty for identity. */
  precompiledCharsmap: Uint8Array;
  addDummyPrefix: boolean;
  removeExtraWhitespaces: boolean;
  escapeWhitespaces: boolean;
}

/** What the tokenizer needs of a `ModelProto`. */
export interface SentencePieceModel {
  pieces: ModelPiece[];
  /** `TrainerSpec.ModelType`: 1 unigram, 2 BPE, 3 word, 4 char. */
  modelType: number;
  byteFallback: boolean;
  treatWhitespaceAsSuffix: boolean;
  normalizer: NormalizerSpec;
}

/** A protobuf field: its number, and a varint value or the bytes of a length-delimited / fixed field. */
interface Field {
  number: number;
  wire: number;
  /** Varint fields: the value (exact below 2^53); the low 32 bits in `low32`. */
  value: number;
  low32: number;
  bytes: Uint8Array;
}

/** Iterates the fields of one message, checking every length against its end. */
function* fields(buf: Uint8Array, file: string, what: string): Generator<Field> {
  let pos = 0;
  const fail = (why: string): never => {
    throw new Error(
      `SentencePieceTokenizer: ${file}: not a valid sentencepiece model: ${why} in ${what} at byte ${pos}`,
    );
  };
  const varint = (): [number, number] => {
    let value = 0;
    let low32 = 0;
    for (let i = 0; ; i++) {
      if (pos >= buf.length) fail('truncated protobuf (a varint runs past the end)');
      if (i >= 10) fail('a varint longer than 10 bytes');
      const b = buf[pos++];
      value += (b & 0x7f) * 2 ** (7 * i);
      if (i < 5) low32 = (low32 | ((b & 0x7f) << (7 * i))) >>> 0;
      if (!(b & 0x80)) return [value, low32];
    }
  };
  const take = (n: number) => {
    if (n > buf.length - pos) fail(`truncated protobuf (a field needs ${n} bytes, ${buf.length - pos} are left)`);
    pos += n;
    return buf.subarray(pos - n, pos);
  };
  while (pos < buf.length) {
    const [key] = varint();
    const number = Math.floor(key / 8);
    const wire = key % 8;
    if (number === 0) fail('field number 0');
    if (wire === 0) {
      const [value, low32] = varint();
      yield { number, wire, value, low32, bytes: buf.subarray(0, 0) };
    } else if (wire === 1 || wire === 5) yield { number, wire, value: 0, low32: 0, bytes: take(wire === 1 ? 8 : 4) };
    else if (wire === 2) yield { number, wire, value: 0, low32: 0, bytes: take(varint()[0]) };
    else fail(`unsupported wire type ${wire} (field ${number})`);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function text(f: Field, file: string, what: string): string {
  if (f.wire !== 2) throw new Error(`SentencePieceTokenizer: ${file}: ${what} is not a string field`);
  try {
    return utf8.decode(f.bytes);
  } catch {
    throw new Error(`SentencePieceTokenizer: ${file}: ${what} is not valid UTF-8`);
  }
}

function piece(buf: Uint8Array, file: string, index: number): ModelPiece {
  const out: ModelPiece = { piece: '', score: 0, type: PieceType.NORMAL };
  for (const f of fields(buf, file, `piece ${index}`)) {
    if (f.number === 1) out.piece = text(f, file, `piece ${index}`);
    else if (f.number === 2 && f.wire === 5)
      out.score = new DataView(f.bytes.buffer, f.bytes.byteOffset, 4).getFloat32(0, true);
    else if (f.number === 3 && f.wire === 0) out.type = f.low32 | 0;
  }
  return out;
}

function normalizerSpec(buf: Uint8Array, file: string): NormalizerSpec {
  const spec: NormalizerSpec = {
    name: '',
    precompiledCharsmap: new Uint8Array(0),
    addDummyPrefix: true,
    removeExtraWhitespaces: true,
    escapeWhitespaces: true,
  };
  for (const f of fields(buf, file, 'normalizer_spec')) {
    if (f.number === 1) spec.name = text(f, file, 'normalizer_spec.name');
    else if (f.number === 2 && f.wire === 2) spec.precompiledCharsmap = f.bytes;
    else if (f.number === 3 && f.wire === 0) spec.addDummyPrefix = f.value !== 0;
    else if (f.number === 4 && f.wire === 0) spec.removeExtraWhitespaces = f.value !== 0;
    else if (f.number === 5 && f.wire === 0) spec.escapeWhitespaces = f.value !== 0;
  }
  return spec;
}

/** Parses a `.model` file's bytes; errors name `file` and the problem. */
export function parseModelProto(bytes: Uint8Array, file: string): SentencePieceModel {
  const model: SentencePieceModel = {
    pieces: [],
    modelType: 1,
    byteFallback: false,
    treatWhitespaceAsSuffix: false,
    normalizer: normalizerSpec(new Uint8Array(0), file),
  };
  let sawTrainer = false;
  for (const f of fields(bytes, file, 'ModelProto')) {
    if (f.number === 1 && f.wire === 2) model.pieces.push(piece(f.bytes, file, model.pieces.length));
    else if (f.number === 2 && f.wire === 2) {
      sawTrainer = true;
      for (const t of fields(f.bytes, file, 'trainer_spec')) {
        if (t.wire !== 0) continue;
        if (t.number === 3) model.modelType = t.low32 | 0;
        else if (t.number === 35) model.byteFallback = t.value !== 0;
        else if (t.number === 24) model.treatWhitespaceAsSuffix = t.value !== 0;
      }
    } else if (f.number === 3 && f.wire === 2) model.normalizer = normalizerSpec(f.bytes, file);
  }
  if (model.pieces.length === 0 || !sawTrainer)
    throw new Error(`SentencePieceTokenizer: ${file}: not a sentencepiece model (no pieces or no trainer_spec)`);
  return model;
}
