/**
 * Gradients for the kernels the model (and a cross-entropy loss) uses.
 *
 * tfjs-core registers no gradients by itself — the @tensorflow/tfjs bundle does — and its ESM
 * gradient files cannot be imported from Node (extensionless imports). So tf.variableGrads over
 * the forward pass needs these. Each one is registered only if no gradient for that kernel exists
 * yet, so a tfjs bundle or tfjs-node loaded alongside keeps its own.
 *
 * Conventions: dy has the kernel's output shape; each entry returns the gradient for one input.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';

/** Sum a broadcast result's gradient back down to the input's shape. */
function unbroadcast(g: Tensor, shape: number[]): Tensor {
  const outShape = g.shape;
  const axes = tf.broadcast_util.getReductionAxes(shape, outShape);
  return axes.length > 0 ? tf.reshape(tf.sum(g, axes), shape) : g;
}

/** dy reshaped so it broadcasts against x after a reduction over `axis`. */
function expandReduced(dy: Tensor, x: Tensor, axis: number | number[]): Tensor {
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const shape = x.shape.slice();
  for (const a of axes) shape[a] = 1;
  return tf.reshape(dy, shape);
}

type Attrs = NamedAttrMap & Record<string, unknown>;
const one = (dy: Tensor | Tensor[]): Tensor => dy as Tensor;

const configs: GradConfig[] = [
  {
    kernelName: 'Add',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({ a: () => unbroadcast(one(dy), a!.shape), b: () => unbroadcast(one(dy), b!.shape) }),
  },
  {
    kernelName: 'Sub',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({ a: () => unbroadcast(one(dy), a!.shape), b: () => unbroadcast(tf.neg(one(dy)), b!.shape) }),
  },
  {
    kernelName: 'Multiply',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({
      a: () => unbroadcast(tf.mul(one(dy), b!), a!.shape),
      b: () => unbroadcast(tf.mul(one(dy), a!), b!.shape),
    }),
  },
  {
    kernelName: 'RealDiv',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({
      a: () => unbroadcast(tf.div(one(dy), b!), a!.shape),
      b: () => unbroadcast(tf.neg(tf.div(tf.mul(one(dy), a!), tf.square(b!))), b!.shape),
    }),
  },
  { kernelName: 'Neg', gradFunc: (dy) => ({ x: () => tf.neg(one(dy)) }) },
  {
    // C = op(A)·op(B). With the plain layout: dA = dC·Bᵀ, dB = Aᵀ·dC; the transposed cases follow.
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b], attrs) => {
      const { transposeA, transposeB } = attrs as Attrs as { transposeA: boolean; transposeB: boolean };
      const g = one(dy);
      if (!transposeA && !transposeB) return { a: () => tf.matMul(g, b!, false, true), b: () => tf.matMul(a!, g, true, false) };
      if (!transposeA && transposeB) return { a: () => tf.matMul(g, b!, false, false), b: () => tf.matMul(g, a!, true, false) };
      if (transposeA && !transposeB) return { a: () => tf.matMul(b!, g, false, true), b: () => tf.matMul(a!, g, false, false) };
      return { a: () => tf.matMul(b!, g, true, true), b: () => tf.matMul(g, a!, true, true) };
    },
  },
  { kernelName: 'Reshape', inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.reshape(one(dy), x!.shape) }) },
  {
    kernelName: 'Transpose',
    gradFunc: (dy, _saved, attrs) => {
      const perm = (attrs as Attrs).perm as number[];
      const undo = perm.map((_, i) => perm.indexOf(i));
      return { x: () => tf.transpose(one(dy), undo) };
    },
  },
  { kernelName: 'SplitV', gradFunc: (dy, _saved, attrs) => ({ x: () => tf.concat(dy as Tensor[], (attrs as Attrs).axis as number) }) },
  {
    kernelName: 'Concat',
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs) => {
      const axis = tf.util.parseAxisParam((attrs as Attrs).axis as number, saved[0]!.shape)[0]!;
      const parts = tf.split(one(dy), saved.map((t) => t.shape[axis]!), axis);
      return Object.fromEntries(parts.map((p, i) => [String(i), () => p]));
    },
  },
  {
    kernelName: 'Slice',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const begin = (attrs as Attrs).begin as number[];
      const g = one(dy);
      return { x: () => tf.pad(g, g.shape.map((n, i) => [begin[i]!, x!.shape[i]! - begin[i]! - n] as [number, number])) };
    },
  },
  {
    // y = softmax(x): dx = y ⊙ (dy − Σ dy ⊙ y)
    kernelName: 'Softmax',
    outputsToSave: [true],
    gradFunc: (dy, [y], attrs) => {
      const dyY = tf.mul(one(dy), y!);
      return { logits: () => tf.sub(dyY, tf.mul(tf.sum(dyY, [(attrs as Attrs).dim as number], true), y!)) };
    },
  },
  {
    kernelName: 'Sigmoid',
    outputsToSave: [true],
    gradFunc: (dy, [y]) => ({ x: () => tf.mul(one(dy), tf.mul(y!, tf.sub(1, y!))) }),
  },
  {
    // d/dx x^(−1/2) = −½ · x^(−3/2) = −½ · y³
    kernelName: 'Rsqrt',
    outputsToSave: [true],
    gradFunc: (dy, [y]) => ({ x: () => tf.mul(one(dy), tf.mul(-0.5, tf.pow(y!, 3))) }),
  },
  { kernelName: 'Square', inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.mul(one(dy), tf.mul(2, x!)) }) },
  { kernelName: 'Exp', outputsToSave: [true], gradFunc: (dy, [y]) => ({ x: () => tf.mul(one(dy), y!) }) },
  { kernelName: 'Log', inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.div(one(dy), x!) }) },
  { kernelName: 'Cast', gradFunc: (dy) => ({ x: () => tf.clone(one(dy)) }) },
  {
    kernelName: 'Sum',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => ({ x: () => tf.mul(expandReduced(one(dy), x!, (attrs as Attrs).axis as number[]), tf.onesLike(x!)) }),
  },
  {
    kernelName: 'Mean',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const axis = (attrs as Attrs).axis as number[];
      const n = tf.util.parseAxisParam(axis, x!.shape).reduce((p, a) => p * x!.shape[a]!, 1);
      return { x: () => tf.div(tf.mul(expandReduced(one(dy), x!, axis), tf.onesLike(x!)), n) };
    },
  },
];

let registered = false;

export function registerGradients(): void {
  if (registered) return;
  registered = true;
  for (const c of configs) if (tf.getGradient(c.kernelName) === undefined) tf.registerGradient(c);
}
