'use strict';
/**
 * Case orders for a bench's rounds: a balanced Latin square (a Williams design). Over the whole
 * set every case runs once in each position and once right after each other case, so what one
 * case leaves behind (a large file for the emulator to free, a heap full of its garbage, a warm
 * cache) does not always land on the same next case. For an odd number of cases that takes two
 * squares, the second the first's mirror image; the orders alternate between them, so that the
 * first few rounds already vary which case comes before which.
 */
function roundOrders(cases) {
  // 0, 1, n-1, 2, n-2, ...: each step between neighbours is a different distance.
  const first = [0];
  for (let low = 1, high = cases - 1; first.length < cases;) {
    first.push(low++);
    if (first.length < cases) first.push(high--);
  }
  const orders = [];
  for (let shift = 0; shift < cases; shift++) {
    const order = first.map((index) => (index + shift) % cases);
    orders.push(order);
    if (cases % 2 === 1) orders.push([...order].reverse());
  }
  return orders;
}

module.exports = { roundOrders };
