/** nn.Embedding (PyTorch 1.13): a table of `num` learned vectors of `dim` floats, looked up by id. */
import type { Tensor } from '../../tensor.js';
import { copyBuffer } from '../../gpu/commands.js';
import { embedding } from '../../ops/embedding.js';
import { randn, zeros } from '../../ops/create.js';
import { Module } from '../module.js';
import { parameter, type Parameter } from '../parameter.js';

/** Options of `new nn.Embedding(numEmbeddings, embeddingDim, options)`. */
export interface EmbeddingArgs {
  /** The row that padding ids look up: initialised to zeros and never given a gradient (PyTorch's `padding_idx`). */
  paddingIdx?: number | null;
  /**
   * Give the table's gradient as its touched rows (PyTorch's `sparse=True`): `weight.grad` stays
   * null, Adam/AdamW apply torch.optim.SparseAdam's update to those rows only (default false).
   */
  sparse?: boolean;
}

/**
 * out[..., :] = weight[ids[...], :] for int32 ids of any shape, as `torch.nn.Embedding(num, dim,
 * padding_idx)`: weight [num, dim] drawn from N(0, 1), the padding row zeroed. Printed
 * `Embedding(250002, 768, padding_idx=1)`; the key is `weight`.
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  /** Row-sparse gradients (PyTorch's `sparse`); may be switched on a built model, e.g. a bundle's token table. */
  sparse: boolean;
  weight: Parameter;

  /** `new Embedding(num, dim, paddingIdx?)` or with options (`{paddingIdx, sparse}`; a negative paddingIdx counts from the end). */
  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingArgs | number | null = {}) {
    super();
    const given = typeof options === 'number' || options === null ? options : (options.paddingIdx ?? null);
    if (!(Number.isInteger(numEmbeddings) && numEmbeddings > 0 && Number.isInteger(embeddingDim) && embeddingDim >= 0))
      throw new Error(
        `Embedding: num_embeddings ${numEmbeddings} and embedding_dim ${embeddingDim} must be whole, num_embeddings positive`,
      );
    if (given !== null && !(Number.isInteger(given) && given >= -numEmbeddings && given < numEmbeddings))
      throw new Error(`Embedding: Padding_idx must be within num_embeddings (got ${given} for ${numEmbeddings})`);
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = given === null ? null : given < 0 ? given + numEmbeddings : given;
    this.sparse = typeof options === 'object' && options !== null ? (options.sparse ?? false) : false;
    this.weight = parameter(randn([numEmbeddings, embeddingDim]));
    if (this.paddingIdx !== null && embeddingDim > 0) {
      // PyTorch's reset_parameters: normal_, then the padding row filled with 0.
      const row = zeros([embeddingDim]);
      copyBuffer(row.buffer, 0, this.weight.buffer, this.paddingIdx * embeddingDim * 4, embeddingDim * 4);
      row.dispose();
    }
  }

  forward(ids: Tensor): Tensor {
    return embedding(ids, this.weight, { paddingIdx: this.paddingIdx, sparse: this.sparse });
  }

  /** `250002, 768, padding_idx=1` (`, sparse=True` when sparse), as PyTorch. */
  override extraRepr(): string {
    const padding = this.paddingIdx === null ? '' : `, padding_idx=${this.paddingIdx}`;
    return `${this.numEmbeddings}, ${this.embeddingDim}${padding}${this.sparse ? ', sparse=True' : ''}`;
  }
}
