/** `sg.text.models`: torchtext 0.14's RoBERTa / XLM-R encoders, head and bundles. */
export { RobertaEncoderConf, type RobertaEncoderConfig } from './conf.js';
export {
  RobertaModel,
  RobertaEncoder,
  RobertaClassificationHead,
  PositionalEmbedding,
  TransformerEncoder,
  makePositions,
  type RobertaClassificationHeadArgs,
  type RobertaModelArgs,
} from './roberta.js';
export {
  RobertaBundle,
  XLMR_BASE_ENCODER,
  XLMR_LARGE_ENCODER,
  ROBERTA_BASE_ENCODER,
  ROBERTA_LARGE_ENCODER,
  remapRobertaKeys,
  loadRobertaWeights,
  type GetModelOptions,
  type TextTransform,
  type TransformFiles,
} from './bundle.js';
