/**
 * `codesign export`: one of our networks as an ONNX file — trained weights from a checkpoint,
 * or the seeded initial weights — with every op's bits in its metadata. Kernels are written as
 * the forward pass uses them (fake-quantized at the layer's bits), BN statistics of those bits.
 */
import { checkModelFits } from '../train/memory.ts';
import { writeWhole } from '../core/files.ts';
import type { Graph } from '../nets/graph.ts';
import { checkExportable, exportOnnx } from '../nets/onnx/export.ts';
import { initBackend } from '../train/backend.ts';
import { GraphModel } from '../train/model.ts';
import { modelFromCheckpoint } from '../train/trainer.ts';
import { buildWorkload, type WorkloadSpec } from './workload.ts';

export type ExportSource =
  | { readonly kind: 'network'; readonly workload: WorkloadSpec; readonly seed: number }
  | { readonly kind: 'checkpoint'; readonly dir: string };

export interface ExportStudy {
  readonly source: ExportSource;
  readonly out: string;
}

export interface ExportOutcome {
  readonly graph: Graph;
  readonly file: string;
  readonly bytes: number;
  readonly weights: 'trained' | 'seeded initial';
}

export async function exportNetwork(s: ExportStudy): Promise<ExportOutcome> {
  if (s.source.kind === 'network') {
    const graph = buildWorkload(s.source.workload).graph;
    checkExportable(graph);
    checkModelFits(graph, 'inference');
  }
  await initBackend();
  const { model, graph } =
    s.source.kind === 'checkpoint'
      ? modelFromCheckpoint(s.source.dir)
      : (() => {
          const g = buildWorkload(s.source.workload).graph;
          const m = new GraphModel(g, { seed: s.source.seed });
          m.prepare();
          return { model: m, graph: g };
        })();
  try {
    const bytes = exportOnnx(graph, (op, parameter) => model.inferenceParameter(op, parameter), process.env.npm_package_version ?? '0.1.0');
    writeWhole(s.out, bytes);
    return { graph, file: s.out, bytes: bytes.length, weights: s.source.kind === 'checkpoint' ? 'trained' : 'seeded initial' };
  } finally {
    model.dispose();
  }
}
