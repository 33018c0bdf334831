/**
 * Writes the project's reasoning data: `datasets/reasoning/reasoning.jsonl` (English arithmetic
 * word problems, logic multiple choice, short knowledge QA) and
 * `datasets/multilingual/arith-parallel.jsonl` (the same arithmetic problems in English, Japanese
 * and Spanish). Every answer is computed here, never typed in, and each arithmetic row carries
 * its calculation (`work`) so a test can recompute it from the numbers the problem states.
 * Seeded: the same script always writes the same bytes (tests/reasoning-data.test.ts checks).
 *
 *   node --import tsx scripts/make-reasoning.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32, shuffleInPlace } from '../src/util/rng.js';

export const SEED = 20260109;
export const REASONING_FILE = 'datasets/reasoning/reasoning.jsonl';
export const PARALLEL_FILE = 'datasets/multilingual/arith-parallel.jsonl';

export interface ReasoningRow {
  id: string;
  text: string;
  /** The gold answer: a canonical number for arithmetic, a letter for choices, a short answer for QA. */
  label: string;
  lang: string;
  split: 'train' | 'test';
  /** `;`-separated, as the dataset loader reads tags. */
  tags: string;
  difficulty: number;
  kind: 'arith' | 'logic' | 'qa';
  choices?: string[];
  /** Arithmetic only: the calculation over the stated numbers; difficulty = its operator count. */
  work?: string;
}

type Rng = () => number;
type Lang = 'en' | 'ja' | 'es';
type T3 = Record<Lang, string>;

const int = (rng: Rng, lo: number, hi: number, step = 1): number => lo + step * Math.floor(rng() * (Math.floor((hi - lo) / step) + 1));
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
const shuffle = <T>(rng: Rng, xs: readonly T[]): T[] => shuffleInPlace([...xs], rng);

// ───────────────────────── number formatting, as each language writes it ─────────────────────────

/** English and Japanese: 12,500 and 2.5; money keeps two decimals when it has any ($12.50). */
function fmtEn(x: number, money = false): string {
  const [i, f] = splitNumber(x, money);
  return `${i.replace(/\B(?=(\d{3})+$)/g, ',')}${f ? `.${f}` : ''}`;
}
/** Spanish: no grouping up to four digits, a non-breaking space above (12 500), decimal comma (2,5). */
function fmtEs(x: number, money = false): string {
  const [i, f] = splitNumber(x, money);
  return `${i.length > 4 ? i.replace(/\B(?=(\d{3})+$)/g, '\u00a0') : i}${f ? `,${f}` : ''}`;
}
function splitNumber(x: number, money: boolean): [string, string] {
  if (x < 0 || !Number.isFinite(x)) throw new Error(`cannot state ${x} in a problem`);
  const [i, f = ''] = String(x).split('.') as [string, string?];
  return [i, money && f !== '' ? f.padEnd(2, '0') : f];
}
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const num = (x: number): T3 => ({ en: fmtEn(x), ja: fmtEn(x), es: fmtEs(x) });
const usd = (x: number): T3 => ({ en: `$${fmtEn(x, true)}`, ja: `${fmtEn(x, true)}ドル`, es: `${fmtEs(x, true)}\u00a0€` });

// ───────────────────────── arithmetic word problems ─────────────────────────

/** The name opens the problem and asks the question; in between English uses the pronoun and
 * Japanese and Spanish drop the subject, as each language does. */
interface Person extends T3 {
  he: 'he' | 'she';
}
const PEOPLE: Person[] = [
  { en: 'Maria', ja: '美咲さん', es: 'Lucía', he: 'she' },
  { en: 'James', ja: '健太さん', es: 'Javier', he: 'he' },
  { en: 'Aisha', ja: '彩花さん', es: 'Carmen', he: 'she' },
  { en: 'Tom', ja: '翔太さん', es: 'Diego', he: 'he' },
  { en: 'Sofia', ja: 'さくらさん', es: 'Sofía', he: 'she' },
  { en: 'Kenji', ja: '大輝さん', es: 'Mateo', he: 'he' },
  { en: 'Lucy', ja: '結衣さん', es: 'Elena', he: 'she' },
  { en: 'Omar', ja: '拓海さん', es: 'Pablo', he: 'he' },
  { en: 'Emma', ja: '陽菜さん', es: 'Valeria', he: 'she' },
  { en: 'Daniel', ja: '蓮さん', es: 'Hugo', he: 'he' },
  { en: 'Priya', ja: '愛子さん', es: 'Marta', he: 'she' },
  { en: 'Leo', ja: '悠斗さん', es: 'Andrés', he: 'he' },
];

/** The running quantity of a problem and the calculation that produced it. */
interface State {
  v: number;
  work: string;
  /** The calculation has a top-level + or -, so dividing it needs brackets. */
  compound: boolean;
}
interface Step extends State {
  text: T3;
}
interface Event {
  ops: 1 | 2;
  /** null when the event does not fit the current value (it would go below zero, not divide evenly). */
  apply(rng: Rng, who: Person, s: State): Step | null;
}
interface Theme {
  tag: string;
  /** Only this theme's quantity may fall below zero. */
  signed?: boolean;
  start(rng: Rng, who: Person): Step;
  events: Event[];
  question(who: Person): T3;
  /** A last step that divides the total and asks about one share instead. */
  final?: { divisors: number[]; apply(who: Person, k: number): { text: T3; question: T3 } };
}

const lit = (x: number): string => String(x);
const plus = (s: State, x: number, text: T3): Step => ({ v: s.v + x, work: `${s.work} + ${lit(x)}`, compound: true, text });
const minus = (s: State, x: number, text: T3): Step => ({ v: s.v - x, work: `${s.work} - ${lit(x)}`, compound: true, text });
const plusProduct = (s: State, a: number, b: number, text: T3): Step => ({ v: s.v + a * b, work: `${s.work} + ${lit(a)} * ${lit(b)}`, compound: true, text });
const minusProduct = (s: State, a: number, b: number, text: T3): Step => ({ v: s.v - a * b, work: `${s.work} - ${lit(a)} * ${lit(b)}`, compound: true, text });
const startAt = (x: number, text: T3): Step => ({ v: x, work: lit(x), compound: false, text });

interface Item {
  en: [string, string];
  ja: [string, string];
  es: [string, string, 'm' | 'f'];
}
const ITEMS: Item[] = [
  { en: ['notebook', 'notebooks'], ja: ['ノート', '冊'], es: ['cuaderno', 'cuadernos', 'm'] },
  { en: ['pen', 'pens'], ja: ['ペン', '本'], es: ['bolígrafo', 'bolígrafos', 'm'] },
  { en: ['mug', 'mugs'], ja: ['マグカップ', '個'], es: ['taza', 'tazas', 'f'] },
  { en: ['T-shirt', 'T-shirts'], ja: ['Tシャツ', '枚'], es: ['camiseta', 'camisetas', 'f'] },
  { en: ['book', 'books'], ja: ['本', '冊'], es: ['libro', 'libros', 'm'] },
  { en: ['potted plant', 'potted plants'], ja: ['鉢植え', '鉢'], es: ['maceta', 'macetas', 'f'] },
  { en: ['movie ticket', 'movie tickets'], ja: ['映画のチケット', '枚'], es: ['entrada de cine', 'entradas de cine', 'f'] },
  { en: ['sandwich', 'sandwiches'], ja: ['サンドイッチ', '個'], es: ['bocadillo', 'bocadillos', 'm'] },
];
const EARNINGS: T3[] = [
  { en: "walking a neighbour's dog", ja: '近所の犬の散歩をして', es: 'paseando al perro de un vecino' },
  { en: 'washing cars', ja: '洗車を手伝って', es: 'lavando coches' },
  { en: 'selling lemonade', ja: 'レモネードを売って', es: 'vendiendo limonada' },
  { en: 'babysitting', ja: 'ベビーシッターをして', es: 'cuidando niños' },
];
const ERRANDS: T3[] = [
  { en: 'buying a coffee', ja: 'コーヒーを買うのに', es: 'comprar un café' },
  { en: 'packing a bag', ja: 'かばんの準備に', es: 'preparar la mochila' },
  { en: 'walking to the station', ja: '駅まで歩くのに', es: 'ir andando a la estación' },
  { en: 'buying a ticket', ja: '切符を買うのに', es: 'comprar el billete' },
];

/** A price: whole dollars, or dollars and a quarter, half or three quarters (exact in binary). */
const price = (rng: Rng, lo: number, hi: number): number => (rng() < 0.5 ? int(rng, lo, hi) : int(rng, lo * 4, hi * 4) / 4);

const THEMES: Theme[] = [
  {
    tag: 'money',
    start: (rng, who) => {
      const a = rng() < 0.8 ? int(rng, 20, 200) : int(rng, 40, 400) / 2;
      return startAt(a, { en: `${who.en} has ${usd(a).en}.`, ja: `${who.ja}は${usd(a).ja}持っています。`, es: `${who.es} tiene ${usd(a).es}.` });
    },
    events: [
      {
        ops: 2,
        apply: (rng, who, s) => {
          const it = pick(rng, ITEMS);
          const n = int(rng, 2, 6);
          const p = price(rng, 1, 15);
          if (n * p >= s.v) return null;
          return minusProduct(s, n, p, {
            en: `${cap(who.he)} buys ${n} ${it.en[1]} for ${usd(p).en} each.`,
            ja: `${usd(p).ja}の${it.ja[0]}を${n}${it.ja[1]}買います。`,
            es: `Compra ${n} ${it.es[1]} a ${usd(p).es} cada ${it.es[2] === 'm' ? 'uno' : 'una'}.`,
          });
        },
      },
      {
        ops: 1,
        apply: (rng, who, s) => {
          const it = pick(rng, ITEMS);
          const p = price(rng, 3, 40);
          if (p >= s.v) return null;
          return minus(s, p, {
            en: `${cap(who.he)} buys a ${it.en[0]} for ${usd(p).en}.`,
            ja: `${it.ja[0]}を${usd(p).ja}で買います。`,
            es: `Compra ${it.es[2] === 'm' ? 'un' : 'una'} ${it.es[0]} por ${usd(p).es}.`,
          });
        },
      },
      {
        ops: 1,
        apply: (rng, who, s) => {
          const why = pick(rng, EARNINGS);
          const x = int(rng, 5, 60);
          return plus(s, x, { en: `${cap(who.he)} earns ${usd(x).en} ${why.en}.`, ja: `${why.ja}${usd(x).ja}稼ぎます。`, es: `Gana ${usd(x).es} ${why.es}.` });
        },
      },
      {
        ops: 1,
        apply: (rng, who, s) => {
          const x = int(rng, 10, 100, 5);
          return plus(s, x, {
            en: `${cap(who.he)} receives ${usd(x).en} as a gift from an aunt.`,
            ja: `おばから${usd(x).ja}のお小遣いをもらいます。`,
            es: `Recibe ${usd(x).es} de regalo de su tía.`,
          });
        },
      },
      {
        ops: 2,
        apply: (rng, who, s) => {
          const x = int(rng, 3, 25);
          const w = int(rng, 2, 12);
          return plusProduct(s, x, w, {
            en: `${cap(who.he)} saves ${usd(x).en} a week for ${w} weeks.`,
            ja: `毎週${usd(x).ja}ずつ、${w}週間貯金します。`,
            es: `Ahorra ${usd(x).es} a la semana durante ${w} semanas.`,
          });
        },
      },
    ],
    question: (who) => ({ en: `How much money does ${who.en} have now, in dollars?`, ja: `${who.ja}は今、何ドル持っていますか？`, es: `¿Cuántos euros tiene ${who.es} ahora?` }),
    final: {
      divisors: [2, 3, 4, 5, 6, 8, 10],
      apply: (who, k) => ({
        text: {
          en: `${cap(who.he)} then divides the money equally into ${k} envelopes.`,
          ja: `それから、そのお金を${k}枚の封筒に同じ金額ずつ分けて入れます。`,
          es: `Después, reparte el dinero a partes iguales en ${k} sobres.`,
        },
        question: { en: 'How much money, in dollars, is in each envelope?', ja: '封筒1枚には何ドル入っていますか？', es: '¿Cuántos euros hay en cada sobre?' },
      }),
    },
  },
  {
    tag: 'travel',
    start: (rng, who) => {
      const d = int(rng, 200, 900, 10);
      return startAt(d, {
        en: `${who.en} is driving to a town ${num(d).en} km away.`,
        ja: `${who.ja}は${num(d).ja}キロ離れた町へ車で向かっています。`,
        es: `${who.es} va en coche a un pueblo que está a ${num(d).es} km.`,
      });
    },
    events: [
      {
        ops: 2,
        apply: (rng, who, s) => {
          const v = int(rng, 50, 110, 10);
          const h = int(rng, 2, 4);
          if (v * h >= s.v) return null;
          return minusProduct(s, v, h, {
            en: `${cap(who.he)} drives at ${v} km/h for ${h} hours.`,
            ja: `時速${v}キロで${h}時間走ります。`,
            es: `Conduce a ${v} km/h durante ${h} horas.`,
          });
        },
      },
      {
        ops: 1,
        apply: (rng, who, s) => {
          const x = rng() < 0.25 ? int(rng, 21, 161, 2) / 2 : int(rng, 15, 120, 5);
          if (x >= s.v) return null;
          return minus(s, x, {
            en: `After a short break, ${who.he} drives another ${num(x).en} km.`,
            ja: `少し休憩したあと、さらに${num(x).ja}キロ走ります。`,
            es: `Después de un breve descanso, recorre otros ${num(x).es} km.`,
          });
        },
      },
      {
        ops: 1,
        apply: (rng, _who, s) => {
          const x = int(rng, 10, 60, 2);
          return plus(s, x, {
            en: `A road is closed, and the detour adds ${x} km to the trip.`,
            ja: `道路が通行止めのため、回り道で道のりが${x}キロ長くなります。`,
            es: `Una carretera está cortada y el desvío añade ${x} km al viaje.`,
          });
        },
      },
      {
        ops: 2,
        apply: (rng, who, s) => {
          const v = int(rng, 60, 120, 10);
          const h = int(rng, 2, 3);
          if (v * h >= s.v) return null;
          return minusProduct(s, v, h, {
            en: `Later, ${who.he} drives for ${h} more hours at ${v} km/h.`,
            ja: `その後、時速${v}キロでさらに${h}時間走ります。`,
            es: `Más tarde conduce ${h} horas más a ${v} km/h.`,
          });
        },
      },
      {
        ops: 1,
        apply: (rng, who, s) => {
          const x = int(rng, 5, 40);
          return plus(s, x, {
            en: `${cap(who.he)} takes a wrong turn, which adds ${x} km to the trip.`,
            ja: `道を間違えて、道のりが${x}キロ長くなります。`,
            es: `Se equivoca de salida y el trayecto aumenta ${x} km.`,
          });
        },
      },
    ],
    question: (who) => ({ en: `How many kilometres does ${who.en} still have to drive?`, ja: `${who.ja}はあと何キロ走る必要がありますか？`, es: `¿Cuántos kilómetros le quedan por recorrer a ${who.es}?` }),
    final: {
      divisors: [2, 3, 4, 5],
      apply: (who, k) => ({
        text: {
          en: `${cap(who.he)} will drive the rest of the way over the next ${k} days, the same distance each day.`,
          ja: `残りの道のりは、これから${k}日間、毎日同じ距離ずつ走ります。`,
          es: `Hará el resto del camino en los próximos ${k} días, la misma distancia cada día.`,
        },
        question: { en: `How many kilometres will ${who.en} drive each day?`, ja: '1日に何キロ走りますか？', es: '¿Cuántos kilómetros recorrerá cada día?' },
      }),
    },
  },
  {
    tag: 'time',
    start: (rng, who) => {
      const t = int(rng, 60, 240, 5);
      return startAt(t, {
        en: `${who.en} has ${t} minutes before the train leaves.`,
        ja: `電車が出るまで、${who.ja}には${t}分あります。`,
        es: `A ${who.es} le quedan ${t} minutos antes de que salga el tren.`,
      });
    },
    events: [
      {
        ops: 2,
        apply: (rng, who, s) => {
          const n = int(rng, 2, 6);
          const m = int(rng, 3, 15);
          if (n * m >= s.v) return null;
          return minusProduct(s, n, m, {
            en: `${cap(who.he)} answers ${n} emails, taking ${m} minutes for each.`,
            ja: `メールを${n}通返信します。どのメールにも${m}分かかります。`,
            es: `Responde ${n} correos y tarda ${m} minutos en cada uno.`,
          });
        },
      },
      {
        ops: 1,
        apply: (rng, who, s) => {
          const what = pick(rng, ERRANDS);
          const x = int(rng, 5, 30);
          if (x >= s.v) return null;
          return minus(s, x, { en: `${cap(who.he)} spends ${x} minutes ${what.en}.`, ja: `${what.ja}${x}分かかります。`, es: `Tarda ${x} minutos en ${what.es}.` });
        },
      },
      {
        ops: 1,
        apply: (rng, _who, s) => {
          const x = int(rng, 5, 25);
          return plus(s, x, {
            en: `Then it is announced that the train will leave ${x} minutes late.`,
            ja: `そのあと、電車の出発が${x}分遅れるとアナウンスがあります。`,
            es: `Luego anuncian que el tren saldrá con ${x} minutos de retraso.`,
          });
        },
      },
      {
        ops: 1,
        apply: (rng, who, s) => {
          const x = int(rng, 4, 20);
          if (x >= s.v) return null;
          return minus(s, x, { en: `${cap(who.he)} waits ${x} minutes for a friend.`, ja: `友達を${x}分待ちます。`, es: `Espera ${x} minutos a un amigo.` });
        },
      },
      {
        ops: 2,
        apply: (rng, who, s) => {
          const n = int(rng, 2, 5);
          const m = int(rng, 2, 8);
          if (n * m >= s.v) return null;
          return minusProduct(s, n, m, {
            en: `${cap(who.he)} reads ${n} news articles, spending ${m} minutes on each.`,
            ja: `ニュース記事を${n}本読みます。どの記事にも${m}分かかります。`,
            es: `Lee ${n} noticias y dedica ${m} minutos a cada una.`,
          });
        },
      },
    ],
    question: (who) => ({ en: `How many minutes does ${who.en} have left before the train leaves?`, ja: `電車が出るまで、${who.ja}にはあと何分ありますか？`, es: `¿Cuántos minutos le quedan a ${who.es} antes de que salga el tren?` }),
    final: {
      divisors: [2, 3, 4, 5, 6],
      apply: (who, k) => ({
        text: {
          en: `${cap(who.he)} spends the time that is left reading, at one page every ${k} minutes.`,
          ja: `残りの時間で本を読みます。${k}分で1ページ読みます。`,
          es: `Dedica el tiempo que le queda a leer: lee una página cada ${k} minutos.`,
        },
        question: { en: `How many pages does ${who.en} read?`, ja: '何ページ読めますか？', es: '¿Cuántas páginas lee?' },
      }),
    },
  },
  {
    tag: 'recipe',
    start: (rng) => {
      const g = int(rng, 5000, 25000, 250);
      return startAt(g, { en: `A bakery has ${num(g).en} grams of flour.`, ja: `あるパン屋には小麦粉が${num(g).ja}グラムあります。`, es: `Una panadería tiene ${num(g).es} gramos de harina.` });
    },
    events: [
      {
        ops: 2,
        apply: (rng, _who, s) => {
          const n = int(rng, 4, 30);
          const g = int(rng, 250, 600, 50);
          if (n * g >= s.v) return null;
          return minusProduct(s, n, g, {
            en: `The bakers make ${n} loaves of bread, using ${g} grams of flour for each.`,
            ja: `職人たちは食パンを${n}斤焼きます。どの食パンにも小麦粉を${g}グラム使います。`,
            es: `Los panaderos hacen ${n} panes y usan ${g} gramos de harina para cada uno.`,
          });
        },
      },
      {
        ops: 1,
        apply: (rng, _who, s) => {
          const x = int(rng, 1000, 10000, 500);
          return plus(s, x, { en: `A delivery brings ${num(x).en} more grams of flour.`, ja: `小麦粉が${num(x).ja}グラム追加で届きます。`, es: `Llega un pedido con ${num(x).es} gramos más de harina.` });
        },
      },
      {
        ops: 1,
        apply: (rng, _who, s) => {
          const x = int(rng, 200, 1500, 50);
          if (x >= s.v) return null;
          return minus(s, x, { en: `They use ${num(x).en} grams for a large cake.`, ja: `大きなケーキに${num(x).ja}グラム使います。`, es: `Usan ${num(x).es} gramos para una tarta grande.` });
        },
      },
      {
        ops: 2,
        apply: (rng, _who, s) => {
          const n = int(rng, 2, 8);
          const g = int(rng, 300, 900, 100);
          if (n * g >= s.v) return null;
          return minusProduct(s, n, g, {
            en: `A café orders ${n} trays of rolls, and each tray takes ${g} grams of flour.`,
            ja: `カフェからロールパンを${n}トレイ分注文されます。どのトレイにも小麦粉を${g}グラム使います。`,
            es: `Una cafetería encarga ${n} bandejas de panecillos, y cada bandeja lleva ${g} gramos de harina.`,
          });
        },
      },
      {
        ops: 1,
        apply: (rng, _who, s) => {
          const x = int(rng, 500, 3000, 250);
          return plus(s, x, {
            en: `A shop next door lends them ${num(x).en} grams of flour.`,
            ja: `隣の店から小麦粉を${num(x).ja}グラム借ります。`,
            es: `Una tienda vecina les presta ${num(x).es} gramos de harina.`,
          });
        },
      },
    ],
    question: () => ({ en: 'How many grams of flour does the bakery have now?', ja: 'パン屋には今、小麦粉が何グラムありますか？', es: '¿Cuántos gramos de harina tiene ahora la panadería?' }),
    final: {
      divisors: [2, 3, 4, 5, 6, 8, 10],
      apply: (_who, k) => ({
        text: { en: `The rest of the flour is packed equally into ${k} bags.`, ja: `残りの小麦粉を${k}袋に同じ量ずつ分けます。`, es: `El resto de la harina se reparte a partes iguales en ${k} bolsas.` },
        question: { en: 'How many grams of flour go into each bag?', ja: '1袋に何グラム入りますか？', es: '¿Cuántos gramos de harina hay en cada bolsa?' },
      }),
    },
  },
  {
    tag: 'temperature',
    signed: true,
    start: (rng) => {
      const t = int(rng, 2, 14);
      return startAt(t, {
        en: `At sunset the temperature in a mountain village is ${t}°C.`,
        ja: `日没のとき、山あいの村の気温は${t}度です。`,
        es: `Al atardecer, la temperatura en un pueblo de montaña es de ${t} °C.`,
      });
    },
    events: [
      {
        ops: 2,
        apply: (rng, _who, s) => {
          const x = int(rng, 2, 3);
          const h = int(rng, 2, 6);
          return minusProduct(s, x, h, {
            en: `During the night it falls by ${x} degrees every hour for ${h} hours.`,
            ja: `夜の間、気温は1時間に${x}度ずつ、${h}時間下がり続けます。`,
            es: `Durante la noche baja ${x} grados cada hora durante ${h} horas.`,
          });
        },
      },
      {
        ops: 1,
        apply: (rng, _who, s) => {
          const x = int(rng, 2, 7);
          return minus(s, x, { en: `A cold wind makes it drop another ${x} degrees.`, ja: `冷たい風が吹いて、さらに${x}度下がります。`, es: `Un viento frío la hace bajar otros ${x} grados.` });
        },
      },
      {
        ops: 1,
        apply: (rng, _who, s) => {
          const x = int(rng, 2, 5);
          return plus(s, x, { en: `Then it rises by ${x} degrees.`, ja: `その後、気温が${x}度上がります。`, es: `Después sube ${x} grados.` });
        },
      },
      {
        ops: 1,
        apply: (rng, _who, s) => {
          const x = int(rng, 2, 4);
          return plus(s, x, { en: `Clouds roll in and it warms up by ${x} degrees.`, ja: `雲が出てきて、気温が${x}度上がります。`, es: `Llegan nubes y la temperatura sube ${x} grados.` });
        },
      },
      {
        ops: 2,
        apply: (rng, _who, s) => {
          const x = int(rng, 2, 4);
          const h = int(rng, 2, 4);
          return minusProduct(s, x, h, {
            en: `After that, it falls by ${x} degrees an hour for ${h} hours.`,
            ja: `その後、1時間に${x}度ずつ、${h}時間下がります。`,
            es: `Después baja ${x} grados por hora durante ${h} horas.`,
          });
        },
      },
    ],
    question: () => ({ en: 'What is the temperature now, in °C?', ja: '今の気温は何度ですか？', es: '¿Cuál es ahora la temperatura, en °C?' }),
  },
  {
    tag: 'warehouse',
    start: (rng) => {
      const s = int(rng, 5000, 60000, 250);
      return startAt(s, { en: `A warehouse holds ${num(s).en} boxes.`, ja: `ある倉庫には箱が${num(s).ja}個あります。`, es: `Un almacén tiene ${num(s).es} cajas.` });
    },
    events: [
      {
        ops: 2,
        apply: (rng, _who, s) => {
          const n = int(rng, 2, 9);
          const c = int(rng, 150, 900, 50);
          return plusProduct(s, n, c, {
            en: `Then ${n} trucks arrive, each carrying ${c} boxes.`,
            ja: `トラックが${n}台到着し、それぞれ${c}個の箱を運んできます。`,
            es: `Llegan ${n} camiones, cada uno con ${c} cajas.`,
          });
        },
      },
      {
        ops: 1,
        apply: (rng, _who, s) => {
          const x = int(rng, 500, 9000, 250);
          if (x >= s.v) return null;
          return minus(s, x, { en: `The warehouse ships ${num(x).en} boxes to stores.`, ja: `倉庫から店舗へ${num(x).ja}個の箱が出荷されます。`, es: `El almacén envía ${num(x).es} cajas a las tiendas.` });
        },
      },
      {
        ops: 2,
        apply: (rng, _who, s) => {
          const c = int(rng, 200, 1500, 100);
          const d = int(rng, 2, 7);
          return plusProduct(s, c, d, {
            en: `A factory sends ${num(c).en} boxes a day for ${d} days.`,
            ja: `工場から1日に${num(c).ja}個ずつ、${d}日間箱が届きます。`,
            es: `Una fábrica envía ${num(c).es} cajas al día durante ${d} días.`,
          });
        },
      },
      {
        ops: 1,
        apply: (rng, _who, s) => {
          const x = int(rng, 20, 400, 10);
          if (x >= s.v) return null;
          return minus(s, x, {
            en: `Workers find ${x} damaged boxes and throw them away.`,
            ja: `破損した箱が${x}個見つかり、廃棄されます。`,
            es: `Los trabajadores encuentran ${x} cajas dañadas y las tiran.`,
          });
        },
      },
    ],
    question: () => ({ en: 'How many boxes are in the warehouse now?', ja: '倉庫には今、箱が何個ありますか？', es: '¿Cuántas cajas hay ahora en el almacén?' }),
    final: {
      divisors: [2, 3, 4, 5, 6, 8],
      apply: (_who, k) => ({
        text: {
          en: `All the boxes are then loaded onto ${k} ships, the same number on each.`,
          ja: `その後、すべての箱を${k}隻の船に同じ数ずつ積みます。`,
          es: `Después, todas las cajas se cargan en ${k} barcos, el mismo número en cada uno.`,
        },
        question: { en: 'How many boxes does each ship carry?', ja: '1隻の船に何個の箱を積みますか？', es: '¿Cuántas cajas lleva cada barco?' },
      }),
    },
  },
  {
    tag: 'fruit',
    start: (rng, who) => {
      const a = int(rng, 20, 150);
      return startAt(a, { en: `${who.en} picks ${a} apples in an orchard.`, ja: `${who.ja}は果樹園でりんごを${a}個収穫します。`, es: `${who.es} recoge ${a} manzanas en un huerto.` });
    },
    events: [
      {
        ops: 2,
        apply: (rng, who, s) => {
          const n = int(rng, 2, 6);
          const m = int(rng, 4, 12);
          return plusProduct(s, n, m, {
            en: `${cap(who.he)} buys ${n} bags with ${m} apples in each.`,
            ja: `りんごが${m}個ずつ入った袋を${n}袋買います。`,
            es: `Compra ${n} bolsas con ${m} manzanas cada una.`,
          });
        },
      },
      {
        ops: 1,
        apply: (rng, who, s) => {
          const x = int(rng, 3, 20);
          if (x >= s.v) return null;
          return minus(s, x, { en: `${cap(who.he)} gives ${x} apples to a neighbour.`, ja: `近所の人にりんごを${x}個あげます。`, es: `Le da ${x} manzanas a un vecino.` });
        },
      },
      {
        ops: 2,
        apply: (rng, who, s) => {
          const n = int(rng, 2, 5);
          const m = int(rng, 4, 8);
          if (n * m >= s.v) return null;
          return minusProduct(s, n, m, {
            en: `${cap(who.he)} bakes ${n} pies, using ${m} apples for each pie.`,
            ja: `アップルパイを${n}個焼きます。どのパイにもりんごを${m}個使います。`,
            es: `Hace ${n} tartas y usa ${m} manzanas en cada una.`,
          });
        },
      },
      {
        ops: 1,
        apply: (rng, who, s) => {
          const x = int(rng, 2, 9);
          if (x >= s.v) return null;
          return minus(s, x, { en: `${cap(who.he)} eats ${x} apples during the week.`, ja: `その週のうちに、りんごを${x}個食べます。`, es: `Se come ${x} manzanas durante la semana.` });
        },
      },
    ],
    question: (who) => ({ en: `How many apples does ${who.en} have now?`, ja: `${who.ja}は今、りんごを何個持っていますか？`, es: `¿Cuántas manzanas tiene ${who.es} ahora?` }),
    final: {
      divisors: [2, 3, 4, 5, 6, 7, 8],
      apply: (who, k) => ({
        text: {
          en: `${cap(who.he)} puts the apples into ${k} baskets, the same number in each.`,
          ja: `りんごを${k}個のかごに同じ数ずつ入れます。`,
          es: `Pone las manzanas en ${k} cestas, el mismo número en cada una.`,
        },
        question: { en: 'How many apples are in each basket?', ja: 'かご1つに何個入っていますか？', es: '¿Cuántas manzanas hay en cada cesta?' },
      }),
    },
  },
  {
    tag: 'school',
    start: (rng) => {
      const s = int(rng, 150, 1200);
      return startAt(s, { en: `A school has ${num(s).en} students.`, ja: `ある学校には生徒が${num(s).ja}人います。`, es: `Un colegio tiene ${num(s).es} alumnos.` });
    },
    events: [
      {
        ops: 1,
        apply: (rng, _who, s) => {
          const x = int(rng, 5, 60);
          return plus(s, x, { en: `At the start of term, ${x} new students join.`, ja: `学期の初めに、新しい生徒が${x}人入ってきます。`, es: `Al empezar el trimestre llegan ${x} alumnos nuevos.` });
        },
      },
      {
        ops: 1,
        apply: (rng, _who, s) => {
          const x = int(rng, 3, 40);
          if (x >= s.v) return null;
          return minus(s, x, { en: `During the year, ${x} students move away.`, ja: `1年の間に、${x}人の生徒が引っ越していきます。`, es: `Durante el curso se mudan ${x} alumnos.` });
        },
      },
      {
        ops: 2,
        apply: (rng, _who, s) => {
          const n = int(rng, 2, 4);
          const m = int(rng, 12, 40);
          return plusProduct(s, n, m, {
            en: `Exchange students arrive on ${n} buses, with ${m} students on each bus.`,
            ja: `留学生が${n}台のバスで到着します。どのバスにも${m}人乗っています。`,
            es: `Llegan alumnos de intercambio en ${n} autobuses, con ${m} alumnos en cada uno.`,
          });
        },
      },
      {
        ops: 2,
        apply: (rng, _who, s) => {
          const n = int(rng, 2, 4);
          const m = int(rng, 20, 32);
          if (n * m >= s.v) return null;
          return minusProduct(s, n, m, {
            en: `A new school opens nearby, and ${n} classes of ${m} students each move there.`,
            ja: `近くに新しい学校ができ、${m}人ずつの${n}クラスがそちらへ移ります。`,
            es: `Abre un colegio nuevo cerca y se trasladan allí ${n} clases de ${m} alumnos cada una.`,
          });
        },
      },
    ],
    question: () => ({ en: 'How many students does the school have now?', ja: '学校の生徒は今、何人ですか？', es: '¿Cuántos alumnos tiene ahora el colegio?' }),
    final: {
      divisors: [2, 3, 4, 5, 6, 8],
      apply: (_who, k) => ({
        text: {
          en: `For sports day, all the students are divided into ${k} teams of the same size.`,
          ja: `運動会では、全校生徒を同じ人数ずつ${k}チームに分けます。`,
          es: `Para el día del deporte, todos los alumnos se reparten en ${k} equipos del mismo tamaño.`,
        },
        question: { en: 'How many students are on each team?', ja: '1チームは何人ですか？', es: '¿Cuántos alumnos hay en cada equipo?' },
      }),
    },
  },
];

interface Problem {
  theme: string;
  text: T3;
  answer: number;
  work: string;
  literals: number[];
}

/** One problem of exactly `steps` operations, or null when the random choices did not fit. */
function tryProblem(rng: Rng, theme: Theme, steps: number): Problem | null {
  const who = pick(rng, PEOPLE);
  const first = theme.start(rng, who);
  const sentences: T3[] = [first.text];
  let s: State = first;
  const useFinal = theme.final !== undefined && rng() < 0.35;
  let left = steps - (useFinal ? 1 : 0);
  // Each event at most once: a problem that says the same thing twice reads like a template.
  const used = new Set<Event>();
  for (let tries = 0; left > 0; tries++) {
    const open = theme.events.filter((ev) => ev.ops <= left && !used.has(ev));
    if (tries > 50 || open.length === 0) return null;
    const e = pick(rng, open);
    const next = e.apply(rng, who, s);
    if (!next || (!theme.signed && next.v <= 0)) continue;
    used.add(e);
    sentences.push(next.text);
    s = next;
    left -= e.ops;
  }
  let question = theme.question(who);
  if (useFinal) {
    const fits = theme.final!.divisors.filter((k) => Number.isInteger((s.v * 4) / k) && (s.v * 4) / k > 0 && (theme.tag === 'money' || Number.isInteger(s.v / k)));
    if (fits.length === 0) return null;
    const k = pick(rng, fits);
    const f = theme.final!.apply(who, k);
    sentences.push(f.text);
    s = { v: s.v / k, work: s.compound ? `(${s.work}) / ${k}` : `${s.work} / ${k}`, compound: false };
    question = f.question;
  }
  const join = (l: Lang): string => [...sentences.map((t) => t[l]), question[l]].join(l === 'ja' ? '' : ' ');
  return {
    theme: theme.tag,
    text: { en: join('en'), ja: join('ja'), es: join('es') },
    answer: s.v,
    work: s.work,
    literals: s.work.match(/\d+(?:\.\d+)?/g)!.map(Number),
  };
}

const ARITH_PER_DIFFICULTY = 100;
const ARITH_TRAIN_EVERY = 4;

function arithmetic(rng: Rng): { reasoning: ReasoningRow[]; parallel: ReasoningRow[] } {
  const reasoning: ReasoningRow[] = [];
  const parallel: ReasoningRow[] = [];
  const seen = new Set<string>();
  let n = 0;
  for (let steps = 1; steps <= 5; steps++) {
    for (let i = 0; i < ARITH_PER_DIFFICULTY; i++) {
      // Themes in turn, so every difficulty covers every theme about equally.
      const theme = THEMES[(i + steps) % THEMES.length]!;
      let p: Problem | null = null;
      while (p === null || seen.has(p.text.en)) p = tryProblem(rng, theme, steps);
      seen.add(p.text.en);
      n++;
      const id = `arith-${String(n).padStart(4, '0')}`;
      const tags = ['arith', p.theme, `difficulty-${steps}`];
      if (!Number.isInteger(p.answer) || p.literals.some((x) => !Number.isInteger(x))) tags.push('decimal');
      if (p.answer < 0) tags.push('negative');
      if (p.literals.some((x) => x >= 10000) || Math.abs(p.answer) >= 10000) tags.push('large');
      const split = i % ARITH_TRAIN_EVERY === 0 ? 'train' : 'test';
      const row = (rowId: string, lang: Lang): ReasoningRow => ({ id: rowId, text: p.text[lang], label: lit(p.answer), lang, split, tags: tags.join(';'), difficulty: steps, kind: 'arith', work: p.work });
      reasoning.push(row(id, 'en'));
      for (const lang of ['en', 'ja', 'es'] as const) parallel.push(row(`${id}-${lang}`, lang));
    }
  }
  return { reasoning, parallel };
}

// ───────────────────────── logic multiple choice ─────────────────────────

const LETTERS = ['A', 'B', 'C', 'D'] as const;
const NAMES = ['Ana', 'Ben', 'Carla', 'Dev', 'Elif', 'Femi', 'Gia', 'Hugo', 'Ines', 'Jonas', 'Kira', 'Luis', 'Mei', 'Nils', 'Olga', 'Pavel'];
const COUNT_WORDS: Record<number, string> = { 4: 'Four', 5: 'Five' };
const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth'];

interface Mc {
  tag: string;
  question: string;
  correct: string;
  distractors: string[];
  difficulty: number;
}

/** People in a hidden order; shuffled clues about neighbours in it fix the order exactly. */
function ordering(rng: Rng): Mc {
  const n = rng() < 0.5 ? 4 : 5;
  const people = shuffle(rng, NAMES).slice(0, n);
  const mixed = rng() < 0.5;
  const kind = pick(rng, ['race', 'height', 'arrival'] as const);
  const clue = (a: string, b: string): string => {
    const reverse = mixed && rng() < 0.5;
    if (kind === 'race') return reverse ? `${b} finished behind ${a}.` : `${a} finished ahead of ${b}.`;
    if (kind === 'height') return reverse ? `${b} is shorter than ${a}.` : `${a} is taller than ${b}.`;
    return reverse ? `${b} arrived after ${a}.` : `${a} arrived before ${b}.`;
  };
  const clues = shuffle(
    rng,
    people.slice(1).map((b, i) => clue(people[i]!, b)),
  );
  const pos = int(rng, 0, n - 1);
  const intro = { race: `${COUNT_WORDS[n]} runners finished a race.`, height: `${COUNT_WORDS[n]} friends compare their heights.`, arrival: `${COUNT_WORDS[n]} guests arrived at a party one after another.` }[kind];
  const rank = pos === n - 1 ? 'last' : ORDINALS[pos]!;
  const ask = {
    race: `Who finished ${rank}?`,
    height: pos === 0 ? 'Who is the tallest?' : pos === n - 1 ? 'Who is the shortest?' : `Who is the ${ORDINALS[pos]} tallest?`,
    arrival: `Who arrived ${rank}?`,
  }[kind];
  const correct = people[pos]!;
  return { tag: 'ordering', question: `${intro} ${clues.join(' ')} ${ask}`, correct, distractors: shuffle(rng, people.filter((p) => p !== correct)).slice(0, 3), difficulty: n - 2 + (mixed ? 1 : 0) };
}

/** Differences between hidden values (ages, weights) along a random tree; the extreme is unique. */
function comparison(rng: Rng): Mc {
  const n = rng() < 0.6 ? 4 : 5;
  const boxes = rng() < 0.5;
  const names = boxes ? shuffle(rng, ['the red box', 'the blue box', 'the green box', 'the yellow box', 'the white box', 'the black box']).slice(0, n) : shuffle(rng, NAMES).slice(0, n);
  const values = shuffle(rng, [...Array(13).keys()]).slice(0, n);
  const clues: string[] = [];
  for (let i = 1; i < n; i++) {
    const j = int(rng, 0, i - 1);
    const d = values[i]! - values[j]!;
    const k = Math.abs(d);
    const [a, b] = [names[i]!, names[j]!];
    clues.push(
      boxes
        ? `${cap(a)} weighs ${k} kg ${d > 0 ? 'more' : 'less'} than ${b}.`
        : `${a} is ${k} year${k === 1 ? '' : 's'} ${d > 0 ? 'older' : 'younger'} than ${b}.`,
    );
  }
  const most = rng() < 0.5;
  const target = most ? Math.max(...values) : Math.min(...values);
  const correct = names[values.indexOf(target)]!;
  const ask = boxes ? `Which box is the ${most ? 'heaviest' : 'lightest'}?` : `Who is the ${most ? 'oldest' : 'youngest'}?`;
  return { tag: 'comparison', question: `${shuffle(rng, clues).join(' ')} ${ask}`, correct, distractors: shuffle(rng, names.filter((x) => x !== correct)).slice(0, 3), difficulty: n - 1 };
}

const TERMS = ['blickets', 'daxes', 'wugs', 'feps', 'toves', 'zorbs', 'glorps', 'vorps', 'teebs', 'narfs', 'zibbles', 'crandles', 'plonks', 'gribbles', 'fendles', 'mimsies'];
const NONE = 'None of the other statements must be true.';

/**
 * Classical syllogisms over nonsense words (so world knowledge cannot help). Each form lists its
 * one valid conclusion and conclusions that do not follow (false or merely possible); the
 * undistributed-middle form has no valid conclusion among them, so "none" is correct there.
 */
const FORMS: { name: string; premises: (a: string, b: string, c: string) => string[]; valid: string; invalid: string[]; difficulty: number }[] = [
  { name: 'barbara', premises: (a, b, c) => [`All ${a} are ${b}.`, `All ${b} are ${c}.`], valid: 'All A are C.', invalid: ['All C are A.', 'No A are C.', 'Some A are not C.', 'All C are B.', NONE], difficulty: 1 },
  { name: 'celarent', premises: (a, b, c) => [`No ${b} are ${c}.`, `All ${a} are ${b}.`], valid: 'No A are C.', invalid: ['Some A are C.', 'All A are C.', 'All C are A.', 'Some C are B.', NONE], difficulty: 2 },
  { name: 'darii', premises: (a, b, c) => [`All ${b} are ${c}.`, `Some ${a} are ${b}.`], valid: 'Some A are C.', invalid: ['All A are C.', 'No A are C.', 'All C are A.', 'Some A are not B.', NONE], difficulty: 2 },
  { name: 'ferio', premises: (a, b, c) => [`No ${b} are ${c}.`, `Some ${a} are ${b}.`], valid: 'Some A are not C.', invalid: ['No A are C.', 'All A are C.', 'Some C are B.', 'All A are B.', NONE], difficulty: 3 },
  { name: 'undistributed-middle', premises: (a, b, c) => [`All ${a} are ${b}.`, `Some ${b} are ${c}.`], valid: NONE, invalid: ['Some A are C.', 'All A are C.', 'No A are C.', 'Some C are A.'], difficulty: 3 },
];

function syllogism(rng: Rng, i: number): Mc {
  const form = FORMS[i % FORMS.length]!;
  const [a, b, c] = shuffle(rng, TERMS) as [string, string, string];
  const fill = (s: string): string => s.replace(/\b([ABC])\b/g, (_m, t: string) => ({ A: a, B: b, C: c })[t]!);
  return {
    tag: `syllogism;${form.name}`,
    question: `Suppose both statements are true: ${form.premises(a, b, c).join(' ')} Which of the following must also be true?`,
    correct: fill(form.valid),
    distractors: shuffle(rng, form.invalid).slice(0, 3).map(fill),
    difficulty: form.difficulty,
  };
}

const LOGIC_PER_KIND = 50;

function logic(rng: Rng): ReasoningRow[] {
  const items: Mc[] = [];
  for (let i = 0; i < LOGIC_PER_KIND; i++) items.push(ordering(rng), comparison(rng), syllogism(rng, i));
  // The correct letter is balanced over A-D, so a model that always answers one letter scores 25%.
  const slots = shuffle(rng, items.map((_, i) => i % LETTERS.length));
  return items.map((m, i) => {
    const slot = slots[i]!;
    const choices = [...m.distractors];
    choices.splice(slot, 0, m.correct);
    const text = `${m.question}\n${choices.map((c, j) => `${LETTERS[j]}) ${c}`).join('\n')}`;
    return {
      id: `logic-${String(i + 1).padStart(4, '0')}`,
      text,
      label: LETTERS[slot]!,
      lang: 'en',
      split: i % 5 === 0 ? 'train' : 'test',
      tags: ['logic', m.tag, `difficulty-${m.difficulty}`].join(';'),
      difficulty: m.difficulty,
      kind: 'logic',
      choices,
    };
  });
}

// ───────────────────────── knowledge QA ─────────────────────────

/** [question, short answer, topic, difficulty]: written for emobench, one unambiguous answer each. */
const QA: [string, string, string, number][] = [
  ['What is the capital of Japan?', 'Tokyo', 'geography', 1],
  ['What is the capital of France?', 'Paris', 'geography', 1],
  ['What is the capital of Italy?', 'Rome', 'geography', 1],
  ['What is the capital of Canada?', 'Ottawa', 'geography', 2],
  ['What is the capital of Australia?', 'Canberra', 'geography', 2],
  ['What is the capital of Egypt?', 'Cairo', 'geography', 1],
  ['What is the capital of Kenya?', 'Nairobi', 'geography', 2],
  ['What is the capital of Peru?', 'Lima', 'geography', 2],
  ['What is the capital of Norway?', 'Oslo', 'geography', 1],
  ['What is the capital of Spain?', 'Madrid', 'geography', 1],
  ['What is the capital of Germany?', 'Berlin', 'geography', 1],
  ['What is the capital of South Korea?', 'Seoul', 'geography', 1],
  ['What is the capital of Thailand?', 'Bangkok', 'geography', 1],
  ['What is the capital of Argentina?', 'Buenos Aires', 'geography', 1],
  ['What is the capital of Turkey?', 'Ankara', 'geography', 2],
  ['What is the capital of Vietnam?', 'Hanoi', 'geography', 2],
  ['What is the capital of Portugal?', 'Lisbon', 'geography', 1],
  ['What is the capital of Greece?', 'Athens', 'geography', 1],
  ['What is the capital of China?', 'Beijing', 'geography', 1],
  ['What is the capital of New Zealand?', 'Wellington', 'geography', 2],
  ['In which city is the Eiffel Tower?', 'Paris', 'geography', 1],
  ['In which country are the pyramids of Giza?', 'Egypt', 'geography', 1],
  ['On which continent is the Sahara Desert?', 'Africa', 'geography', 1],
  ['What is the largest ocean on Earth?', 'Pacific', 'geography', 1],
  ['What is the longest river in South America?', 'Amazon', 'geography', 1],
  ['What is the highest mountain on Earth above sea level?', 'Everest', 'geography', 1],
  ['Which ocean lies between Africa and Australia?', 'Indian', 'geography', 2],
  ['What is the largest country in the world by area?', 'Russia', 'geography', 1],
  ['What is the chemical symbol for gold?', 'Au', 'science', 2],
  ['What is the chemical symbol for sodium?', 'Na', 'science', 2],
  ['Which element has atomic number 1?', 'hydrogen', 'science', 1],
  ['Which planet is known as the Red Planet?', 'Mars', 'science', 1],
  ['What is the largest planet in the Solar System?', 'Jupiter', 'science', 1],
  ['Which planet is closest to the Sun?', 'Mercury', 'science', 1],
  ['What is the name of the galaxy that contains the Solar System?', 'Milky Way', 'science', 1],
  ['What is the hardest natural substance?', 'diamond', 'science', 2],
  ['Which organ pumps blood around the human body?', 'heart', 'science', 1],
  ['What is the largest mammal on Earth?', 'blue whale', 'science', 1],
  ['What do bees make from nectar?', 'honey', 'science', 1],
  ['At how many degrees Celsius does water boil at sea level?', '100', 'science', 1],
  ['At how many degrees Fahrenheit does water freeze?', '32', 'science', 2],
  ['How many legs does a spider have?', '8', 'science', 1],
  ['How many legs does an insect have?', '6', 'science', 1],
  ['How many sides does a hexagon have?', '6', 'math', 1],
  ['What is the smallest prime number?', '2', 'math', 1],
  ['What is the square root of 144?', '12', 'math', 1],
  ['How many minutes are there in an hour?', '60', 'math', 1],
  ['How many days are there in a leap year?', '366', 'math', 1],
  ['How many hours are there in a day?', '24', 'math', 1],
  ['Who wrote the play "Romeo and Juliet"?', 'Shakespeare', 'culture', 1],
  ['Who painted the Mona Lisa?', 'da Vinci', 'culture', 1],
  ['Who developed the theory of general relativity?', 'Einstein', 'culture', 1],
  ['Who was the first person to walk on the Moon?', 'Armstrong', 'culture', 1],
  ['Which musical instrument has 88 keys?', 'piano', 'culture', 1],
  ['How many strings does a standard violin have?', '4', 'culture', 2],
  ['How many players does a football (soccer) team have on the field?', '11', 'culture', 1],
  ['What is the official language of Brazil?', 'Portuguese', 'culture', 1],
  ['What is the currency of Japan?', 'yen', 'culture', 1],
  ['What colour do you get by mixing blue and yellow?', 'green', 'culture', 1],
  ['Which animal is called the king of the jungle?', 'lion', 'culture', 1],
];

function knowledge(): ReasoningRow[] {
  return QA.map(([q, a, topic, difficulty], i) => ({
    id: `qa-${String(i + 1).padStart(3, '0')}`,
    text: q,
    label: a,
    lang: 'en',
    split: i % 6 === 5 ? 'train' : 'test',
    tags: ['qa', topic, `difficulty-${difficulty}`].join(';'),
    difficulty,
    kind: 'qa',
  }));
}

// ───────────────────────── output ─────────────────────────

/** Both files' rows; arithmetic, logic and QA draw from one seeded stream, in that order. */
export function makeReasoning(seed = SEED): { reasoning: ReasoningRow[]; parallel: ReasoningRow[] } {
  const rng = mulberry32(seed);
  const arith = arithmetic(rng);
  return { reasoning: [...arith.reasoning, ...logic(rng), ...knowledge()], parallel: arith.parallel };
}

export function toJsonl(rows: readonly ReasoningRow[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const { reasoning, parallel } = makeReasoning();
  for (const [file, rows] of [[REASONING_FILE, reasoning], [PARALLEL_FILE, parallel]] as const) {
    const path = resolve(root, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, toJsonl(rows));
    console.log(`${file}: ${rows.length} rows`);
  }
}
