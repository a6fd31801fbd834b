/** Registry of conversation flows. The runtime starts every conversation in `main`. */
import type { FlowDefinition } from './types.js';
import { mainMachine } from './main/machine.js';
import { mainMigrations } from './main/migrations.js';

export const mainFlow: FlowDefinition = {
  id: 'main',
  /** 2: the report asks the essentials first, saves, then offers more details (see flows/main/migrations.ts). */
  version: 2,
  machine: mainMachine,
  migrations: mainMigrations,
};

export const flows: Record<string, FlowDefinition> = { main: mainFlow };
export const DEFAULT_FLOW = mainFlow;
export type { FlowDefinition, FlowEvent, FlowOutput, ChoiceSpec, Locale } from './types.js';
