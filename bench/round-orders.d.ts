/** Case orders for a bench's rounds (a balanced Latin square): order `round % length` is round's. */
export function roundOrders(cases: number): number[][];
