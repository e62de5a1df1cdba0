const assert = require('assert');
const { pick, kind, sum } = require('./lib');
assert.strictEqual(pick(1), 2);
assert.strictEqual(kind(1), 'one');
assert.strictEqual(kind(5), 'many');
assert.strictEqual(sum([1, 2]), 3);
