/**
 * Model configuration: the numbers that fix every tensor shape.
 *
 * Architecture (one line): token embedding → nLayers × [RMSNorm → attention (RoPE, grouped-query,
 * emotion bias after the emotion layer) → residual, RMSNorm → SwiGLU MLP → residual], with the
 * emotion head reading the residual stream after block `emotionLayer` and writing its 5-d emotion
 * vector back into it → final RMSNorm → untied LM head.
 */

export const EMOTIONS = ['joy', 'anger', 'sadness', 'surprise', 'neutral'] as const;
export type Emotion = (typeof EMOTIONS)[number];
/** How classification reads one emotion per text from the per-position vectors (readout.ts). */
export type EmotionReadout = 'last' | 'mean';

export interface ModelConfig {
  vocabSize: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  /** Key/value heads; nHeads / nKvHeads query heads share each one (grouped-query attention). */
  nKvHeads: number;
  /** Hidden width of the SwiGLU MLP (gate and up projections each have dFF outputs). */
  dFF: number;
  /** Longest context the model is meant to see (RoPE itself has no hard limit). */
  maxSeq: number;
  ropeTheta: number;
  /**
   * 0-based block after which the emotion head reads the residual stream and adds the emotion
   * vector back. Blocks after it (emotionLayer+1 … nLayers-1) carry the emotion attention bias.
   */
  emotionLayer: number;
  nEmotions: number;
  normEps: number;
  /** Absent in configs written before the choice existed: 'last'. Fixes no shape; training sets it. */
  emotionReadout?: EmotionReadout;
}

/**
 * The article's model, ≈93M parameters (exactly 93,152,357 — see countParams):
 *   embedding 8192×768 + untied LM head 768×8192      12,582,912
 *   12 blocks × (4·768² attention + 3·768·1888 MLP + 2·768 norms)  80,529,408
 *   emotion head + feedback (768 norm, 768×5 + 5, 5×768)      8,453
 *   8 biased blocks × (768×5 salience + 12 β)                  30,816
 *   final norm                                                     768
 * dFF = 1888 (≈2.46·d) is what is left of the 93M budget after untying the head.
 */
export const paper: ModelConfig = {
  vocabSize: 8192,
  dModel: 768,
  nLayers: 12,
  nHeads: 12,
  nKvHeads: 12,
  dFF: 1888,
  maxSeq: 1024,
  ropeTheta: 10000,
  emotionLayer: 3,
  nEmotions: 5,
  normEps: 1e-5,
};

/** A few million parameters (7,413,261): what gets trained and shipped on a 2-core machine. */
export const small: ModelConfig = {
  vocabSize: 8192,
  dModel: 256,
  nLayers: 4,
  nHeads: 4,
  nKvHeads: 4,
  dFF: 704,
  maxSeq: 256,
  ropeTheta: 10000,
  emotionLayer: 1,
  nEmotions: 5,
  normEps: 1e-5,
};

/** For tests (44,201 parameters): small enough to check against naive loops; 4 query heads share 2 kv heads. */
export const tiny: ModelConfig = {
  vocabSize: 320,
  dModel: 32,
  nLayers: 2,
  nHeads: 4,
  nKvHeads: 2,
  dFF: 88,
  maxSeq: 64,
  ropeTheta: 10000,
  emotionLayer: 0,
  nEmotions: 5,
  normEps: 1e-5,
};

export const CONFIGS = { paper, small, tiny } as const;
export type ConfigName = keyof typeof CONFIGS;

export function headDim(cfg: ModelConfig): number {
  return cfg.dModel / cfg.nHeads;
}

/** Blocks that carry the emotion attention bias (and so a salience projection and β per head). */
export function isBiasLayer(cfg: ModelConfig, layer: number): boolean {
  return layer > cfg.emotionLayer;
}

export function validateConfig(cfg: ModelConfig): ModelConfig {
  const ints = ['vocabSize', 'dModel', 'nLayers', 'nHeads', 'nKvHeads', 'dFF', 'maxSeq', 'nEmotions'] as const;
  for (const k of ints) {
    const v = cfg[k];
    if (!Number.isInteger(v) || v <= 0) throw new Error(`model config: ${k} must be a positive integer, got ${String(v)}`);
  }
  if (cfg.dModel % cfg.nHeads !== 0) throw new Error(`model config: dModel ${cfg.dModel} is not divisible by nHeads ${cfg.nHeads}`);
  if (headDim(cfg) % 2 !== 0) throw new Error(`model config: head dim ${headDim(cfg)} must be even for RoPE`);
  if (cfg.nHeads % cfg.nKvHeads !== 0) throw new Error(`model config: nHeads ${cfg.nHeads} is not a multiple of nKvHeads ${cfg.nKvHeads}`);
  if (!Number.isInteger(cfg.emotionLayer) || cfg.emotionLayer < 0 || cfg.emotionLayer >= cfg.nLayers) {
    throw new Error(`model config: emotionLayer must be a block index in [0, ${cfg.nLayers - 1}], got ${cfg.emotionLayer}`);
  }
  if (!(cfg.ropeTheta > 0) || !(cfg.normEps > 0)) throw new Error('model config: ropeTheta and normEps must be positive');
  if (cfg.emotionReadout !== undefined && cfg.emotionReadout !== 'last' && cfg.emotionReadout !== 'mean') {
    throw new Error(`model config: emotionReadout must be "last" or "mean", got ${JSON.stringify(cfg.emotionReadout)}`);
  }
  return cfg;
}

/** Exact parameter count; equals the sum of sizes in the weight table (checked by a test). */
export function countParams(cfg: ModelConfig): number {
  const d = cfg.dModel;
  const kvDim = cfg.nKvHeads * headDim(cfg);
  const attention = d * d /* wq */ + 2 * d * kvDim /* wk, wv */ + d * d /* wo */;
  const mlp = 3 * d * cfg.dFF;
  const block = attention + mlp + 2 * d;
  const biasBlocks = cfg.nLayers - 1 - cfg.emotionLayer;
  const bias = biasBlocks * (d * cfg.nEmotions + cfg.nHeads);
  const emotion = d + d * cfg.nEmotions + cfg.nEmotions + cfg.nEmotions * d;
  return 2 * cfg.vocabSize * d + cfg.nLayers * block + emotion + bias + d;
}
