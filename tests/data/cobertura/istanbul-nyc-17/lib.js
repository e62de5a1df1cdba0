function pick(a, b = 2,
  c = 3) {
  return a && b || c;
}
function kind(x) {
  switch (x) {
    case 1: return 'one';
    case 2: return 'two';
    default: return 'many';
  }
}
const sum = (xs,
  start = 0) => xs.reduce((s, x) => s + x, start);
module.exports = { pick, kind, sum };
