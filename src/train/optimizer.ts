/**
 * AdamW (decoupled weight decay), a linear warm-up then cosine decay of the learning rate, and
 * clipping by the global gradient norm — the article's fix for NaN gradients in the emotion vector:
 * one exploding gradient can no longer throw the weights far enough to overflow the next forward.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface ScheduleOptions {
  lr: number;
  warmupSteps: number;
  totalSteps: number;
  /** The cosine ends at lr · minLrRatio instead of 0, so late steps still learn a little. */
  minLrRatio: number;
}

/** Learning rate of 0-based step `step`. */
export function learningRate(step: number, s: ScheduleOptions): number {
  if (step < s.warmupSteps) return (s.lr * (step + 1)) / s.warmupSteps;
  const span = Math.max(1, s.totalSteps - s.warmupSteps);
  const progress = Math.min(1, (step - s.warmupSteps) / span);
  const floor = s.lr * s.minLrRatio;
  return floor + 0.5 * (s.lr - floor) * (1 + Math.cos(Math.PI * progress));
}

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Largest global L2 norm of the gradient; larger gradients are scaled down to it. */
  clipNorm: number;
}

export const ADAMW_DEFAULTS: AdamWOptions = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, clipNorm: 1 };

export interface StepResult {
  /** Global L2 norm before clipping (NaN or Infinity when the gradient is not finite). */
  gradNorm: number;
  /** False: nothing was updated, because the gradient was NaN or infinite. */
  applied: boolean;
}

export class AdamW {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(
    private readonly params: ReadonlyMap<string, tf.Variable>,
    private readonly opts: AdamWOptions,
  ) {
    for (const [name, p] of params) {
      this.m.set(name, tf.variable(tf.zerosLike(p), false));
      this.v.set(name, tf.variable(tf.zerosLike(p), false));
    }
  }

  /** `t` is the 1-based update count (bias correction); grads are not disposed here. */
  step(grads: ReadonlyMap<string, tf.Tensor>, lr: number, t: number): StepResult {
    const { beta1, beta2, eps, weightDecay, clipNorm } = this.opts;
    const normT = tf.tidy(() => tf.sqrt(tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g))))));
    const gradNorm = normT.dataSync()[0]!;
    normT.dispose();
    if (!Number.isFinite(gradNorm)) return { gradNorm, applied: false };
    const scale = gradNorm > clipNorm ? clipNorm / gradNorm : 1;
    const c1 = 1 - beta1 ** t;
    const c2 = 1 - beta2 ** t;
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        // No gradient: the parameter is off the loss's path (with lmWeight 0, the blocks after the
        // emotion layer and the LM head) and stays as it is, moments included.
        const raw = grads.get(name);
        if (raw === undefined) continue;
        const g = tf.mul(raw, scale);
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const update = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), eps));
        // Decay only matrices: shrinking norm gains, biases or β towards 0 is not regularisation.
        const decayed = p.shape.length >= 2 && weightDecay > 0 ? tf.mul(p, 1 - lr * weightDecay) : p;
        p.assign(tf.sub(decayed, tf.mul(update, lr)));
      }
    });
    return { gradNorm, applied: true };
  }

  /** First and second moments by parameter name, for checkpoints. */
  state(): { m: Map<string, Float32Array>; v: Map<string, Float32Array> } {
    const read = (src: Map<string, tf.Variable>) => new Map([...src].map(([n, t]) => [n, t.dataSync() as Float32Array]));
    return { m: read(this.m), v: read(this.v) };
  }

  load(state: { m: ReadonlyMap<string, Float32Array>; v: ReadonlyMap<string, Float32Array> }): void {
    for (const [target, src] of [[this.m, state.m], [this.v, state.v]] as const) {
      for (const [name, variable] of target) {
        const data = src.get(name);
        if (data === undefined) throw new Error(`optimizer state lacks "${name}"`);
        tf.tidy(() => variable.assign(tf.tensor(data, variable.shape)));
      }
    }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}
