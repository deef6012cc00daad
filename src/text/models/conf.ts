/** torchtext's RobertaEncoderConf: the shape of a RoBERTa / XLM-R encoder, with torchtext 0.14's defaults. */

/** The fields of `RobertaEncoderConf`, all optional (torchtext's names in camelCase). */
export interface RobertaEncoderConfig {
  vocabSize?: number;
  embeddingDim?: number;
  ffnDimension?: number;
  paddingIdx?: number;
  maxSeqLen?: number;
  numAttentionHeads?: number;
  numEncoderLayers?: number;
  dropout?: number;
  /** Kept for torchtext compatibility; PyTorch's attention always scales by 1 / sqrt(headDim). */
  scaling?: number | null;
  normalizeBefore?: boolean;
}

/**
 * `new RobertaEncoderConf({vocabSize: 250002})`, as torchtext's dataclass: vocabSize 50265,
 * embeddingDim 768, ffnDimension 3072, paddingIdx 1, maxSeqLen 514, numAttentionHeads 12,
 * numEncoderLayers 12, dropout 0.1, scaling null, normalizeBefore false by default.
 */
export class RobertaEncoderConf {
  readonly vocabSize: number;
  readonly embeddingDim: number;
  readonly ffnDimension: number;
  readonly paddingIdx: number;
  readonly maxSeqLen: number;
  readonly numAttentionHeads: number;
  readonly numEncoderLayers: number;
  readonly dropout: number;
  readonly scaling: number | null;
  readonly normalizeBefore: boolean;

  constructor(c: RobertaEncoderConfig = {}) {
    const known = new Set(Object.keys(DEFAULTS));
    for (const k of Object.keys(c)) if (!known.has(k)) throw new Error(`RobertaEncoderConf: unknown field '${k}'`);
    const v = { ...DEFAULTS, ...Object.fromEntries(Object.entries(c).filter(([, x]) => x !== undefined)) };
    this.vocabSize = v.vocabSize;
    this.embeddingDim = v.embeddingDim;
    this.ffnDimension = v.ffnDimension;
    this.paddingIdx = v.paddingIdx;
    this.maxSeqLen = v.maxSeqLen;
    this.numAttentionHeads = v.numAttentionHeads;
    this.numEncoderLayers = v.numEncoderLayers;
    this.dropout = v.dropout;
    this.scaling = v.scaling;
    this.normalizeBefore = v.normalizeBefore;
    if (this.embeddingDim % this.numAttentionHeads !== 0)
      throw new Error(
        `RobertaEncoderConf: embeddingDim ${this.embeddingDim} must be divisible by numAttentionHeads ${this.numAttentionHeads}`,
      );
  }
}

const DEFAULTS: Required<RobertaEncoderConfig> = {
  vocabSize: 50265,
  embeddingDim: 768,
  ffnDimension: 3072,
  paddingIdx: 1,
  maxSeqLen: 514,
  numAttentionHeads: 12,
  numEncoderLayers: 12,
  dropout: 0.1,
  scaling: null,
  normalizeBefore: false,
};
