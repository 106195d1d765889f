;; Record ends in CSV bytes, 64 at a time with WebAssembly SIMD: the same rules as csv-scan.ts (a
;; record ends at an LF outside double quotes; `""` toggles the quote state twice). Compiled by
;; scripts/build-wasm.js into csv-scan-wasm.ts; simd-record-count.ts copies the bytes in and calls it.
;;
;; Per block of 64 bytes: a bit mask of its quotes and one of its LFs (i8x16.eq, then bitmask). The
;; quote state after each byte is the prefix XOR of the quote bits (six shifts), flipped when the
;; block starts inside quotes; an LF whose bit is clear there ends a record.
(module
  ;; 16 pages (1 MiB) of bytes to scan, then room for the padding and the byte after them.
  (memory (export "memory") 17)
  ;; Of the last call: the index just after the last record end (-1: none), the quote state at the
  ;; end, and where it stopped before an empty record (-1: it did not).
  (global $lastBoundary (export "lastBoundary") (mut i32) (i32.const -1))
  (global $endInQuote (export "endInQuote") (mut i32) (i32.const 0))
  (global $stopAt (export "stopAt") (mut i32) (i32.const -1))

  ;; Bit i set where byte p+i equals the byte in every lane of $splat.
  (func $mask (param $p i32) (param $splat v128) (result i64)
    (i64.or
      (i64.or
        (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (v128.load (local.get $p)) (local.get $splat))))
        (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (v128.load offset=16 (local.get $p)) (local.get $splat)))) (i64.const 16)))
      (i64.or
        (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (v128.load offset=32 (local.get $p)) (local.get $splat)))) (i64.const 32))
        (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (v128.load offset=48 (local.get $p)) (local.get $splat)))) (i64.const 48)))))

  ;; Counts the record ends in memory[0, len), starting in quote state $inQuote. `len` is a multiple
  ;; of 64; the caller zero-fills up to it (a zero byte is neither quote, LF nor CR) and puts the
  ;; byte that follows the range, if any, right after its last byte. With $stopEarly, stops just
  ;; after the first record end whose next byte is LF or CR (csv-scan.ts, stopBeforeEmptyRecord).
  (func (export "count") (param $len i32) (param $inQuote i32) (param $stopEarly i32) (result i32)
    (local $p i32) (local $records i32) (local $carry i64)
    (local $q i64) (local $o i64) (local $e i64) (local $first i64) (local $lf i64)
    (local $quotes v128) (local $lfs v128) (local $crs v128)
    (local.set $quotes (i8x16.splat (i32.const 0x22)))
    (local.set $lfs (i8x16.splat (i32.const 0x0a)))
    (local.set $crs (i8x16.splat (i32.const 0x0d)))
    ;; All ones inside quotes, all zeros outside.
    (local.set $carry (i64.sub (i64.const 0) (i64.extend_i32_u (local.get $inQuote))))
    (global.set $lastBoundary (i32.const -1))
    (global.set $stopAt (i32.const -1))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $p) (local.get $len)))
        (local.set $q (call $mask (local.get $p) (local.get $quotes)))
        (local.set $lf (call $mask (local.get $p) (local.get $lfs)))
        (local.set $q (i64.xor (local.get $q) (i64.shl (local.get $q) (i64.const 1))))
        (local.set $q (i64.xor (local.get $q) (i64.shl (local.get $q) (i64.const 2))))
        (local.set $q (i64.xor (local.get $q) (i64.shl (local.get $q) (i64.const 4))))
        (local.set $q (i64.xor (local.get $q) (i64.shl (local.get $q) (i64.const 8))))
        (local.set $q (i64.xor (local.get $q) (i64.shl (local.get $q) (i64.const 16))))
        (local.set $q (i64.xor (local.get $q) (i64.shl (local.get $q) (i64.const 32))))
        (local.set $q (i64.xor (local.get $q) (local.get $carry)))
        ;; An LF is not a quote: the state after it is the state before it.
        (local.set $o (i64.and (local.get $lf) (i64.xor (local.get $q) (i64.const -1))))
        (if (i64.ne (local.get $o) (i64.const 0))
          (then
            (if (local.get $stopEarly)
              (then
                (local.set $e (i64.and (local.get $o)
                  (i64.or
                    (i64.shr_u (i64.or (local.get $lf) (call $mask (local.get $p) (local.get $crs))) (i64.const 1))
                    (i64.shl
                      (i64.extend_i32_u
                        (i32.or
                          (i32.eq (i32.load8_u offset=64 (local.get $p)) (i32.const 0x0a))
                          (i32.eq (i32.load8_u offset=64 (local.get $p)) (i32.const 0x0d))))
                      (i64.const 63)))))
                (if (i64.ne (local.get $e) (i64.const 0))
                  (then
                    (local.set $first (i64.ctz (local.get $e)))
                    (local.set $records
                      (i32.add (local.get $records)
                        (i32.wrap_i64 (i64.popcnt (i64.and (local.get $o) (i64.shr_u (i64.const -1) (i64.sub (i64.const 63) (local.get $first))))))))
                    (global.set $lastBoundary (i32.add (i32.add (local.get $p) (i32.wrap_i64 (local.get $first))) (i32.const 1)))
                    (global.set $stopAt (global.get $lastBoundary))
                    (global.set $endInQuote (i32.const 0))
                    (return (local.get $records))))))
            (local.set $records (i32.add (local.get $records) (i32.wrap_i64 (i64.popcnt (local.get $o)))))
            (global.set $lastBoundary (i32.sub (i32.add (local.get $p) (i32.const 64)) (i32.wrap_i64 (i64.clz (local.get $o)))))))
        (local.set $carry (i64.shr_s (local.get $q) (i64.const 63)))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (br $blocks)))
    (global.set $endInQuote (i32.wrap_i64 (i64.and (local.get $carry) (i64.const 1))))
    (local.get $records))
)
