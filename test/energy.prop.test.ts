import { priceGraph } from '../sim/energy.ts';
import { energyLaws } from './laws/energy-laws.ts';

energyLaws('closed form (sim/energy)', (graph, preset, options) => priceGraph(graph, preset, options));
