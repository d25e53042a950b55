;; The word-count Motif: counts words, lines and characters of a text and returns them as
;; styled lines for a pane or the status bar (media type
;; application/vnd.symphony.styled-lines+json: an array of {"text", "style"} lines).
;; Hand-written WAT against the Orchestra Kit's wasm ABI (extensions::host::wasm).
;; The data segments below were laid out by a script; their offsets are in the calls.
(module
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  ;; The output cursor.
  (global $cur (mut i32) (i32.const 0))
  (data (i32.const 16) "[{\22text\22:\22")
  (data (i32.const 26) " words\22,\22style\22:\22bold\22},{\22text\22:\22")
  (data (i32.const 59) " lines \c2\b7 ")
  (data (i32.const 69) " chars\22,\22style\22:\22dim\22}]")

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

  ;; Copy [$src, $src+$len) to the cursor.
  (func $emit (param $src i32) (param $len i32)
    (memory.copy (global.get $cur) (local.get $src) (local.get $len))
    (global.set $cur (i32.add (global.get $cur) (local.get $len))))

  ;; Write $n in decimal at the cursor.
  (func $emit_num (param $n i32)
    (local $digits i32) (local $tmp i32) (local $i i32)
    ;; Count the digits.
    (local.set $tmp (local.get $n))
    (local.set $digits (i32.const 1))
    (block $counted
      (loop $more
        (br_if $counted (i32.lt_u (local.get $tmp) (i32.const 10)))
        (local.set $tmp (i32.div_u (local.get $tmp) (i32.const 10)))
        (local.set $digits (i32.add (local.get $digits) (i32.const 1)))
        (br $more)))
    ;; Write them from the right.
    (local.set $i (local.get $digits))
    (local.set $tmp (local.get $n))
    (loop $write
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (i32.store8 (i32.add (global.get $cur) (local.get $i))
                  (i32.add (i32.const 48) (i32.rem_u (local.get $tmp) (i32.const 10))))
      (local.set $tmp (i32.div_u (local.get $tmp) (i32.const 10)))
      (br_if $write (local.get $i)))
    (global.set $cur (i32.add (global.get $cur) (local.get $digits))))

  (func (export "count") (param $p i32) (param $n i32) (result i64)
    (local $i i32) (local $c i32) (local $words i32) (local $lines i32) (local $chars i32)
    (local $in_word i32) (local $space i32) (local $out i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $c (i32.load8_u (i32.add (local.get $p) (local.get $i))))
        ;; A character starts at every byte that is not a UTF-8 continuation (10xxxxxx).
        (if (i32.ne (i32.and (local.get $c) (i32.const 192)) (i32.const 128))
          (then (local.set $chars (i32.add (local.get $chars) (i32.const 1)))))
        (if (i32.eq (local.get $c) (i32.const 10))
          (then (local.set $lines (i32.add (local.get $lines) (i32.const 1)))))
        (local.set $space
          (i32.or (i32.or (i32.eq (local.get $c) (i32.const 32)) (i32.eq (local.get $c) (i32.const 9)))
                  (i32.or (i32.eq (local.get $c) (i32.const 10)) (i32.eq (local.get $c) (i32.const 13)))))
        (if (local.get $space)
          (then (local.set $in_word (i32.const 0)))
          (else
            (if (i32.eqz (local.get $in_word))
              (then (local.set $words (i32.add (local.get $words) (i32.const 1)))))
            (local.set $in_word (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    ;; A last line without its newline still counts.
    (if (i32.and (i32.gt_u (local.get $n) (i32.const 0))
                 (i32.ne (i32.load8_u (i32.add (local.get $p) (i32.sub (local.get $n) (i32.const 1))))
                         (i32.const 10)))
      (then (local.set $lines (i32.add (local.get $lines) (i32.const 1)))))
    (local.set $out (call $alloc (i32.const 128)))
    (global.set $cur (local.get $out))
    (call $emit (i32.const 16) (i32.const 10))
    (call $emit_num (local.get $words))
    (call $emit (i32.const 26) (i32.const 33))
    (call $emit_num (local.get $lines))
    (call $emit (i32.const 59) (i32.const 10))
    (call $emit_num (local.get $chars))
    (call $emit (i32.const 69) (i32.const 23))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $out)) (i64.const 32))
            (i64.extend_i32_u (i32.sub (global.get $cur) (local.get $out)))))
)
