;; The text-ops Operator: ASCII case, split into words, join lines. Written by hand in WAT
;; against the Orchestra Kit's wasm ABI (extensions::host::wasm): every method takes
;; (ptr, len) of its input and returns (out_ptr << 32) | out_len.
(module
  (memory (export "memory") 1)
  ;; A bump allocator above the first KiB; a fresh instance per call frees everything.
  (global $heap (mut i32) (i32.const 1024))

  (func $alloc (export "alloc") (param $len i32) (result i32)
    (local $ptr i32) (local $end i32)
    (local.set $ptr (global.get $heap))
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (if (i32.gt_u (local.get $end) (i32.shl (memory.size) (i32.const 16)))
      (then
        (if (i32.eq
              (memory.grow
                (i32.shr_u
                  (i32.add (i32.sub (local.get $end) (i32.shl (memory.size) (i32.const 16)))
                           (i32.const 65535))
                  (i32.const 16)))
              (i32.const -1))
          (then unreachable))))
    (global.set $heap (local.get $end))
    (local.get $ptr))

  (func $pack (param $ptr i32) (param $len i32) (result i64)
    (i64.or (i64.shl (i64.extend_i32_u (local.get $ptr)) (i64.const 32))
            (i64.extend_i32_u (local.get $len))))

  (func $is_space (param $c i32) (result i32)
    (i32.or (i32.or (i32.eq (local.get $c) (i32.const 32)) (i32.eq (local.get $c) (i32.const 9)))
            (i32.or (i32.eq (local.get $c) (i32.const 10)) (i32.eq (local.get $c) (i32.const 13)))))

  ;; Add $delta to bytes in [$lo, $hi]: the shared body of upper and lower.
  (func $shift (param $p i32) (param $n i32) (param $lo i32) (param $hi i32) (param $delta i32)
               (result i64)
    (local $out i32) (local $i i32) (local $c i32)
    (local.set $out (call $alloc (local.get $n)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $c (i32.load8_u (i32.add (local.get $p) (local.get $i))))
        (if (i32.and (i32.ge_u (local.get $c) (local.get $lo)) (i32.le_u (local.get $c) (local.get $hi)))
          (then (local.set $c (i32.add (local.get $c) (local.get $delta)))))
        (i32.store8 (i32.add (local.get $out) (local.get $i)) (local.get $c))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (call $pack (local.get $out) (local.get $n)))

  (func (export "upper") (param $p i32) (param $n i32) (result i64)
    (call $shift (local.get $p) (local.get $n) (i32.const 97) (i32.const 122) (i32.const -32)))

  (func (export "lower") (param $p i32) (param $n i32) (result i64)
    (call $shift (local.get $p) (local.get $n) (i32.const 65) (i32.const 90) (i32.const 32)))

  ;; One word per line: runs of whitespace become one newline; none leading; one trailing.
  (func (export "words") (param $p i32) (param $n i32) (result i64)
    (local $out i32) (local $i i32) (local $o i32) (local $c i32) (local $pending i32)
    (local.set $out (call $alloc (i32.add (local.get $n) (i32.const 1))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $c (i32.load8_u (i32.add (local.get $p) (local.get $i))))
        (if (call $is_space (local.get $c))
          (then (if (local.get $o) (then (local.set $pending (i32.const 1)))))
          (else
            (if (local.get $pending)
              (then
                (i32.store8 (i32.add (local.get $out) (local.get $o)) (i32.const 10))
                (local.set $o (i32.add (local.get $o) (i32.const 1)))
                (local.set $pending (i32.const 0))))
            (i32.store8 (i32.add (local.get $out) (local.get $o)) (local.get $c))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (if (local.get $o)
      (then
        (i32.store8 (i32.add (local.get $out) (local.get $o)) (i32.const 10))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))))
    (call $pack (local.get $out) (local.get $o)))

  ;; Lines joined by single spaces: runs of line breaks become one space, trimmed at both ends.
  (func (export "join") (param $p i32) (param $n i32) (result i64)
    (local $out i32) (local $i i32) (local $o i32) (local $c i32) (local $pending i32)
    (local.set $out (call $alloc (local.get $n)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $c (i32.load8_u (i32.add (local.get $p) (local.get $i))))
        (if (i32.or (i32.eq (local.get $c) (i32.const 10)) (i32.eq (local.get $c) (i32.const 13)))
          (then (if (local.get $o) (then (local.set $pending (i32.const 1)))))
          (else
            (if (local.get $pending)
              (then
                (i32.store8 (i32.add (local.get $out) (local.get $o)) (i32.const 32))
                (local.set $o (i32.add (local.get $o) (i32.const 1)))
                (local.set $pending (i32.const 0))))
            (i32.store8 (i32.add (local.get $out) (local.get $o)) (local.get $c))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (call $pack (local.get $out) (local.get $o)))
)
