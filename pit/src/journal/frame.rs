//! The journal's framing: a magic header, then records as `[len: u32 LE][crc32: u32 LE]
//! [payload]`. A torn or corrupted tail (a crash mid-write) ends the readable journal at the
//! last whole record; nothing after a bad frame is trusted.

/// The first bytes of every journal file (the format's version is its last byte).
pub const MAGIC: &[u8; 8] = b"SYMJRNL1";
/// Bytes before a frame's payload.
pub const HEADER: usize = 8;
/// The largest payload written or read; a length beyond it marks a corrupted frame.
pub const MAX_PAYLOAD: usize = 64 << 20;

/// Appends one frame around `payload` to `out`.
pub fn encode(payload: &[u8], out: &mut Vec<u8>) {
    debug_assert!(
        payload.len() <= MAX_PAYLOAD,
        "payloads are bounded by the writer"
    );
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
}

/// Why decoding stopped before the end of the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tail {
    /// Every byte belonged to a whole, intact frame.
    Clean,
    /// The bytes end inside a frame: a write cut short by a crash.
    Torn {
        /// Offset of the incomplete frame.
        offset: usize,
    },
    /// A frame's length or checksum is wrong.
    Corrupt {
        /// Offset of the bad frame.
        offset: usize,
    },
}

/// Splits `bytes` (after the magic) into payloads, stopping at the first incomplete or
/// corrupted frame. Returns the payloads and how the bytes ended.
pub fn decode(bytes: &[u8]) -> (Vec<&[u8]>, Tail) {
    let mut payloads = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let Some(header) = bytes.get(at..at + HEADER) else {
            return (payloads, Tail::Torn { offset: at });
        };
        let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let crc = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        if len > MAX_PAYLOAD {
            return (payloads, Tail::Corrupt { offset: at });
        }
        let Some(payload) = bytes.get(at + HEADER..at + HEADER + len) else {
            return (payloads, Tail::Torn { offset: at });
        };
        if crc32fast::hash(payload) != crc {
            return (payloads, Tail::Corrupt { offset: at });
        }
        payloads.push(payload);
        at += HEADER + len;
    }
    (payloads, Tail::Clean)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn frames(payloads: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for p in payloads {
            encode(p, &mut out);
        }
        out
    }

    #[test]
    fn whole_frames_round_trip() {
        let bytes = frames(&[b"one", b"", b"three"]);
        let (payloads, tail) = decode(&bytes);
        assert_eq!(payloads, vec![&b"one"[..], b"", b"three"]);
        assert_eq!(tail, Tail::Clean);
    }

    #[test]
    fn every_truncation_keeps_the_whole_frames_before_it() {
        let bytes = frames(&[b"first", b"second"]);
        let first_len = HEADER + 5;
        for cut in 0..bytes.len() {
            let (payloads, tail) = decode(&bytes[..cut]);
            let whole = usize::from(cut >= first_len);
            assert_eq!(payloads.len(), whole, "cut at {cut}");
            if cut != 0 && cut != first_len {
                assert!(matches!(tail, Tail::Torn { .. }), "cut at {cut}: {tail:?}");
            }
        }
    }

    #[test]
    fn a_flipped_bit_stops_decoding_at_its_frame() {
        let mut bytes = frames(&[b"first", b"second", b"third"]);
        let second = HEADER + 5;
        bytes[second + HEADER + 2] ^= 0x10;
        let (payloads, tail) = decode(&bytes);
        assert_eq!(payloads, vec![&b"first"[..]]);
        assert_eq!(tail, Tail::Corrupt { offset: second });
    }

    #[test]
    fn an_absurd_length_is_corruption_not_an_allocation() {
        let mut bytes = frames(&[b"ok"]);
        bytes.extend_from_slice(&u32::MAX.to_le_bytes());
        bytes.extend_from_slice(&[0; 4]);
        let (payloads, tail) = decode(&bytes);
        assert_eq!(payloads.len(), 1);
        assert_eq!(tail, Tail::Corrupt { offset: HEADER + 2 });
    }
}
