/**
 * Logistic regression on sparse hashed features, trained by AdaGrad SGD in a fixed, seeded order:
 * the same data and options always give the same weights (no native code, no threads).
 */
import { rng } from './data.js';

export interface Example {
  index: Int32Array;
  value: Float32Array;
}

export interface TrainOptions {
  buckets: number;
  epochs: number;
  learningRate: number;
  l2: number;
  seed: number;
}

export const DEFAULT_TRAIN_OPTIONS: Omit<TrainOptions, 'buckets'> = { epochs: 12, learningRate: 0.4, l2: 3e-3, seed: 111 };

export interface Head {
  weights: Float32Array;
  bias: number;
}

/** One binary head; positives and negatives weigh the same in total (balanced). */
export function trainHead(examples: readonly Example[], labels: Uint8Array, options: TrainOptions): Head {
  const w = new Float32Array(options.buckets);
  const g2 = new Float32Array(options.buckets);
  let bias = 0;
  let biasG2 = 0;
  const positives = labels.reduce((a, b) => a + b, 0);
  const negatives = labels.length - positives;
  const weightPos = positives ? labels.length / (2 * positives) : 1;
  const weightNeg = negatives ? labels.length / (2 * negatives) : 1;
  const random = rng(options.seed);
  const order = Array.from(examples.keys());
  const eps = 1e-6;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const e of order) {
      const { index, value } = examples[e]!;
      let z = bias;
      for (let k = 0; k < index.length; k++) z += w[index[k]!]! * value[k]!;
      const p = 1 / (1 + Math.exp(-z));
      const y = labels[e]!;
      const g = (p - y) * (y ? weightPos : weightNeg);
      for (let k = 0; k < index.length; k++) {
        const b = index[k]!;
        const grad = g * value[k]! + options.l2 * w[b]!;
        const acc = g2[b]! + grad * grad;
        g2[b] = acc;
        w[b] = w[b]! - (options.learningRate * grad) / Math.sqrt(acc + eps);
      }
      biasG2 += g * g;
      bias -= (options.learningRate * g) / Math.sqrt(biasG2 + eps);
    }
  }
  return { weights: w, bias };
}

export function predict(head: Head, example: Example): number {
  let z = head.bias;
  for (let k = 0; k < example.index.length; k++) z += head.weights[example.index[k]!]! * example.value[k]!;
  return 1 / (1 + Math.exp(-z));
}
