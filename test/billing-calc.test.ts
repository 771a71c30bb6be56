/**
 * Billing calculation core (issue 4): exact decimals, rounding, allocation, money formatting, a table of
 * invoices with hand-computed amounts, credit notes, input validation, and invariants over a few
 * hundred generated invoices. Pure code: no database, no HTTP.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../src/errors/catalogue.ts';
import { allocateLargestRemainder, proRataShares } from '../src/domain/billing/allocation.ts';
import { computeCreditNote } from '../src/domain/billing/credit-note.ts';
import { parseDecimal, percentToFraction, rational, roundRational, tryParseDecimal, type RoundingMode } from '../src/domain/billing/decimal.ts';
import { documentFromWire, documentToWire } from '../src/domain/billing/document-json.ts';
import { computeInvoice } from '../src/domain/billing/invoice-calc.ts';
import type { BillingDocument, Discount, InvoiceInput, InvoiceLineInput } from '../src/domain/billing/invoice-schemas.ts';
import { formatMoney, fromWireAmount, minorToDecimalString, toWireAmount } from '../src/domain/billing/money.ts';
import { rateInForce, type Jurisdiction } from '../src/domain/billing/tax-rules.ts';

// ---------------------------------------------------------------------------------------------------
// Fixtures

const MEDICAL = 'medical_service';
const RETAIL = 'retail_product';
const since = (ratePercent: string) => [{ ratePercent, effectiveFrom: '2020-01-01' }];
const jurisdiction = (code: string, ratePercent: string, extra: Partial<Jurisdiction> = {}): Jurisdiction => ({
  code, name: `${code} tax`, rates: since(ratePercent), exemptCategories: [MEDICAL], ...extra,
});

const NY_COMBINED = jurisdiction('NY-NYC', '8.875');
const NY_STATE = jurisdiction('NY', '4');
const NYC_LOCAL = jurisdiction('NYC', '4.875');
const RATE_CHANGE = jurisdiction('ST', '8', {
  rates: [{ ratePercent: '8', effectiveFrom: '2020-01-01', effectiveTo: '2026-12-31' }, { ratePercent: '9', effectiveFrom: '2027-01-01' }],
});
const GST = jurisdiction('GST', '5');
const QST = jurisdiction('QST', '9.975', { compound: true });

const line = (unitPrice: number, over: Partial<InvoiceLineInput> = {}): InvoiceLineInput => ({
  description: 'item', category: RETAIL, quantity: '1', unitPrice, ...over,
});

function invoice(over: Partial<InvoiceInput> & Pick<InvoiceInput, 'lines'>): InvoiceInput {
  return {
    currency: 'USD',
    issueDate: '2026-06-15',
    pricesIncludeTax: false,
    rounding: { mode: 'half_up', level: 'line' },
    jurisdictions: [NY_COMBINED],
    ...over,
  };
}

/** The amounts of a document, compact enough to write by hand: per line [amount, discount, net, [taxes], total]. */
function summary(doc: BillingDocument) {
  return {
    lines: doc.lines.map((l) => [l.amount, l.discount, l.net, l.taxes.map((t) => t.amount), l.total]),
    taxTotals: doc.taxTotals.map((t) => t.amount),
    total: doc.total,
  };
}

/** Field paths of the validation error `fn` throws. */
function fieldErrors(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
    assert.equal(err.code, 'validation_failed');
    return (err.extra.errors ?? []).map((e) => e.field);
  }
  assert.fail('expected a validation error');
}

// ---------------------------------------------------------------------------------------------------
// Decimals, rounding, allocation, money

describe('exact decimals', () => {
  test('decimal strings parse to reduced rationals', () => {
    assert.deepEqual(parseDecimal('8.875'), { num: 71n, den: 8n }); // 8875/1000
    assert.deepEqual(percentToFraction(parseDecimal('8.875')), { num: 71n, den: 800n });
    assert.deepEqual(parseDecimal('2.5'), { num: 5n, den: 2n });
    assert.deepEqual(parseDecimal('100'), { num: 100n, den: 1n });
    assert.deepEqual(parseDecimal('0'), { num: 0n, den: 1n });
    assert.deepEqual(parseDecimal('-0.125'), { num: -1n, den: 8n });
    // More digits than a double holds, still exact.
    assert.deepEqual(parseDecimal('0.30000000000000000001'), { num: 30000000000000000001n, den: 10n ** 20n });
  });

  test('anything but plain decimal notation is refused', () => {
    for (const bad of ['', '.5', '1.', '+1', '1e3', '8.875%', ' 1', '1,5', '0x10', '01', 'NaN', '1'.repeat(41)]) {
      assert.equal(tryParseDecimal(bad), undefined, bad);
    }
    assert.equal(tryParseDecimal(1.5), undefined);
    assert.throws(() => parseDecimal('abc'), RangeError);
  });

  test('roundRational: half-up is away from zero, half-even goes to the even neighbour, both symmetric', () => {
    const cases: [bigint, bigint, bigint, bigint][] = [
      // num, den, half_up, half_even
      [5n, 2n, 3n, 2n], // 2.5
      [-5n, 2n, -3n, -2n], // -2.5
      [7n, 2n, 4n, 4n], // 3.5
      [-7n, 2n, -4n, -4n], // -3.5
      [1n, 2n, 1n, 0n], // 0.5
      [-1n, 2n, -1n, 0n], // -0.5
      [213n, 2n, 107n, 106n], // 106.5: 1200 × 8.875%
      [-213n, 2n, -107n, -106n], // -106.5
      [12n, 5n, 2n, 2n], // 2.4
      [-13n, 5n, -3n, -3n], // -2.6
      [7n, 3n, 2n, 2n], // 2.333…
      [-7n, 3n, -2n, -2n],
      [5n, -2n, -3n, -2n], // negative denominator: -2.5
      [0n, 7n, 0n, 0n],
    ];
    for (const [num, den, up, even] of cases) {
      assert.equal(roundRational(num, den, 'half_up'), up, `${num}/${den} half_up`);
      assert.equal(roundRational(num, den, 'half_even'), even, `${num}/${den} half_even`);
    }
    assert.throws(() => roundRational(1n, 0n, 'half_up'), RangeError);
  });

  test('largest remainder: shares sum exactly, ties go to the earlier share, negatives mirror', () => {
    // 100 over three equal weights: 33.33 each → floors 99, the spare unit to the first.
    assert.deepEqual(allocateLargestRemainder(100n, proRataShares(100n, [1n, 1n, 1n])), [34n, 33n, 33n]);
    assert.deepEqual(allocateLargestRemainder(-100n, proRataShares(-100n, [1n, 1n, 1n])), [-34n, -33n, -33n]);
    // 1000 over 9000:4500 → 666.67, 333.33 → 667, 333.
    assert.deepEqual(allocateLargestRemainder(1000n, proRataShares(1000n, [9000n, 4500n])), [667n, 333n]);
    // Largest fraction wins over position: 0.2, 0.9, 0.9 of 2 → [0, 1, 1].
    assert.deepEqual(allocateLargestRemainder(2n, [rational(1n, 5n), rational(9n, 10n), rational(9n, 10n)]), [0n, 1n, 1n]);
    assert.deepEqual(allocateLargestRemainder(0n, proRataShares(0n, [0n, 0n])), [0n, 0n]);
    assert.throws(() => allocateLargestRemainder(5n, [rational(1n), rational(1n)]), RangeError);
  });
});

describe('money', () => {
  test('minor units print with string math, never a float', () => {
    assert.equal(minorToDecimalString(123456n, 'USD'), '1234.56');
    assert.equal(minorToDecimalString(-5n, 'USD'), '-0.05');
    assert.equal(minorToDecimalString(1099n, 'JPY'), '1099');
    assert.equal(minorToDecimalString(1n, 'KWD'), '0.001');
    assert.equal(formatMoney({ amount: 123456n, currency: 'USD' }), '$1,234.56');
    assert.equal(formatMoney({ amount: -5n, currency: 'USD' }), '-$0.05');
    assert.equal(formatMoney({ amount: 1099n, currency: 'JPY' }), '¥1,099');
    assert.equal(formatMoney({ amount: 12962n, currency: 'KWD' }), 'KWD\u00a012.962'); // Intl puts a no-break space after a currency code
    assert.equal(formatMoney({ amount: 123456n, currency: 'EUR' }, 'de-DE'), '1.234,56\u00a0€');
    // 2^63 cents: far past a double's 2^53, every digit survives.
    assert.equal(formatMoney({ amount: 9223372036854775807n, currency: 'USD' }), '$92,233,720,368,547,758.07');
    assert.throws(() => formatMoney({ amount: 1n, currency: 'XXX' }), RangeError);
  });

  test('wire amounts are safe integers both ways', () => {
    assert.equal(toWireAmount(9007199254740991n), 9007199254740991);
    assert.throws(() => toWireAmount(9007199254740992n), RangeError);
    assert.equal(fromWireAmount(-42), -42n);
    assert.throws(() => fromWireAmount(1.5), RangeError);
    assert.throws(() => fromWireAmount(2 ** 53), RangeError);
  });
});

test('the rate in force: effectiveTo is the last day in force', () => {
  assert.equal(rateInForce(RATE_CHANGE, '2026-12-31')?.ratePercent, '8');
  assert.equal(rateInForce(RATE_CHANGE, '2027-01-01')?.ratePercent, '9');
  assert.equal(rateInForce(RATE_CHANGE, '2019-12-31'), undefined);
});

// ---------------------------------------------------------------------------------------------------
// The table: invoices with amounts computed by hand

interface Case {
  readonly name: string;
  readonly input: InvoiceInput;
  readonly expected: ReturnType<typeof summary>;
}

const threeAt335 = (mode: RoundingMode, level: 'line' | 'invoice'): InvoiceInput =>
  invoice({ rounding: { mode, level }, jurisdictions: [jurisdiction('T', '3.35')], lines: [line(1000), line(1000), line(1000)] });

const CASES: Case[] = [
  {
    name: 'exclusive price, one jurisdiction',
    // 12345 × 8.875% = 1095.61875 → 1096; total 12345 + 1096.
    input: invoice({ lines: [line(12345)] }),
    expected: { lines: [[12345n, 0n, 12345n, [1096n], 13441n]], taxTotals: [1096n], total: 13441n },
  },
  {
    name: 'inclusive price, one jurisdiction: the gross is kept to the cent',
    // net = 10000 / 1.08875 = 9184.845… → 9185; tax = 10000 - 9185 = 815.
    input: invoice({ pricesIncludeTax: true, lines: [line(10000)] }),
    expected: { lines: [[10000n, 0n, 9185n, [815n], 10000n]], taxTotals: [815n], total: 10000n },
  },
  {
    name: 'state plus local on the same base',
    // state 10000 × 4% = 400; local 10000 × 4.875% = 487.5 → 488 (half-up); both on 10000, not 10400.
    input: invoice({ jurisdictions: [NY_STATE, NYC_LOCAL], lines: [line(10000)] }),
    expected: { lines: [[10000n, 0n, 10000n, [400n, 488n], 10888n]], taxTotals: [400n, 488n], total: 10888n },
  },
  {
    name: 'inclusive state plus local: gross - net split by largest remainder',
    // net = 10888 / 1.08875 = 10000.459… → 10000; tax 888. Exact shares: state 400.018, local 487.522:
    // floors 400 + 487 = 887, the spare unit to the larger fraction (local) → 400, 488.
    input: invoice({ pricesIncludeTax: true, jurisdictions: [NY_STATE, NYC_LOCAL], lines: [line(10888)] }),
    expected: { lines: [[10888n, 0n, 10000n, [400n, 488n], 10888n]], taxTotals: [400n, 488n], total: 10888n },
  },
  {
    name: 'an exempt medical service next to a taxable product',
    // Visit 15000: exempt from both. Brace 2000: state 80, local 97.5 → 98. Total 15000 + 2178.
    input: invoice({ jurisdictions: [NY_STATE, NYC_LOCAL], lines: [line(15000, { category: MEDICAL }), line(2000)] }),
    expected: { lines: [[15000n, 0n, 15000n, [], 15000n], [2000n, 0n, 2000n, [80n, 98n], 2178n]], taxTotals: [80n, 98n], total: 17178n },
  },
  {
    name: 'half-up on an exact half minor unit',
    // 1200 × 8.875% = 106.5 → 107 (away from zero).
    input: invoice({ lines: [line(1200)] }),
    expected: { lines: [[1200n, 0n, 1200n, [107n], 1307n]], taxTotals: [107n], total: 1307n },
  },
  {
    name: 'half-even on the same half minor unit',
    // 106.5 → 106 (106 is even).
    input: invoice({ rounding: { mode: 'half_even', level: 'line' }, lines: [line(1200)] }),
    expected: { lines: [[1200n, 0n, 1200n, [106n], 1306n]], taxTotals: [106n], total: 1306n },
  },
  {
    name: 'per-line rounding, half-up: three lines of 33.5',
    // 1000 × 3.35% = 33.5 each → 34 each; tax 102.
    input: threeAt335('half_up', 'line'),
    expected: { lines: [[1000n, 0n, 1000n, [34n], 1034n], [1000n, 0n, 1000n, [34n], 1034n], [1000n, 0n, 1000n, [34n], 1034n]], taxTotals: [102n], total: 3102n },
  },
  {
    name: 'per-invoice rounding, half-up: the same lines total one less',
    // Exact total 100.5 → 101; spread back: floors 33 × 3 = 99, two spare units to the first two (tied).
    input: threeAt335('half_up', 'invoice'),
    expected: { lines: [[1000n, 0n, 1000n, [34n], 1034n], [1000n, 0n, 1000n, [34n], 1034n], [1000n, 0n, 1000n, [33n], 1033n]], taxTotals: [101n], total: 3101n },
  },
  {
    name: 'per-line rounding, half-even: 33.5 → 34 each',
    input: threeAt335('half_even', 'line'),
    expected: { lines: [[1000n, 0n, 1000n, [34n], 1034n], [1000n, 0n, 1000n, [34n], 1034n], [1000n, 0n, 1000n, [34n], 1034n]], taxTotals: [102n], total: 3102n },
  },
  {
    name: 'per-invoice rounding, half-even: 100.5 → 100',
    // floors 99, one spare unit to the first line.
    input: threeAt335('half_even', 'invoice'),
    expected: { lines: [[1000n, 0n, 1000n, [34n], 1034n], [1000n, 0n, 1000n, [33n], 1033n], [1000n, 0n, 1000n, [33n], 1033n]], taxTotals: [100n], total: 3100n },
  },
  {
    name: 'per-line rounding: three taxes of 0.335 minor units vanish',
    // 5 × 6.7% = 0.335 → 0 on each line.
    input: invoice({ jurisdictions: [jurisdiction('T', '6.7')], lines: [line(5), line(5), line(5)] }),
    expected: { lines: [[5n, 0n, 5n, [0n], 5n], [5n, 0n, 5n, [0n], 5n], [5n, 0n, 5n, [0n], 5n]], taxTotals: [0n], total: 15n },
  },
  {
    name: 'per-invoice rounding: the same three come to one minor unit',
    // 3 × 0.335 = 1.005 → 1, given to the first line (equal fractions).
    input: invoice({ rounding: { mode: 'half_up', level: 'invoice' }, jurisdictions: [jurisdiction('T', '6.7')], lines: [line(5), line(5), line(5)] }),
    expected: { lines: [[5n, 0n, 5n, [1n], 6n], [5n, 0n, 5n, [0n], 5n], [5n, 0n, 5n, [0n], 5n]], taxTotals: [1n], total: 16n },
  },
  {
    name: 'line discounts (percent, amount) and an invoice discount pro rata, all before tax',
    // A: 10000 - 10% (1000) = 9000. B: 5000 - 500 = 4500. Invoice 1000 over 9000:4500 → 666.67, 333.33
    // → 667, 333. Bases 8333 and 4167. Tax: 8333 × 8.875% = 739.55 → 740; 4167 × 8.875% = 369.82 → 370.
    input: invoice({
      lines: [
        line(10000, { discounts: [{ kind: 'percent', value: '10', reason: 'staff' }] }),
        line(5000, { discounts: [{ kind: 'amount', value: 500, reason: 'damaged box' }] }),
      ],
      invoiceDiscounts: [{ kind: 'amount', value: 1000, reason: 'loyalty' }],
    }),
    expected: { lines: [[10000n, 1667n, 8333n, [740n], 9073n], [5000n, 833n, 4167n, [370n], 4537n]], taxTotals: [1110n], total: 13610n },
  },
  {
    name: 'invoice discounts in order: amount, then percent of what is left',
    // 100 over three lines of 1000 → 33.33 each → 34, 33, 33; left 966, 967, 967 (2900).
    // 10% of 2900 = 290 → 96.6, 96.7, 96.7 → floors 288, spare units to the .7s → 96, 97, 97. Exempt.
    input: invoice({
      lines: [line(1000, { category: MEDICAL }), line(1000, { category: MEDICAL }), line(1000, { category: MEDICAL })],
      invoiceDiscounts: [{ kind: 'amount', value: 100, reason: 'voucher' }, { kind: 'percent', value: '10', reason: 'senior' }],
    }),
    expected: { lines: [[1000n, 130n, 870n, [], 870n], [1000n, 130n, 870n, [], 870n], [1000n, 130n, 870n, [], 870n]], taxTotals: [0n], total: 2610n },
  },
  {
    name: 'inclusive prices: a discount reduces the price paid, tax comes out of what is left',
    // 10000 - 10% = 9000 gross; net 9000 / 1.08875 = 8266.36 → 8266; tax 734.
    input: invoice({ pricesIncludeTax: true, lines: [line(10000, { discounts: [{ kind: 'percent', value: '10', reason: 'staff' }] })] }),
    expected: { lines: [[10000n, 1000n, 8266n, [734n], 9000n]], taxTotals: [734n], total: 9000n },
  },
  {
    name: 'the old rate on 2026-12-31',
    input: invoice({ issueDate: '2026-12-31', jurisdictions: [RATE_CHANGE], lines: [line(10000)] }), // 8% of 10000
    expected: { lines: [[10000n, 0n, 10000n, [800n], 10800n]], taxTotals: [800n], total: 10800n },
  },
  {
    name: 'the new rate on 2027-01-01',
    input: invoice({ issueDate: '2027-01-01', jurisdictions: [RATE_CHANGE], lines: [line(10000)] }), // 9% of 10000
    expected: { lines: [[10000n, 0n, 10000n, [900n], 10900n]], taxTotals: [900n], total: 10900n },
  },
  {
    name: 'no rate in force yet: the jurisdiction does not appear',
    input: invoice({ issueDate: '2019-06-01', jurisdictions: [RATE_CHANGE], lines: [line(10000)] }),
    expected: { lines: [[10000n, 0n, 10000n, [], 10000n]], taxTotals: [], total: 10000n },
  },
  {
    name: 'fractional quantity 2.5',
    // 2.5 × 1999 = 4997.5 → 4998; tax 4998 × 8.875% = 443.57 → 444.
    input: invoice({ lines: [line(1999, { quantity: '2.5' })] }),
    expected: { lines: [[4998n, 0n, 4998n, [444n], 5442n]], taxTotals: [444n], total: 5442n },
  },
  {
    name: 'fractional quantity 2.5, half-even extension',
    // 2.5 × 1997 = 4992.5 → 4992 (even); tax 4992 × 8.875% = 443.04 → 443.
    input: invoice({ rounding: { mode: 'half_even', level: 'line' }, lines: [line(1997, { quantity: '2.5' })] }),
    expected: { lines: [[4992n, 0n, 4992n, [443n], 5435n]], taxTotals: [443n], total: 5435n },
  },
  {
    name: 'JPY (no minor digits), exclusive',
    // 3 × ¥333 = 999; 10% = 99.9 → 100.
    input: invoice({ currency: 'JPY', jurisdictions: [jurisdiction('JP', '10')], lines: [line(333, { quantity: '3' })] }),
    expected: { lines: [[999n, 0n, 999n, [100n], 1099n]], taxTotals: [100n], total: 1099n },
  },
  {
    name: 'JPY, inclusive',
    // ¥1080 / 1.1 = 981.8 → 982; tax 98.
    input: invoice({ currency: 'JPY', pricesIncludeTax: true, jurisdictions: [jurisdiction('JP', '10')], lines: [line(1080)] }),
    expected: { lines: [[1080n, 0n, 982n, [98n], 1080n]], taxTotals: [98n], total: 1080n },
  },
  {
    name: 'KWD (three minor digits)',
    // 12.345 KWD = 12345 fils; 5% = 617.25 → 617 fils.
    input: invoice({ currency: 'KWD', jurisdictions: [jurisdiction('KW', '5')], lines: [line(12345)] }),
    expected: { lines: [[12345n, 0n, 12345n, [617n], 12962n]], taxTotals: [617n], total: 12962n },
  },
  {
    name: 'compound tax: the second tax is charged on base + first tax',
    // GST 5% of 10000 = 500; QST 9.975% of 10500 = 1047.375 → 1047.
    input: invoice({ currency: 'CAD', jurisdictions: [GST, QST], lines: [line(10000)] }),
    expected: { lines: [[10000n, 0n, 10000n, [500n, 1047n], 11547n]], taxTotals: [500n, 1047n], total: 11547n },
  },
  {
    name: 'compound tax, inclusive',
    // factor 1 + 0.05 + 0.09975 × 1.05 = 1.1547375; net 11547 / 1.1547375 = 9999.675 → 10000; tax 1547.
    // Exact shares 499.98 and 1047.34: floors 1546, spare unit to GST (.98) → 500, 1047.
    input: invoice({ currency: 'CAD', pricesIncludeTax: true, jurisdictions: [GST, QST], lines: [line(11547)] }),
    expected: { lines: [[11547n, 0n, 10000n, [500n, 1047n], 11547n]], taxTotals: [500n, 1047n], total: 11547n },
  },
];

describe('invoice table', () => {
  for (const c of CASES) {
    test(c.name, () => {
      const doc = computeInvoice(c.input);
      assert.deepEqual(summary(doc), c.expected);
      assertLinesSumToTotals(doc);
    });
  }

  test('per-line and per-invoice rounding really differ on the crafted example', () => {
    assert.notEqual(computeInvoice(threeAt335('half_up', 'line')).total, computeInvoice(threeAt335('half_up', 'invoice')).total);
  });

  test('discount reasons and shares are kept on each line and on the invoice', () => {
    const doc = computeInvoice(CASES.find((c) => c.name.startsWith('line discounts'))!.input);
    assert.deepEqual(
      doc.lines[0]!.discounts.map((d) => [d.scope, d.index, d.kind, d.value, d.reason, d.amount]),
      [['line', 0, 'percent', '10', 'staff', 1000n], ['invoice', 0, 'amount', '1000', 'loyalty', 667n]],
    );
    assert.deepEqual(doc.invoiceDiscounts, [{ kind: 'amount', value: '1000', reason: 'loyalty', amount: 1000n }]);
    assert.equal(doc.subtotal, 15000n);
    assert.equal(doc.discountTotal, 2500n);
    assert.equal(doc.netTotal, 12500n);
  });
});

/** The invariants, recomputed here rather than trusted from the code under test. */
function assertLinesSumToTotals(doc: BillingDocument) {
  const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);
  assert.equal(doc.subtotal, sum(doc.lines.map((l) => l.amount)));
  assert.equal(doc.discountTotal, sum(doc.lines.map((l) => l.discount)));
  assert.equal(doc.netTotal, sum(doc.lines.map((l) => l.net)));
  assert.equal(doc.total, sum(doc.lines.map((l) => l.total)));
  for (const t of doc.taxTotals) {
    assert.equal(t.amount, sum(doc.lines.flatMap((l) => l.taxes.filter((x) => x.jurisdiction === t.jurisdiction).map((x) => x.amount))));
  }
  assert.equal(doc.taxTotal, sum(doc.taxTotals.map((t) => t.amount)));
  assert.equal(doc.total, doc.netTotal + doc.taxTotal);
  for (const l of doc.lines) {
    assert.equal(l.total, l.net + sum(l.taxes.map((t) => t.amount)));
    assert.equal(l.discount, sum(l.discounts.map((d) => d.amount)));
    if (doc.pricesIncludeTax) assert.equal(l.total, l.amount - l.discount);
    else assert.equal(l.net, l.amount - l.discount);
  }
}

// ---------------------------------------------------------------------------------------------------
// Credit notes

describe('credit notes', () => {
  const mixed = computeInvoice(invoice({ lines: [line(1000, { quantity: '3' }), line(15000, { category: MEDICAL })] }));

  test('a full credit negates every amount of the invoice exactly', () => {
    for (const c of CASES) {
      const inv = computeInvoice(c.input);
      const credit = computeCreditNote(inv, inv.lines.map((l, i) => ({ line: i, quantity: l.quantity })));
      assert.equal(credit.kind, 'credit_note');
      assert.equal(credit.total, -inv.total, c.name);
      assert.deepEqual(credit.taxTotals.map((t) => t.amount), inv.taxTotals.map((t) => -t.amount), c.name);
      credit.lines.forEach((l, i) => {
        const original = inv.lines[i]!;
        assert.equal(l.creditsLine, i);
        assert.deepEqual([l.amount, l.discount, l.net, l.taxTotal, l.total], [-original.amount, -original.discount, -original.net, -original.taxTotal, -original.total]);
        assert.deepEqual(l.taxes.map((t) => t.amount), original.taxes.map((t) => -t.amount));
      });
      assertLinesSumToTotals(credit);
    }
  });

  test('a partial credit is the negated proportional amount, and the rest cancels the line exactly', () => {
    // Line 0: 3 × 1000 = 3000, tax 3000 × 8.875% = 266.25 → 266, total 3266.
    assert.deepEqual(summary(mixed).lines[0], [3000n, 0n, 3000n, [266n], 3266n]);
    // Credit 1 of 3: amount -1000, tax -(266 / 3 = 88.67 → 89), total -1089.
    const first = computeCreditNote(mixed, [{ line: 0, quantity: '1' }], { issueDate: '2026-07-01' });
    assert.equal(first.issueDate, '2026-07-01');
    assert.deepEqual(summary(first), { lines: [[-1000n, 0n, -1000n, [-89n], -1089n]], taxTotals: [-89n], total: -1089n });
    // The remaining 2 of 2: exactly what is left, 2000 and 266 - 89 = 177.
    const rest = computeCreditNote(mixed, [{ line: 0, quantity: '2' }], { previousCredits: [first] });
    assert.deepEqual(summary(rest), { lines: [[-2000n, 0n, -2000n, [-177n], -2177n]], taxTotals: [-177n], total: -2177n });
    assert.equal(first.total + rest.total, -mixed.lines[0]!.total);
    // Nothing left to credit on line 0.
    assert.deepEqual(fieldErrors(() => computeCreditNote(mixed, [{ line: 0, quantity: '0.001' }], { previousCredits: [first, rest] })), ['selection[0].quantity']);
  });

  test('a half minor unit on a credit note rounds symmetrically (negative half-up vs half-even)', () => {
    // Invoice 1 × 5, exempt. Crediting 0.5 of it: -2.5 → -3 half-up (away from zero), -2 half-even.
    const base = invoice({ lines: [line(5, { category: MEDICAL })] });
    const up = computeInvoice(base);
    const even = computeInvoice({ ...base, rounding: { mode: 'half_even', level: 'line' } });
    assert.equal(computeCreditNote(up, [{ line: 0, quantity: '0.5' }]).total, -3n);
    assert.equal(computeCreditNote(even, [{ line: 0, quantity: '0.5' }]).total, -2n);
  });

  test('a selection that cannot be credited is refused with field paths', () => {
    assert.deepEqual(
      fieldErrors(() => computeCreditNote(mixed, [{ line: 0, quantity: '4' }, { line: 5, quantity: '1' }, { line: 1, quantity: '0' }, { line: 0, quantity: '1' }])),
      ['selection[0].quantity', 'selection[1].line', 'selection[2].quantity', 'selection[3].line'],
    );
    assert.deepEqual(fieldErrors(() => computeCreditNote(mixed, [])), ['selection']);
    const credit = computeCreditNote(mixed, [{ line: 1, quantity: '1' }]);
    assert.deepEqual(fieldErrors(() => computeCreditNote(credit, [{ line: 0, quantity: '1' }])), ['invoice']);
  });
});

// ---------------------------------------------------------------------------------------------------
// Validation

describe('validation', () => {
  test('bad input is reported all at once with field paths', () => {
    const fields = fieldErrors(() =>
      computeInvoice({
        ...invoice({ lines: [line(100), line(10.5), line(100, { quantity: '2,5' }), line(100, { quantity: '0' })] }),
        currency: 'XXX',
        issueDate: '2026-02-30',
        jurisdictions: [{ ...NY_STATE, rates: [{ ratePercent: '8.875%', effectiveFrom: '2020-01-01' }] }],
      }),
    );
    assert.deepEqual(fields, ['currency', 'issueDate', 'jurisdictions[0].rates[0].ratePercent', 'lines[1].unitPrice', 'lines[2].quantity', 'lines[3].quantity']);
  });

  test('overlapping rate periods and duplicate codes are refused', () => {
    const overlapping = jurisdiction('ST', '8', {
      rates: [{ ratePercent: '8', effectiveFrom: '2020-01-01', effectiveTo: '2027-01-01' }, { ratePercent: '9', effectiveFrom: '2027-01-01' }],
    });
    assert.deepEqual(fieldErrors(() => computeInvoice(invoice({ jurisdictions: [overlapping, NY_STATE, NY_STATE], lines: [line(1)] }))), [
      'jurisdictions[0].rates[1].effectiveFrom',
      'jurisdictions[2].code',
    ]);
  });

  test('discounts: bad percent, missing reason, and amounts larger than what is left', () => {
    const discounts: Discount[] = [{ kind: 'percent', value: '100.01', reason: 'x' }, { kind: 'amount', value: 5, reason: '' }];
    assert.deepEqual(fieldErrors(() => computeInvoice(invoice({ lines: [line(100, { discounts })] }))), [
      'lines[0].discounts[0].value',
      'lines[0].discounts[1].reason',
    ]);
    // 60 off 100 leaves 40, so 50 more is too much (and is skipped); 40 + 100 = 140 left for the invoice, so 141 is too.
    assert.deepEqual(
      fieldErrors(() =>
        computeInvoice(invoice({
          lines: [line(100, { discounts: [{ kind: 'amount', value: 60, reason: 'a' }, { kind: 'amount', value: 50, reason: 'b' }] }), line(100)],
          invoiceDiscounts: [{ kind: 'amount', value: 141, reason: 'c' }],
        })),
      ),
      ['lines[0].discounts[1].value', 'invoiceDiscounts[0].value'],
    );
    // A 100% discount is allowed and leaves nothing to tax.
    assert.equal(computeInvoice(invoice({ lines: [line(100, { discounts: [{ kind: 'percent', value: '100', reason: 'free' }] })] })).total, 0n);
  });

  test('a negative discount is an upward adjustment, still before tax', () => {
    // 1000 + 200 surcharge = 1200; 8.875% = 106.5 → 107.
    const doc = computeInvoice(invoice({ lines: [line(1000, { discounts: [{ kind: 'amount', value: -200, reason: 'after-hours fee' }] })] }));
    assert.deepEqual(summary(doc), { lines: [[1000n, -200n, 1200n, [107n], 1307n]], taxTotals: [107n], total: 1307n });
  });
});

// ---------------------------------------------------------------------------------------------------
// Generated invoices

/** mulberry32: a small deterministic PRNG, so a failure reproduces from the seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;
  return { int, pick, chance: (p: number) => next() < p };
}

const RATES = ['0', '0.5', '4', '4.875', '6.35', '7', '8.875', '9.975', '13.975', '20', '25'];
const QUANTITIES = ['1', '1', '2', '3', '2.5', '0.333', '0.125', '10', '1.75', '7.005'];

function randomInvoice(r: ReturnType<typeof prng>): InvoiceInput {
  const randomDiscount = (): Discount =>
    r.chance(0.5) ? { kind: 'percent', value: r.pick(['5', '10', '12.5', '33.333', '50']), reason: 'promo' } : { kind: 'amount', value: r.int(0, 300), reason: 'goodwill' };
  const jurisdictions = Array.from({ length: r.int(0, 3) }, (_, k): Jurisdiction => ({
    code: `J${k}`,
    name: `Tax ${k}`,
    rates: [
      { ratePercent: r.pick(RATES), effectiveFrom: '2020-01-01', effectiveTo: '2026-12-31' },
      { ratePercent: r.pick(RATES), effectiveFrom: '2027-01-01' },
    ],
    exemptCategories: r.chance(0.6) ? [MEDICAL] : [],
    compound: k > 0 && r.chance(0.2),
  }));
  const lines = Array.from({ length: r.int(1, 7) }, (): InvoiceLineInput => ({
    description: 'generated',
    category: r.pick([MEDICAL, RETAIL, 'other']),
    quantity: r.pick(QUANTITIES),
    unitPrice: r.chance(0.1) ? r.int(0, 9) : r.int(100, 2_000_000),
    ...(r.chance(0.3) ? { discounts: [randomDiscount()] } : {}),
  }));
  return {
    currency: r.pick(['USD', 'JPY', 'KWD', 'EUR']),
    issueDate: r.pick(['2026-06-30', '2027-03-01']),
    pricesIncludeTax: r.chance(0.5),
    rounding: { mode: r.pick(['half_up', 'half_even'] as const), level: r.pick(['line', 'invoice'] as const) },
    jurisdictions,
    lines,
    ...(r.chance(0.3) ? { invoiceDiscounts: [randomDiscount()] } : {}),
  };
}

function assertAllAmountsAreIntegers(doc: BillingDocument) {
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'number') assert.ok(Number.isInteger(value), `${path} is ${value}`);
    else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
  };
  const wire = documentToWire(doc);
  walk(wire, 'doc');
  assert.deepEqual(documentFromWire(wire), doc);
  for (const l of doc.lines) {
    for (const v of [l.amount, l.discount, l.net, l.taxTotal, l.total, ...l.taxes.map((t) => t.amount)]) assert.equal(typeof v, 'bigint');
  }
}

test('invariants hold over 400 generated invoices and their credit notes', () => {
  const r = prng(20260401);
  let inclusive = 0;
  let invoiceLevel = 0;
  let refused = 0;
  for (let n = 0; n < 400; n++) {
    const input = randomInvoice(r);
    let doc: BillingDocument;
    try {
      doc = computeInvoice(input);
    } catch (err) {
      // Only a generated amount discount larger than a line may be refused, and only as a field error.
      assert.ok(err instanceof AppError && err.code === 'validation_failed', `#${n}: ${String(err)}`);
      assert.ok(err.extra.errors!.every((e) => /discounts\[\d+\]\.value$|^invoiceDiscounts\[\d+\]\.value$/.test(e.field)), `#${n}`);
      refused++;
      continue;
    }
    if (input.pricesIncludeTax) inclusive++;
    if (input.rounding.level === 'invoice') invoiceLevel++;
    assertLinesSumToTotals(doc);
    assertAllAmountsAreIntegers(doc);
    doc.lines.forEach((l, i) => {
      assert.ok(l.net >= 0n && l.total >= 0n && l.taxTotal >= 0n, `#${n} line ${i} went negative`);
      // Inclusive: the customer pays exactly the (discounted) price; the extension is the price.
      if (input.pricesIncludeTax) assert.equal(l.total, l.amount - l.discount);
      // Exclusive, non-compound: each tax is within one minor unit of base × rate, exactly computed.
      if (!input.pricesIncludeTax) {
        for (const t of l.taxes.filter((x) => !x.compound)) {
          const rate = percentToFraction(parseDecimal(t.ratePercent));
          const error = t.amount * rate.den - l.net * rate.num;
          assert.ok(error < rate.den && -error < rate.den, `#${n} line ${i} ${t.jurisdiction}`);
        }
      }
    });
    // A full credit cancels the invoice to the minor unit.
    const all = doc.lines.map((l, i) => ({ line: i, quantity: l.quantity }));
    const full = computeCreditNote(doc, all);
    assert.equal(full.total + doc.total, 0n, `#${n}`);
    assert.deepEqual(full.taxTotals.map((t) => t.amount + doc.taxTotals.find((x) => x.jurisdiction === t.jurisdiction)!.amount), doc.taxTotals.map(() => 0n));
    assertLinesSumToTotals(full);
    // Two partial credits that together cover everything cancel it exactly too.
    const part = computeCreditNote(doc, doc.lines.map((l, i) => ({ line: i, quantity: halfOf(l.quantity) })));
    const rest = computeCreditNote(doc, doc.lines.map((l, i) => ({ line: i, quantity: halfOf(l.quantity) })), { previousCredits: [part] });
    assertLinesSumToTotals(part);
    assert.equal(part.total + rest.total + doc.total, 0n, `#${n}`);
    assert.equal(part.netTotal + rest.netTotal + doc.netTotal, 0n, `#${n}`);
    assert.equal(part.taxTotal + rest.taxTotal + doc.taxTotal, 0n, `#${n}`);
    assert.ok(part.lines.every((l) => l.total <= 0n && l.amount <= 0n), `#${n} credit went positive`);
  }
  // The generator really exercised both price modes and both rounding levels.
  assert.ok(inclusive > 100 && invoiceLevel > 100, `inclusive ${inclusive}, invoice-level ${invoiceLevel}`);
  assert.ok(refused < 40, `${refused} generated invoices refused`);
});

/** Half of a decimal quantity string, exactly (q × 0.5 has one more decimal digit). */
function halfOf(quantity: string): string {
  const q = parseDecimal(quantity);
  const scaled = (q.num * 10n ** 20n) / (2n * q.den); // exact: den is a power of ten, at most 10^3 here
  const text = scaled.toString().padStart(21, '0');
  return `${text.slice(0, -20)}.${text.slice(-20)}`.replace(/0+$/, '').replace(/\.$/, '');
}
