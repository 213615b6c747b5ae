import { initBackend, tf } from '../train/backend.ts';
import { aleaUniform, dropout } from '../train/dropout.ts';
await initBackend('auto');
const x = tf.randomNormal([1000, 2048]);
for (let r = 0; r < 3; r++) {
  let t = performance.now(); aleaUniform(5, 2048000); const a = performance.now() - t;
  t = performance.now(); dropout(x, 0.05, 5).dispose(); const b = performance.now() - t;
  t = performance.now(); tf.dropout(x, 0.05, undefined, 5).dispose(); const c = performance.now() - t;
  console.log('alea', a.toFixed(1), 'ours', b.toFixed(1), 'tf', c.toFixed(1));
}
