import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractChoice } from '../src/extract/choice.js';

const runners = ['Ana', 'Ben', 'Carla', 'Dev'];
const syllogism = ['No plonks are toves.', 'All plonks are toves.', 'All toves are plonks.', 'Some plonks are not toves.'];

// [model output, expected letter or null, the options]; shapes real chat models produce.
const cases: [string, string | null, readonly string[]][] = [
  ['B', 'B', runners],
  ['b', 'B', runners],
  ['(b)', 'B', runners],
  ['B.', 'B', runners],
  ['**D**', 'D', runners],
  ['Option C', 'C', runners],
  ['The answer is (A).', 'A', runners],
  ['the answer is c)', 'C', runners],
  ['Answer: B', 'B', runners],
  ['Answer: b', 'B', runners],
  ['**Answer:** D) Dev', 'D', runners],
  ['Final answer: C', 'C', runners],
  ['The correct option is D.', 'D', runners],
  ['The answer is A because Ana crossed the line first.', 'A', runners],
  ['答え: B', 'B', runners],
  ['正解は（Ｃ）です。', 'C', runners],
  ['答えはBです', 'B', runners],
  ['答案是D。', 'D', runners],
  ['La respuesta correcta es la B.', 'B', runners],
  ['Réponse : C', 'C', runners],
  ['Die Antwort ist A.', 'A', runners],
  ['{"answer": "C"}', 'C', runners],
  ['```json\n{"answer": "d"}\n```', 'D', runners],
  ['\\boxed{B}', 'B', runners],
  ['B) Ben', 'B', runners],
  ['C. Carla finished third.', 'C', runners],
  ['I think it is C.', 'C', runners],
  ['It has to be D, since Dev was behind everyone.', 'D', runners],
  ['Carla', 'C', runners],
  ['The answer is Ben.', 'B', runners],
  ['Ben finished ahead of Carla, so the answer is Carla.', 'C', runners],
  ['A careful reading of the clues shows that Dev finished last.', 'D', runners],
  ['Let me work through it. Ana is ahead of Ben, Ben is ahead of Carla.\n\nAnswer: (B)', 'B', runners],
  ['No plonks are toves.', 'A', syllogism],
  ['Some plonks are not toves.', 'D', syllogism],
  ['The statement that must be true is: No plonks are toves.', 'A', syllogism],
  // Nothing clear: unparseable, never a guess.
  ['', null, runners],
  ['A or B', null, runners],
  ['It is either Ben or Carla.', null, runners],
  ['A) Ana\nB) Ben\nC) Carla\nD) Dev', null, runners],
  ['E', null, runners],
  ['Answer: E', null, runners],
  ["I can't answer that without more information.", null, runners],
  ['The answer is a tricky one; Ben and Carla tie.', null, runners],
  ['Both B and C could be right.', null, runners],
  ['None of these.', null, runners],
  ['Eve', null, runners],
];

test(`choice extraction on ${cases.length} real-looking outputs`, () => {
  const failures = cases
    .map(([out, want, choices]) => [out, want, extractChoice(out, choices)] as const)
    .filter(([, want, got]) => got !== want)
    .map(([out, want, got]) => `${JSON.stringify(out)} → ${got} (want ${want})`);
  assert.deepEqual(failures, []);
});

test('without choices the letters A-D are accepted; more options widen the range', () => {
  assert.equal(extractChoice('Answer: C'), 'C');
  assert.equal(extractChoice('E'), null);
  assert.equal(extractChoice('E', ['1', '2', '3', '4', '5']), 'E');
  assert.equal(extractChoice('(c)', ['yes', 'no']), null);
});
