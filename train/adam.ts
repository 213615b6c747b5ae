/** Adam (Kingma & Ba) with its moments held as named variables, so a checkpoint can save them. */
import { tf } from './backend.ts';
import { nativeAdam } from './native-kernels.ts';

export interface AdamConfig {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

export const ADAM_DEFAULTS: AdamConfig = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

export class Adam {
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();
  step = 0;
  /** Multiplies the configured learning rate (a schedule sets it per epoch). */
  learningRateScale = 1;
  constructor(readonly config: AdamConfig = ADAM_DEFAULTS) {}

  private moment(map: Map<string, tf.Variable>, name: string, like: tf.Tensor): tf.Variable {
    let t = map.get(name);
    if (!t) {
      const zeros = tf.zerosLike(like);
      t = tf.variable(zeros, false, `${name}/adam_${map === this.m ? 'm' : 'v'}`);
      zeros.dispose(); // the variable keeps its own reference to the data
      map.set(name, t);
    }
    return t;
  }

  /**
   * Applies one update for the given gradients (variables by name). Variables for which
   * `relative` holds move by their own magnitude times the step (Adam on log|w|, to first
   * order): Adam's update is ≈ lr whatever the gradient's scale, so a quantizer's step size of
   * 10⁻³ would otherwise change by tens of percent per step (LSQ's gradient scale assumes SGD).
   */
  apply(variables: ReadonlyMap<string, tf.Variable>, grads: Record<string, tf.Tensor>, relative: (name: string) => boolean = () => false): void {
    this.step++;
    const { learningRate, beta1, beta2, epsilon } = this.config;
    const c1 = 1 - beta1 ** this.step;
    const c2 = 1 - beta2 ** this.step;
    tf.tidy(() => {
      for (const [name, g] of Object.entries(grads)) {
        const w = variables.get(name);
        if (!w || !g) continue;
        const m = this.moment(this.m, name, w);
        const v = this.moment(this.v, name, w);
        const rate = (learningRate * this.learningRateScale) / c1;
        // One native pass when the native kernels are installed (the same numbers, bit for bit).
        const fused = nativeAdam(w, g, m, v, { beta1, beta2, c2, epsilon, rate, relative: relative(name) });
        if (fused) {
          w.assign(fused[0]);
          m.assign(fused[1]);
          v.assign(fused[2]);
          continue;
        }
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const update = tf.mul(tf.div(m, tf.add(tf.sqrt(tf.div(v, c2)), epsilon)), (learningRate * this.learningRateScale) / c1);
        w.assign(tf.sub(w, relative(name) ? tf.mul(update, tf.abs(w)) : update));
      }
    });
  }

  /** Drops the moments of variables that were set afresh (their history no longer applies). */
  forget(names: readonly string[]): void {
    for (const name of names) {
      for (const map of [this.m, this.v]) {
        map.get(name)?.dispose();
        map.delete(name);
      }
    }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}
