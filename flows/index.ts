/** Registry of conversation flows. The runtime starts every conversation in `main`. */
import type { FlowDefinition } from './types.js';
import { mainMachine } from './main/machine.js';

export const mainFlow: FlowDefinition = {
  id: 'main',
  version: 1,
  machine: mainMachine,
  migrations: {},
};

export const flows: Record<string, FlowDefinition> = { main: mainFlow };
export const DEFAULT_FLOW = mainFlow;
export type { FlowDefinition, FlowEvent, FlowOutput, ChoiceSpec, Locale } from './types.js';
