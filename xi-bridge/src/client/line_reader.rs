//! Reads newline-terminated lines with a size cap, so a runaway peer cannot exhaust memory.

use std::io;

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// What one call to [`read_line_capped`] found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum LineRead {
    /// `buf` holds a line, without its newline (the last line may lack one).
    Line,
    /// A line longer than the cap was read and thrown away; `len` is its length.
    TooLong {
        /// Bytes in the line, newline excluded.
        len: usize,
    },
    /// The stream ended.
    Eof,
}

/// Reads the next line into `buf` (cleared first), keeping at most `max` bytes.
///
/// Cancel safety: none needed, as it is only awaited by the reader task's loop.
pub(crate) async fn read_line_capped<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<LineRead> {
    buf.clear();
    let mut len = 0usize;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(match len {
                0 => LineRead::Eof,
                len if len > max => LineRead::TooLong { len },
                _ => LineRead::Line,
            });
        }
        let (chunk, consumed, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..i], i + 1, true),
            None => (available, available.len(), false),
        };
        len = len.saturating_add(chunk.len());
        if len <= max {
            buf.extend_from_slice(chunk);
        } else {
            buf.clear();
        }
        reader.consume(consumed);
        if done {
            return Ok(if len > max {
                LineRead::TooLong { len }
            } else {
                LineRead::Line
            });
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use tokio::io::BufReader;

    use super::*;

    async fn read_all(input: &[u8], max: usize) -> Vec<(LineRead, Vec<u8>)> {
        // A tiny buffer makes lines span many `fill_buf` calls.
        let mut reader = BufReader::with_capacity(3, input);
        let mut out = Vec::new();
        let mut buf = Vec::new();
        loop {
            let read = read_line_capped(&mut reader, &mut buf, max).await.unwrap();
            if read == LineRead::Eof {
                return out;
            }
            out.push((read, buf.clone()));
        }
    }

    #[tokio::test]
    async fn splits_lines_across_buffer_refills() {
        let lines = read_all(b"hello\nworld\n\nlast", 100).await;
        let expected: Vec<(LineRead, Vec<u8>)> = vec![
            (LineRead::Line, b"hello".to_vec()),
            (LineRead::Line, b"world".to_vec()),
            (LineRead::Line, Vec::new()),
            (LineRead::Line, b"last".to_vec()),
        ];
        assert_eq!(lines, expected);
    }

    #[tokio::test]
    async fn drops_overlong_lines_and_carries_on() {
        let lines = read_all(b"short\nthis one is too long\nok\nalso far too long", 8).await;
        let expected: Vec<(LineRead, Vec<u8>)> = vec![
            (LineRead::Line, b"short".to_vec()),
            (LineRead::TooLong { len: 20 }, Vec::new()),
            (LineRead::Line, b"ok".to_vec()),
            (LineRead::TooLong { len: 17 }, Vec::new()),
        ];
        assert_eq!(lines, expected);
    }
}
