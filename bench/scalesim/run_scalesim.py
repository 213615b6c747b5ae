"""
Measuring stick, never run by tests or CI: runs SCALE-Sim v2 itself (the public repository's
source, github.com/scalesim-project/scale-sim-v2 at 22f88b1, checked out at SCALESIM) on GEMMs
and convolutions in USER bandwidth mode and prints the columns our parity tests read.
It reproduces every row of reference/scalesim/gemm-user.csv exactly, and wrote
test/fixtures/scalesim/user-extra.json (60 random GEMMs, seed 7, and 6 strided convolutions).

  SCALESIM=/path/to/scale-sim-v2 python3 bench/scalesim/run_scalesim.py gemm M N K rows cols df sram_kb bw
  SCALESIM=/path/to/scale-sim-v2 python3 bench/scalesim/run_scalesim.py conv H W R S C filters stride rows cols df sram_kb bw

SCALE-Sim imports tqdm; where it is not installed, a directory with a one-class tqdm.py stub
(an iterable wrapper with update/close) on PYTHONPATH is enough.
"""
import json, os, sys, tempfile

sys.path.insert(0, os.environ.get('SCALESIM', '.'))
from scalesim.scale_config import scale_config
from scalesim.topology_utils import topologies
from scalesim.single_layer_sim import single_layer_sim


def run(kind, layer, rows, cols, df, kb, bw):
    d = tempfile.mkdtemp()
    with open(f'{d}/c.cfg', 'w') as f:
        f.write(f"[general]\nrun_name = x\n[architecture_presets]\nArrayHeight: {rows}\nArrayWidth: {cols}\n"
                f"IfmapSramSzkB: {kb}\nFilterSramSzkB: {kb}\nOfmapSramSzkB: {kb}\nIfmapOffset: 0\nFilterOffset: 10000000\n"
                f"OfmapOffset: 20000000\nBandwidth : {bw}\nDataflow : {df}\nMemoryBanks: 1\n[run_presets]\nInterfaceBandwidth: USER\n")
    cfg = scale_config()
    cfg.read_conf_file(f'{d}/c.cfg')
    with open(f'{d}/t.csv', 'w') as f:
        if kind == 'gemm':
            f.write('Layer,M,N,K,\nl0,' + ','.join(map(str, layer)) + ',\n')
        else:
            f.write('Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nl0,' + ','.join(map(str, layer)) + ',\n')
    topo = topologies()
    topo.load_arrays(f'{d}/t.csv', mnk_inputs=kind == 'gemm')
    s = single_layer_sim()
    s.set_params(layer_id=0, config_obj=cfg, topology_obj=topo, verbose=False)
    s.run()
    c, x = s.get_compute_report_items(), s.get_detail_report_items()
    return dict(total_cycles=int(c[0]), stall_cycles=int(c[1]), sram_ifmap_reads=int(x[2]), sram_filter_reads=int(x[5]), sram_ofmap_writes=int(x[8]),
                dram_ifmap_reads=int(x[11]), dram_filter_reads=int(x[14]), dram_ofmap_writes=int(x[17]))


if __name__ == '__main__':
    kind, *rest = sys.argv[1:]
    n = 3 if kind == 'gemm' else 7
    layer, (rows, cols, df, kb, bw) = [int(v) for v in rest[:n]], rest[n:]
    print(json.dumps(run(kind, layer, int(rows), int(cols), df, int(kb), int(bw))))
