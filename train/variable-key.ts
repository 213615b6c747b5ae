/**
 * The names of a model's tensors, as models and checkpoints store them: one format and one
 * parse, so no other file builds or takes apart these strings. The formats are the checkpoint
 * format's (changing one would orphan every stored checkpoint).
 */
export type VariableKey =
  /** A trained parameter of an op: kernel, bias, gamma, beta, alpha. */
  | { readonly kind: 'param'; readonly op: string; readonly param: string }
  /** An LSQ step of a layer's weights at a bit width. */
  | { readonly kind: 'weightStep'; readonly op: string; readonly bits: number }
  /** The kernel's mean |w| when that LSQ weight step was last set (LSQ_STEP_DRIFT). */
  | { readonly kind: 'stepScale'; readonly op: string; readonly bits: number }
  /** An LSQ step of an op's activations at a bit width. */
  | { readonly kind: 'activationStep'; readonly op: string; readonly bits: number }
  /** BN running statistics, one set per bit width of the layer they follow (0: no layer). */
  | { readonly kind: 'bnStats'; readonly op: string; readonly bits: number; readonly stat: 'mean' | 'variance' }
  /** Which rows of a stochastic layer are quantized. */
  | { readonly kind: 'rowMask'; readonly op: string }
  /** Adam's first or second moment of another variable (checkpoints only). */
  | { readonly kind: 'adam'; readonly moment: 'm' | 'v'; readonly of: string };

export function formatKey(k: VariableKey): string {
  switch (k.kind) {
    case 'param':
      return `${k.op}/${k.param}`;
    case 'weightStep':
      return `${k.op}/lsq_step@${k.bits}`;
    case 'stepScale':
      return `${k.op}/lsq_scale@${k.bits}`;
    case 'activationStep':
      return `${k.op}/act_step@${k.bits}`;
    case 'bnStats':
      return `${k.op}/stats@${k.bits}/${k.stat}`;
    case 'rowMask':
      return `${k.op}/rowmask`;
    case 'adam':
      return `${k.of}#adam_${k.moment}`;
  }
}

/** The key a stored name stands for; every name formatKey writes parses back to its key. */
export function parseKey(name: string): VariableKey {
  const adam = /^(.*)#adam_(m|v)$/.exec(name);
  if (adam) return { kind: 'adam', moment: adam[2] as 'm' | 'v', of: adam[1] };
  const step = /^(.+)\/(lsq|act)_step@(\d+)$/.exec(name);
  if (step) return { kind: step[2] === 'lsq' ? 'weightStep' : 'activationStep', op: step[1], bits: Number(step[3]) };
  const scale = /^(.+)\/lsq_scale@(\d+)$/.exec(name);
  if (scale) return { kind: 'stepScale', op: scale[1], bits: Number(scale[2]) };
  const stats = /^(.+)\/stats@(\d+)\/(mean|variance)$/.exec(name);
  if (stats) return { kind: 'bnStats', op: stats[1], bits: Number(stats[2]), stat: stats[3] as 'mean' | 'variance' };
  const mask = /^(.+)\/rowmask$/.exec(name);
  if (mask) return { kind: 'rowMask', op: mask[1] };
  const slash = name.lastIndexOf('/');
  return { kind: 'param', op: name.slice(0, slash), param: name.slice(slash + 1) };
}

/** Running statistics and masks are state, not trained: they live apart from the trainable variables. */
export const isStatistic = (k: VariableKey): boolean => k.kind === 'bnStats' || k.kind === 'rowMask' || k.kind === 'stepScale';

/** A trained parameter's name: `paramKey('fc1', 'kernel')`. */
export const paramKey = (op: string, param: string): string => formatKey({ kind: 'param', op, param });
