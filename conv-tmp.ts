import { demandStream, convOperands } from './sim/engine/demand.ts';
import { runScratchpads } from './sim/engine/scratchpad.ts';
import { readFileSync } from 'node:fs';
const cases = [[14,14,3,3,8,16,2,8,8,"ws",1,2],[15,15,3,3,4,8,2,4,4,"os",1,4],[12,12,3,3,3,16,1,8,8,"is",2,1],[20,20,5,5,2,12,3,8,4,"ws",1,1],[9,9,2,2,6,10,2,4,8,"os",2,2],[11,11,3,3,5,7,2,4,4,"is",1,2]];
const ref = JSON.parse(readFileSync('/tmp/ss/h/conv-ref.json', 'utf8'));
cases.forEach(([h, w, fh, fw, ch, nf, st, R, C, df, kb, bw]: any, i: number) => {
  const r = runScratchpads(demandStream(convOperands(h, w, fh, fw, ch, nf, st, st), df, R, C), { ifmap: kb * 1024, filter: kb * 1024, output: kb * 1024, ifmapBandwidth: bw, filterBandwidth: bw, outputBandwidth: bw });
  const got = [r.lastCycle, r.stallCycles, r.ifmapReads, r.filterReads, r.outputWrites];
  const want = [ref[i][0], ref[i][1], ref[i][5], ref[i][6], ref[i][7]];
  console.log(i, JSON.stringify(got) === JSON.stringify(want) ? 'OK' : 'DIFF ' + got + ' vs ' + want);
});
