/**
 * The machine a hardware table's energies are simulated on: its file's `architecture` when it
 * has one, else a stated default (the array p₀ of the table's parallelism rule at its reference
 * width, as square as it goes, weight-stationary, unlimited bandwidth, ENGINE_DEFAULTS' buffers
 * and 1 GHz clock) — so every engine energy and latency the tool prints names the machine.
 */
import { arrayForP, ENGINE_DEFAULTS, type EngineConfig } from './engine/config.ts';
import { describeDatapath } from './datapath.ts';
import { PRESETS, type Architecture, type HardwarePreset } from './presets.ts';

/** A hardware file's buffer sizes (KB) in words (the file's validation made them whole words). */
export function kilobytesToWords(kb: Architecture['localBuffersKB'], wordBits: number): EngineConfig['localBufferWords'] {
  const words = (k: number) => Math.floor((k * 1024 * 8) / wordBits);
  return { ifmap: words(kb.ifmap), filter: words(kb.filter), output: words(kb.output) };
}

export function machineOf(preset: HardwarePreset): EngineConfig {
  const arch = preset.architecture;
  if (!arch) return { ...ENGINE_DEFAULTS, ...arrayForP(preset.parallelism.atReference) };
  return {
    ...ENGINE_DEFAULTS,
    rows: arch.rows,
    cols: arch.cols,
    dataflow: arch.dataflow,
    bandwidth: arch.bandwidthWordsPerCycle,
    localBufferWords: kilobytesToWords(arch.localBuffersKB, arch.wordBits),
    wordBits: arch.wordBits,
    packing: arch.packing,
    mainMemoryBits: arch.mainMemoryKB * 1024 * 8,
    clockMHz: arch.clockMHz,
    datapath: arch.datapath ?? ENGINE_DEFAULTS.datapath,
  };
}

/** One line naming the machine (printed beside every engine energy and latency). */
export function describeMachine(preset: HardwarePreset, m: EngineConfig = machineOf(preset)): string {
  const bw = Number.isFinite(m.bandwidth) ? `${m.bandwidth} words/cycle` : 'unlimited bandwidth';
  // A shipped table lives in hardware/; a user's file is named by its table's name only.
  const shipped = PRESETS.includes(preset);
  const source = preset.architecture ? (shipped ? `hardware/${preset.name}.json's architecture` : `the architecture in ${preset.name}'s file`) : `the default machine for ${preset.name} (no architecture in its file)`;
  const datapath = m.datapath.kind === 'fixed' ? '' : `, ${describeDatapath(m.datapath)}`;
  return `${m.rows}×${m.cols} ${m.dataflow.toUpperCase()} array${datapath}, ${bw}, ${m.clockMHz} MHz, ${m.mode} — ${source}`;
}
