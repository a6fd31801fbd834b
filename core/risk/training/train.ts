/**
 * `npm run risk:train [-- --extra FILE ...] [--dry-run]`: trains the risk model from every
 * core/risk/training/*.tsv (plus counsellor labels given with --extra, same `level<TAB>text` format),
 * deterministically, and writes core/risk/model/model.json.gz.
 *
 * 1. Cross-validation report: a fixed 15% of the training messages (seeded hash) is held out, the model
 *    is trained on the rest and rules, model and combined are reported on it.
 * 2. Thresholds: 5-fold out-of-fold probabilities over all training messages, combined with the rules,
 *    pick each head's threshold (see chooseThresholds).
 * 3. The final model is trained on everything and evaluated on the project's evaluation set and on the
 *    untouched set (aggregate figures only: its messages are never printed). Every evaluation message of
 *    the project's set whose level changed against the committed model is printed.
 * 4. Gates: below them on any evaluation set the model is NOT written and the command exits with 1.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { LOCALES_DIR } from '../../i18n/index.js';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { rulesDetector, type RulesDetector } from '../assess.js';
import { combineDetectors } from '../detector.js';
import { calmedBySignals, createModel, encodeWeights, HEADS, MODEL_FILE, MODEL_FORMAT, readModelFile, type ModelFile, type RiskModel } from '../model/model.js';
import { existsSync } from 'node:fs';
import { MIN_FEATURES, SIGNAL_VALUE, sparseFeatures } from '../model/features.js';
import { normaliseText } from '../normalise.js';
import { riskRank, type RiskDetector, type RiskLevelName } from '../types.js';
import { isCrossValidation, loadDevSet, loadHoldout, loadTraining, readTsv, stableHash, trainingFiles, type Labelled } from './data.js';
import { DEFAULT_TRAIN_OPTIONS, predict, trainHead, type Example, type Head } from './logreg.js';
import { failedGates, figures, formatFigures, AIMS, type Figures } from './metrics.js';

export const BUCKETS = 1 << 18;
const FOLDS = 5;
const FOLD_SEED = 0x5eed;

/** Budgets for threshold choice on out-of-fold predictions (combined with the rules). */
export const BUDGETS = {
  /** Share of none messages the combined detector may rate ≥high / ≥elevated. */
  noneHigh: 0.02,
  noneElevated: 0.1,
  /** Share of high messages the combined detector may rate emergency. */
  highEmergency: 0.12,
  /** Share of none and elevated messages the combined detector may rate emergency. */
  lowEmergency: 0.01,
};

interface Item extends Labelled {
  normalised: string;
  example: Example;
  rules: RiskLevelName;
  /** The model may not raise this message above elevated (calmedBySignals). */
  calm: boolean;
}

const headLabel = (head: (typeof HEADS)[number], level: RiskLevelName) => (riskRank(level) >= riskRank(head) ? 1 : 0);

function trainModelHeads(items: readonly Item[]): Record<(typeof HEADS)[number], Head> {
  const examples = items.map((i) => i.example);
  const out = {} as Record<(typeof HEADS)[number], Head>;
  for (const head of HEADS) {
    const labels = Uint8Array.from(items.map((i) => headLabel(head, i.level)));
    out[head] = trainHead(examples, labels, { ...DEFAULT_TRAIN_OPTIONS, buckets: BUCKETS });
  }
  return out;
}

type Probabilities = Record<(typeof HEADS)[number], number>;


/**
 * Lowest thresholds within the budgets: each head's threshold is the smallest probability at which the
 * combined detector (max of rules and model) stays within its false-escalation budget on the
 * out-of-fold predictions. Recall is whatever that buys; the gates then judge it.
 */
export function chooseThresholds(items: readonly { level: RiskLevelName; rules: RiskLevelName; calm: boolean; p: Probabilities }[]): Probabilities {
  const pick = (pool: typeof items, head: keyof Probabilities, target: RiskLevelName, budget: number) => {
    // Messages the rules already escalate cost nothing; the rest escalate when p ≥ t (calmed ones cannot go above elevated).
    const free = pool
      .filter((i) => riskRank(i.rules) < riskRank(target))
      .map((i) => (i.calm && head !== 'elevated' ? 0 : i.p[head]))
      .sort((a, b) => b - a);
    const already = pool.length - free.length;
    const allowed = Math.max(0, Math.floor(budget * pool.length) - already);
    // Threshold just above the (allowed+1)-th highest free probability.
    const t = allowed < free.length ? free[allowed]! + 1e-6 : 0;
    return Math.min(0.995, Math.max(0.05, t));
  };
  const none = items.filter((i) => i.level === 'none');
  const high = items.filter((i) => i.level === 'high');
  const belowHigh = items.filter((i) => riskRank(i.level) < riskRank('high'));
  const t = {
    elevated: pick(none, 'elevated', 'elevated', BUDGETS.noneElevated),
    high: pick(none, 'high', 'high', BUDGETS.noneHigh),
    emergency: 0,
  };
  // Emergency also needs p(high) ≥ t.high: only those messages compete for the emergency budgets.
  const canBeEmergency = (pool: typeof items) => pool.map((i) => (i.p.high >= t.high ? i : { ...i, p: { ...i.p, emergency: 0 } }));
  t.emergency = Math.max(pick(canBeEmergency(high), 'emergency', 'emergency', BUDGETS.highEmergency), pick(canBeEmergency(belowHigh), 'emergency', 'emergency', BUDGETS.lowEmergency));
  return t;
}

/** What the model was trained from: the labelled texts (level and normalised text, in order). */
export function trainingDigest(items: readonly { level: RiskLevelName; normalised: string }[]): string {
  return createHash('sha256').update(items.map((i) => `${i.level}\t${i.normalised}`).join('\n')).digest('hex').slice(0, 16);
}

/** The lexicons the rule signals come from: a model must be retrained when they change. */
export function lexiconDigest(): string {
  const hash = createHash('sha256');
  for (const lng of ['vi', 'en']) hash.update(readFileSync(path.join(LOCALES_DIR, lng, 'risk.json')));
  return hash.digest('hex').slice(0, 16);
}

/**
 * The labelled messages, one per normalised text (training files in name order, then the extra files);
 * when the same text has two labels the higher level wins (a missed risk costs more).
 */
export function labelledItems(extra: readonly string[] = []): { items: (Labelled & { normalised: string })[]; raw: number; conflicts: number } {
  const raw = [...loadTraining(), ...extra.flatMap((f) => readTsv(f))];
  const byText = new Map<string, Labelled & { normalised: string }>();
  let conflicts = 0;
  for (const m of raw) {
    const normalised = normaliseText(m.text);
    if (!normalised) continue;
    const seen = byText.get(normalised);
    if (seen) {
      if (seen.level !== m.level) conflicts++;
      if (riskRank(m.level) > riskRank(seen.level)) seen.level = m.level;
      continue;
    }
    byText.set(normalised, { ...m, normalised });
  }
  return { items: [...byText.values()], raw: raw.length, conflicts };
}

function modelFile(heads: Record<(typeof HEADS)[number], Head>, thresholds: Probabilities, files: string[], digest: string, messages: number): ModelFile {
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  const encoded = Object.fromEntries(HEADS.map((h) => [h, { bias: round(heads[h].bias), ...encodeWeights(heads[h].weights) }])) as ModelFile['heads'];
  return {
    format: MODEL_FORMAT,
    buckets: BUCKETS,
    heads: encoded,
    thresholds: { elevated: round(thresholds.elevated), high: round(thresholds.high), emergency: round(thresholds.emergency) },
    signalValue: SIGNAL_VALUE,
    minFeatures: MIN_FEATURES,
    training: { messages, files, digest, lexicon: lexiconDigest() },
  };
}

function rate(detector: RiskDetector, set: readonly Labelled[]) {
  return set.map((m) => ({ expected: m.level, got: detector.assess(m.text).level }));
}

function parseArgs(argv: string[]) {
  const extra: string[] = [];
  let dryRun = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--extra') {
      const file = argv[++i];
      if (!file) throw new Error('--extra needs a file');
      extra.push(path.resolve(file));
    } else if (a === '--dry-run') dryRun = true;
    else throw new Error(`unknown option ${a} (use --extra FILE, --dry-run)`);
  }
  return { extra, dryRun };
}

export async function main(argv: string[]): Promise<number> {
  const { extra, dryRun } = parseArgs(argv);
  const started = performance.now();
  const rules = rulesDetector();
  const labelled = labelledItems(extra);
  const items: Item[] = labelled.items.map((m) => {
    const { assessment, signals } = rules.analyse(m.text);
    return { ...m, example: sparseFeatures(m.normalised, BUCKETS - 1, signals), rules: assessment.level, calm: calmedBySignals(signals) };
  });
  const { conflicts } = labelled;
  const files = [...trainingFiles().map((f) => path.basename(f)), ...extra.map((f) => `extra:${path.basename(f)}`)];
  const digest = trainingDigest(items);
  const counts = Object.fromEntries(['emergency', 'high', 'elevated', 'none'].map((l) => [l, items.filter((i) => i.level === l).length]));
  console.log(`training messages: ${items.length} (${JSON.stringify(counts)}; ${labelled.raw - items.length} duplicates, ${conflicts} with conflicting labels) from ${files.join(', ')}`);

  // 1. Cross-validation report on the fixed 15%.
  const cv = items.filter((i) => isCrossValidation(i.text));
  const cvTrain = items.filter((i) => !isCrossValidation(i.text));
  {
    const heads = trainModelHeads(cvTrain);
    const thresholds = chooseThresholds(foldPredictions(cvTrain));
    const model = createModel(modelFile(heads, thresholds, files, digest, cvTrain.length));
    report(`cross-validation (${cv.length} held-out training messages, model trained on ${cvTrain.length})`, cv, rules, model);
  }

  // 2. Thresholds from out-of-fold predictions over everything.
  const thresholds = chooseThresholds(foldPredictions(items));
  console.log(`thresholds: ${JSON.stringify(thresholds)}`);

  // 3. Final model.
  const heads = trainModelHeads(items);
  const file = modelFile(heads, thresholds, files, digest, items.length);
  const model = createModel(file);
  const dev = loadDevSet();
  const holdout = loadHoldout();
  const devFigures = report('project evaluation set (tests/core/risk/eval-set.jsonl)', dev, rules, model);
  const holdoutFigures = holdout.length ? report('untouched evaluation set (tests/core/risk/holdout.tsv; aggregate only)', holdout, rules, model) : undefined;

  // Changes against the committed model.
  let committed: RiskModel | undefined;
  try {
    if (existsSync(MODEL_FILE)) committed = createModel(readModelFile());
  } catch (err) {
    console.log(`\ncommitted model not comparable (${err instanceof Error ? err.message.split('\n')[0] : 'unreadable'}): no change list`);
  }
  if (committed) {
    const before = combineDetectors(rules, committed);
    const after = combineDetectors(rules, model);
    const changed = dev.map((m) => ({ m, a: before.assess(m.text).level, b: after.assess(m.text).level })).filter((x) => x.a !== x.b);
    console.log(`\nproject evaluation set: ${changed.length} message(s) changed level against the committed model`);
    for (const { m, a, b } of changed) console.log(`  [${m.level}] ${a} → ${b}: ${m.text}`);
    if (holdout.length) {
      const moved = holdout.filter((m) => before.assess(m.text).level !== after.assess(m.text).level).length;
      console.log(`untouched evaluation set: ${moved} message(s) changed level (not shown)`);
    }
  }

  // 4. Gates.
  const failures = [
    ...failedGates(devFigures).map((f) => `project set: ${f}`),
    ...(holdoutFigures ? failedGates(holdoutFigures).map((f) => `untouched set: ${f}`) : []),
  ];
  const aims = [devFigures, holdoutFigures].flatMap((f, k) => (f ? failedGates(f, AIMS).map((x) => `${k ? 'untouched' : 'project'} set: ${x}`) : []));
  if (aims.length) console.log(`\naims not met (not gating): ${aims.join('; ')}`);
  console.log(`\ntrained in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (failures.length) {
    console.error(`\nREFUSED: the model falls below the gates, nothing written:\n  ${failures.join('\n  ')}`);
    return 1;
  }
  if (dryRun) {
    console.log('dry run: model not written');
    return 0;
  }
  const gz = gzipSync(JSON.stringify(file), { level: 9 });
  writeFileSync(MODEL_FILE, gz);
  console.log(`wrote ${path.relative(process.cwd(), MODEL_FILE)} (${(gz.length / 1024).toFixed(0)} KiB gzipped)`);
  return 0;
}

function probabilities(heads: Record<(typeof HEADS)[number], Head>, e: Example): Probabilities {
  return { elevated: predict(heads.elevated, e), high: predict(heads.high, e), emergency: predict(heads.emergency, e) };
}

/** Out-of-fold probabilities: each message scored by a model trained on the other folds. */
function foldPredictions(items: readonly Item[]) {
  const fold = items.map((i) => stableHash(i.normalised, FOLD_SEED) % FOLDS);
  const out: { level: RiskLevelName; rules: RiskLevelName; calm: boolean; p: Probabilities }[] = new Array(items.length);
  for (let k = 0; k < FOLDS; k++) {
    const heads = trainModelHeads(items.filter((_, i) => fold[i] !== k));
    items.forEach((item, i) => {
      if (fold[i] === k) out[i] = { level: item.level, rules: item.rules, calm: item.calm, p: probabilities(heads, item.example) };
    });
  }
  return out;
}

function report(title: string, set: readonly Labelled[], rules: RulesDetector, model: RiskModel): Figures {
  const modelOnly: RiskDetector = {
    assess: (t) => {
      const { signals } = rules.analyse(t);
      return { level: model.level(model.scores(t, signals), signals), categories: [], matches: [] };
    },
  };
  const combined = combineDetectors(rules, model);
  console.log(`\n== ${title}`);
  console.log(formatFigures('rules', figures(rate(rules, set))));
  console.log(formatFigures('model', figures(rate(modelOnly, set))));
  const f = figures(rate(combined, set));
  console.log(formatFigures('combined', f));
  return f;
}


if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(2);
    },
  );
}
