/**
 * The training curve: one self-contained HTML page (chart.js inlined, nothing fetched) drawn from
 * train.jsonl — training loss (total, emotion, LM) and learning rate by step, and train accuracy
 * with each dev set's accuracy and macro-F1. A resumed run logs some steps twice; the later entry
 * wins, so the curve is the one an uninterrupted run would have drawn.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { esc, htmlPage } from '../util/html.js';

interface TrainEvent {
  type: 'train';
  step: number;
  loss: number;
  emotion_loss: number;
  lm_loss: number | null;
  accuracy: number;
  lr: number;
}
interface DevEvent {
  type: 'dev';
  step: number;
  sets: Record<string, { accuracy: number; macroF1: number }>;
}

export function curveData(jsonl: string): { train: TrainEvent[]; dev: DevEvent[] } {
  const train = new Map<number, TrainEvent>();
  const dev = new Map<number, DevEvent>();
  for (const line of jsonl.split('\n')) {
    if (line.trim() === '') continue;
    let e: { type?: string; step?: number };
    try {
      e = JSON.parse(line) as { type?: string; step?: number };
    } catch {
      continue; // a line torn by a kill
    }
    if (e.type === 'train') train.set(e.step!, e as TrainEvent);
    if (e.type === 'dev') dev.set(e.step!, e as DevEvent);
  }
  const byStep = <T extends { step: number }>(m: Map<number, T>) => [...m.values()].sort((a, b) => a.step - b.step);
  return { train: byStep(train), dev: byStep(dev) };
}

export function renderCurve(jsonl: string, title = 'emobench training curve'): string {
  const { train, dev } = curveData(jsonl);
  const devNames = [...new Set(dev.flatMap((d) => Object.keys(d.sets)))];
  const data = {
    steps: train.map((t) => t.step),
    loss: train.map((t) => t.loss),
    emotion: train.map((t) => t.emotion_loss),
    lm: train.map((t) => t.lm_loss),
    lr: train.map((t) => t.lr),
    acc: train.map((t) => t.accuracy),
    dev: devNames.map((name) => ({
      name,
      points: dev.filter((d) => d.sets[name] !== undefined).map((d) => ({ step: d.step, acc: d.sets[name]!.accuracy, f1: d.sets[name]!.macroF1 })),
    })),
  };
  // Small enough to stay a string: the report's client script (src/report/client) is for report pages,
  // and train sits below the report, so it cannot use it.
  const script = `
const D = JSON.parse(document.getElementById('data').textContent);
const xy = (xs, ys) => xs.map((x, i) => ({ x, y: ys[i] })).filter((p) => p.y !== null);
const title = (text) => ({ display: true, text });
const step = { type: 'linear', title: title('step') };
new Chart(document.getElementById('loss'), { type: 'line', data: { datasets: [
  { label: 'loss (joint)', data: xy(D.steps, D.loss), pointRadius: 0 },
  { label: 'emotion CE', data: xy(D.steps, D.emotion), pointRadius: 0 },
  { label: 'LM CE', data: xy(D.steps, D.lm), pointRadius: 0 },
  { label: 'learning rate (right axis)', data: xy(D.steps, D.lr), pointRadius: 0, yAxisID: 'lr', borderDash: [5, 4] },
] }, options: { animation: false, scales: {
  x: step,
  y: { type: 'linear', position: 'left', title: title('cross-entropy (nats)') },
  // Its own axis: a learning rate of 3e-4 drawn against losses of 1-5 is a flat line at zero.
  lr: { type: 'linear', axis: 'y', position: 'right', beginAtZero: true, title: title('learning rate'), grid: { drawOnChartArea: false }, ticks: { callback: (v) => Number(v).toExponential(1) } },
} } });
new Chart(document.getElementById('acc'), { type: 'line', data: { datasets: [
  { label: 'train accuracy (batch)', data: xy(D.steps, D.acc), pointRadius: 0 },
  ...D.dev.flatMap((d) => [
    { label: d.name + ' accuracy', data: d.points.map((p) => ({ x: p.step, y: p.acc })) },
    { label: d.name + ' macro-F1', data: d.points.map((p) => ({ x: p.step, y: p.f1 })), borderDash: [4, 3] },
  ]),
] }, options: { animation: false, scales: { x: step, y: { min: 0, max: 1, title: title('accuracy / macro-F1 (fraction)') } } } });
`;
  const body = `<h1>${esc(title)}</h1>
<p>${train.length === 0 ? 'No training steps logged yet.' : `${esc(train.length)} logged points up to step ${esc(train[train.length - 1]!.step)}; ${esc(dev.length)} dev evaluations.`}</p>
<h2>Loss and learning rate</h2><canvas id="loss"></canvas>
<h2>Accuracy and macro-F1</h2><canvas id="acc"></canvas>`;
  return htmlPage({ title, css: 'body{font:14px system-ui,sans-serif;margin:2rem;max-width:1100px}canvas{margin-bottom:2rem}', body, data: { data }, scripts: [script] });
}

/** Written beside and renamed, so a reader never sees half a page. */
export function writeCurve(logPath: string, htmlPath: string): void {
  const tmp = `${htmlPath}.tmp`;
  writeFileSync(tmp, renderCurve(readFileSync(logPath, 'utf8')));
  renameSync(tmp, htmlPath);
}
