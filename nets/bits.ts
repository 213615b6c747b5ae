/** Enumerating per-layer bit assignments: one implementation for the search spaces and the supernet. */

/** Every assignment of `choices` to `layers` quantized layers, first layer slowest. */
export function bitAssignments(layers: number, choices: readonly number[]): number[][] {
  let out: number[][] = [[]];
  for (let i = 0; i < layers; i++) out = out.flatMap((prefix) => choices.map((c) => [...prefix, c]));
  return out;
}
