import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractNumber, numbersEqual, parseNumber } from '../src/extract/number.js';

// [model output, expected canonical number or null, output language]; shapes real chat models produce.
const cases: [string, string | null, string?][] = [
  ['42', '42'],
  ['The answer is 42', '42'],
  ['The answer is 42.', '42'],
  ['#### 1,234', '1234'],
  ['She makes 9 * 2 = $18 every day.\n#### 18', '18'],
  ['= 3.5', '3.5'],
  ['$12.50', '12.5'],
  ['−7', '-7'],
  ['-7 degrees', '-7'],
  ['The temperature is now -18°C.', '-18'],
  ['42 apples', '42'],
  ['４２', '42'],
  ['答えは42個です', '42'],
  ['42円', '42'],
  ['答え：１２０円', '120'],
  ['合計で1万2000円になります。', '12000'],
  ['x = 5', '5'],
  ['\\boxed{42}', '42'],
  ['So the total is $\\boxed{\\$1{,}250}$.', '1250'],
  ['The final answer is \\boxed{\\frac{3}{2}}', '1.5'],
  ['**42**', '42'],
  ['The answer is: **$1,234.50**', '1234.5'],
  ['Total: 1,000,000 people', '1000000'],
  ['That leaves 0.75 of the cake.', '0.75'],
  ['Janet sells 16 - 3 - 4 = 9 eggs. She makes 9 * 2 = 18 dollars. The answer is 18.', '18'],
  ['First, 3 + 4 = 7. Then 7 * 6 = 42. So she has 42 stickers left.', '42'],
  ['Answer: 3 + 4 = 7', '7'],
  ['The answer is 5, since 10 / 2 = 5.', '5'],
  ['Answer:\n\n56', '56'],
  ['The answer is 13. Let me double-check the answer: 16 - 3 = 13. Yes.', '13'],
  ['Step 1: 20 * 3 = 60\nStep 2: 60 + 15 = 75\n\n**Final answer: 75**', '75'],
  ['#### Step 1\nShe starts with 12 apples and gives away 5, so 7 remain.', '7'],
  ['So 3*4=12', '12'],
  ['La respuesta es 2,5 kilómetros.', '2.5', 'es'],
  ['Die Antwort ist 80.000 Euro.', '80000', 'de'],
  ['Il réalise un bénéfice de 70 000 $.', '70000', 'fr'],
  ['Réponse : 1 250,50 €', '1250.5', 'fr'],
  ['最终答案是 18。', '18'],
  ['The answer is 1,234,567.89', '1234567.89'],
  ['He earned 7.5 hours × $20 = $150.', '150'],
  // Nothing clear: unparseable, never a guess.
  ['', null],
  ['I need more information to solve this.', null],
  ["I'm sorry, I can't help with that.", null],
  ['I cannot determine this without knowing the price of the 3 boxes.', null],
  ['The answer is 40 or 42.', null],
  ['It is either 40 or 42', null],
  ['16 - 3 = 13, then 13 - 4 =', null],
  ['\\boxed{A}', null],
  ['\\boxed{3, 4}', null],
  ['The answer is version 1.2.3', null],
  ['答えは分かりません。', null],
  ['It is H2O.', null],
];

test(`number extraction on ${cases.length} real-looking outputs`, () => {
  const failures = cases
    .map(([out, want, lang]) => [out, want, extractNumber(out, { lang })] as const)
    .filter(([, want, got]) => got !== want)
    .map(([out, want, got]) => `${JSON.stringify(out)} → ${got} (want ${want})`);
  assert.deepEqual(failures, []);
});

test('separators: a comma before three digits groups thousands, otherwise it is a decimal point', () => {
  assert.equal(extractNumber('It costs 1,234'), '1234');
  assert.equal(extractNumber('about 2,5 litres'), '2.5');
  assert.equal(extractNumber('1.234,5'), '1234.5');
  assert.equal(extractNumber('1.234'), '1.234');
  assert.equal(extractNumber('1.234', { lang: 'de' }), '1234');
  assert.equal(extractNumber('1,234', { lang: 'es' }), '1.234');
  assert.equal(extractNumber('80 000', { lang: 'fr' }), '80000');
  assert.equal(extractNumber('Net proceeds: $400 000 - $282 000 = $118 000.'), '118000');
  assert.equal(extractNumber('80\u202f000'), '80000');
  assert.equal(extractNumber('She buys 3 pens and 12 pencils'), '12');
});

test('numbersEqual compares values, not spellings', () => {
  assert.ok(numbersEqual('42.0', '42'));
  assert.ok(numbersEqual('1,000', '1000'));
  assert.ok(numbersEqual('$12.50', '12.5'));
  assert.ok(numbersEqual('-7', '−7'));
  assert.ok(numbersEqual('007', '7'));
  assert.ok(numbersEqual('3/4', '0.75'));
  assert.ok(!numbersEqual('42', '43'));
  assert.ok(!numbersEqual('4.2', '42'));
  assert.ok(!numbersEqual('-42', '42'));
  assert.ok(!numbersEqual('forty-two', '42'));
  assert.ok(!numbersEqual('42 or 43', '42'));
});

test('parseNumber takes one number and nothing else', () => {
  assert.equal(parseNumber('2,125'), '2125');
  assert.equal(parseNumber(' 18 '), '18');
  assert.equal(parseNumber('-0.50'), '-0.5');
  assert.equal(parseNumber('1/3'), null);
  assert.equal(parseNumber('18 apples'), null);
  assert.equal(parseNumber(''), null);
});
