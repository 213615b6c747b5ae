/**
 * The registry of networks the tool prices, simulates and trains: a typed spec per family in,
 * its Graph out. Every command that takes `--net` resolves it here, so a new network is one
 * entry, not a new branch in each command.
 */
import { buildCsiNet, CSI_NETS, sideOf, type CsiNetConfig, type Side } from './csi.ts';
import type { Graph } from './graph.ts';
import { buildPrecoder, type PrecoderConfig } from './precoder.ts';
import { buildSlpDnet, type SlpNetConfig } from './slp.ts';

export type NetworkSpec =
  | { readonly kind: 'precoder'; readonly config: PrecoderConfig }
  /** A CSI codec; `side` prices the encoder (UE), the decoder (BS) or both. */
  | { readonly kind: 'codec'; readonly config: CsiNetConfig; readonly side: Side }
  | { readonly kind: 'slpdnet'; readonly config: SlpNetConfig };

export interface BuiltNetwork {
  readonly graph: Graph;
  /** A CSI codec's whole autoencoder (graph may be one side of it). */
  readonly full?: Graph;
  /** An SLP-DNet: seed 002's memory and operation accounting applies. */
  readonly slp?: boolean;
}

const BUILDERS: { readonly [K in NetworkSpec['kind']]: (spec: Extract<NetworkSpec, { kind: K }>) => BuiltNetwork } = {
  precoder: (s) => ({ graph: buildPrecoder(s.config) }),
  codec: (s) => {
    const full = buildCsiNet(s.config);
    return { graph: sideOf(full, s.side), full };
  },
  slpdnet: (s) => ({ graph: buildSlpDnet(s.config), slp: true }),
};

/** The `--net` names: the precoder, each CSI codec, the learned symbol-level precoder. */
export const NETWORK_NAMES = ['precoder', ...CSI_NETS, 'slpdnet'] as const;
export type NetworkName = (typeof NETWORK_NAMES)[number];

export function buildNetwork(spec: NetworkSpec): BuiltNetwork {
  return (BUILDERS[spec.kind] as (s: NetworkSpec) => BuiltNetwork)(spec);
}
