/**
 * The benches' case orders: over a full set of rounds each case runs once in every position and
 * once right after each other case, so what a case leaves behind does not always slow the same next one.
 */
import { roundOrders } from '../../bench/round-orders';

/** How many times each ordered pair (a right before b) occurs in `orders`. */
function neighbours(orders: number[][]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const order of orders) {
    for (let i = 1; i < order.length; i++) {
      const pair = `${order[i - 1]}>${order[i]}`;
      counts.set(pair, (counts.get(pair) ?? 0) + 1);
    }
  }
  return counts;
}

describe('bench round orders', () => {
  it.each([2, 4, 5, 6, 7])('for %i cases: every case once per position per square, and right after every other case equally often', (cases) => {
    const orders = roundOrders(cases);
    const squares = cases % 2 === 0 ? 1 : 2;
    expect(orders).toHaveLength(cases * squares);
    for (const order of orders) expect([...order].sort((a, b) => a - b)).toEqual([...Array(cases).keys()]);
    for (let position = 0; position < cases; position++) {
      const atPosition = orders.map((order) => order[position]).sort((a, b) => a - b);
      expect(atPosition).toEqual([...Array(cases).keys()].flatMap((c) => Array(squares).fill(c)));
    }
    const pairs = neighbours(orders);
    expect(pairs.size).toBe(cases * (cases - 1));
    expect(new Set(pairs.values())).toEqual(new Set([squares === 1 ? 1 : 2]));
  });

  it('matches the order the SFDC download bench used for its four cases', () => {
    expect(roundOrders(4)).toEqual([
      [0, 1, 3, 2],
      [1, 2, 0, 3],
      [2, 3, 1, 0],
      [3, 0, 2, 1],
    ]);
  });

  it("varies which case runs right before auto (the last of five) in the adaptive bench's five rounds", () => {
    const before = roundOrders(5)
      .slice(0, 5)
      .filter((order) => order[0] !== 4)
      .map((order) => order[order.indexOf(4) - 1]);
    expect(new Set(before).size).toBeGreaterThanOrEqual(3);
  });
});
