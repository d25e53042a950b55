//! The outbox file's framing, after pit's journal: a magic header, then records as
//! `[len: u32 LE][crc32: u32 LE][payload]`. A torn tail (a crash mid-append) ends the readable
//! file at the last whole record.

/// The first bytes of an outbox file (the format's version is its last byte).
pub const MAGIC: &[u8; 8] = b"SYMOBOX1";
/// Bytes before a frame's payload.
pub const HEADER: usize = 8;
/// The largest payload; a length beyond it marks a corrupted frame (OFB takes 1 MiB bodies).
pub const MAX_PAYLOAD: usize = 4 << 20;

/// Appends one frame around `payload` to `out`.
pub fn encode(payload: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
}

/// How the frames ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tail {
    /// Every byte belonged to a whole, intact frame.
    Clean,
    /// The bytes end inside a frame at this offset: a write cut short by a crash.
    Torn(usize),
    /// The frame at this offset has a wrong length or checksum.
    Corrupt(usize),
}

/// Splits `bytes` (after the magic) into payloads, stopping at the first bad frame.
pub fn decode(bytes: &[u8]) -> (Vec<&[u8]>, Tail) {
    let mut payloads = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let Some(header) = bytes.get(at..at + HEADER) else {
            return (payloads, Tail::Torn(at));
        };
        let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let crc = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        if len > MAX_PAYLOAD {
            return (payloads, Tail::Corrupt(at));
        }
        let Some(payload) = bytes.get(at + HEADER..at + HEADER + len) else {
            return (payloads, Tail::Torn(at));
        };
        if crc32fast::hash(payload) != crc {
            return (payloads, Tail::Corrupt(at));
        }
        payloads.push(payload);
        at += HEADER + len;
    }
    (payloads, Tail::Clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_truncation_keeps_the_whole_frames_before_it() {
        let mut bytes = Vec::new();
        encode(b"first", &mut bytes);
        encode(b"second", &mut bytes);
        let first = HEADER + 5;
        for cut in 0..bytes.len() {
            let (payloads, tail) = decode(&bytes[..cut]);
            assert_eq!(payloads.len(), usize::from(cut >= first), "cut at {cut}");
            if cut != 0 && cut != first {
                assert!(matches!(tail, Tail::Torn(_)), "cut at {cut}: {tail:?}");
            }
        }
    }

    #[test]
    fn a_flipped_bit_stops_at_its_frame() {
        let mut bytes = Vec::new();
        encode(b"first", &mut bytes);
        encode(b"second", &mut bytes);
        bytes[HEADER + 5 + HEADER + 1] ^= 1;
        let (payloads, tail) = decode(&bytes);
        assert_eq!(payloads, vec![&b"first"[..]]);
        assert_eq!(tail, Tail::Corrupt(HEADER + 5));
    }
}
