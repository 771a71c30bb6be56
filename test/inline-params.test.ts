// Parameter inlining for the one-round-trip path: values become escaped literals, quoted text and
// comments are left alone, and the result means the same thing to PostgreSQL as bound parameters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inlineParams } from '../src/db/inline-params.ts';

test('placeholders become escaped literals; quoted text, identifiers, comments and dollar bodies are untouched', () => {
  assert.equal(inlineParams('select $1, $2, $10', ['a', 2, null, 4, 5, 6, 7, 8, 9, 'ten']), "select 'a', '2', 'ten'");
  assert.equal(inlineParams("select '$1', \"$1\", $1 -- $1\n, /* $1 */ $1", ['x']), "select '$1', \"$1\", 'x' -- $1\n, /* $1 */ 'x'");
  assert.equal(inlineParams("select 'it''s $1', $1", ['v']), "select 'it''s $1', 'v'");
  assert.equal(inlineParams("select E'\\' $1', $1", ['v']), "select E'\\' $1', 'v'");
  assert.equal(inlineParams('select $f$ $1 $f$, $1', ['v']), "select $f$ $1 $f$, 'v'");
  assert.equal(inlineParams("select $1", ["o'b"]), "select 'o''b'");
  // Backslashes switch node-pg's escaper to the E'' form, whatever standard_conforming_strings says.
  assert.equal(inlineParams('select $1', ['back\\slash']), String.raw`select  E'back\\slash'`);
  assert.equal(inlineParams('select $1::text[]', [['a', 'b"c']]), String.raw`select  E'{"a","b\\"c"}'::text[]`);
});

test('a missing value or a binary value refuses to inline (the caller falls back to bound parameters)', () => {
  assert.equal(inlineParams('select $1, $2', ['only one']), null);
  assert.equal(inlineParams('select $1', [Buffer.from('bytes')]), null);
  assert.equal(inlineParams('select $1', ['nul\0byte']), null);
});
