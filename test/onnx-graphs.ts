/** Graphs the ONNX tests share. */
import { graphBuilder } from '../nets/builder.ts';
import type { Graph } from '../nets/graph.ts';

/** A CNN with every op kind the exporter writes (a dilated convolution unless told not to). */
export function kitchenSink(dilated = true): Graph {
  const b = graphBuilder('kitchen-sink', { weightBits: 8, activationBits: 16 });
  const x = b.add('x', { kind: 'input', shape: [3, 16, 16] });
  const c1 = b.add('c1', { kind: 'conv2d', filters: 8, kernel: [4, 4], stride: [2, 2], padding: 'same', groups: 1, bias: true }, [x], { weightBits: 4, activationBits: 8 });
  const bn = b.add('bn', { kind: 'batchnorm' }, [c1]);
  const pr = b.add('pr', { kind: 'prelu' }, [bn]);
  const c2 = b.add('c2', { kind: 'conv2d', filters: 8, kernel: [3, 3], stride: [1, 1], padding: dilated ? [2, 2] : [1, 1], groups: 2, bias: false, ...(dilated ? { dilation: [2, 2] as const } : {}) }, [pr]);
  const lr = b.add('lr', { kind: 'leakyrelu', alpha: 0.3 }, [c2]);
  const sum = b.add('sum', { kind: 'add' }, [lr, pr]);
  const cat = b.add('cat', { kind: 'concat' }, [sum, pr]);
  const mp = b.add('mp', { kind: 'maxpool', pool: [3, 3], stride: [2, 2], padding: [1, 1], ceilMode: true }, [cat]);
  const ap = b.add('ap', { kind: 'avgpool', pool: [2, 2], stride: [1, 1], padding: [1, 0] }, [mp]);
  const sc = b.add('sc', { kind: 'scale', factor: 0.5 }, [ap]);
  const tr = b.add('tr', { kind: 'transpose', perm: [1, 2, 0] }, [sc]);
  const fl = b.add('fl', { kind: 'flatten' }, [tr]);
  const d1 = b.add('d1', { kind: 'dense', units: 12, bias: true }, [fl], { weightBits: 2, activationBits: 4 });
  const dr = b.add('dr', { kind: 'dropout', rate: 0.1 }, [d1]);
  const th = b.add('th', { kind: 'tanh' }, [dr]);
  const rs = b.add('rs', { kind: 'reshape', shape: [3, 4] }, [th]);
  const fl2 = b.add('fl2', { kind: 'flatten' }, [rs]);
  const d2 = b.add('d2', { kind: 'dense', units: 6, bias: true }, [fl2]);
  const sp = b.add('sp', { kind: 'softplus' }, [d2]);
  const sg = b.add('sg', { kind: 'sigmoid' }, [sp]);
  const cl = b.add('cl', { kind: 'clip', min: 0.1, max: 0.9 }, [sg]);
  const sm = b.add('sm', { kind: 'softmax' }, [cl]);
  b.add('pn', { kind: 'powernorm', power: 2 }, [sm]);
  return b.build();
}

