import { loadDataset } from './src/datasets/load.ts';
import { TfidfModel, TFIDF_DEFAULTS } from './src/models/tfidf.ts';
const L = ['joy','anger','sadness','surprise','neutral'];
const tr = (await loadDataset('goemotions:/work/shared/datasets/goemotions/train.tsv', { labels: L })).rows.slice(0, 4000);
const t0 = process.cpuUsage();
const m = new TfidfModel('tfidf', { ...TFIDF_DEFAULTS });
const info = m.fit(tr.map(r => ({ text: r.text, label: r.label, count: 1 })), L);
const u = process.cpuUsage(t0);
console.log(JSON.stringify(info), 'features', m.toState().features.length, 'cpu s', (u.user+u.system)/1e6);
