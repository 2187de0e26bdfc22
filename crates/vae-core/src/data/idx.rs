//! IDX files (the MNIST format), raw or gzip: a big-endian header, then unsigned bytes.
//! Every claim of the header is checked against the bytes before anything large is allocated.
use flate2::read::GzDecoder;
use std::fmt;
use std::io::Read;

/// The most bytes of data an IDX file may claim: CIFAR-10's 50,000 colour images (154 M) fit, and
/// as f32 (614 MB) they stay inside the page's memory budget. A header claiming more is refused
/// before anything is read, so a small .gz that would inflate to gigabytes is never inflated.
const MAX_ELEMENTS: usize = 160_000_000;

#[derive(Clone, Debug, PartialEq)]
pub struct Idx {
    /// The header's dimensions, outermost first: [count, height, width(, channels)].
    pub dims: Vec<usize>,
    pub data: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum IdxError {
    TooShort,
    BadMagic([u8; 2]),
    UnsupportedType(u8),
    BadRank(u8),
    ZeroDimension,
    TooLarge(usize),
    Truncated { expected: usize, found: usize },
    TrailingBytes,
    Gzip(String),
}

impl fmt::Display for IdxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooShort => write!(f, "not an IDX file: shorter than its header"),
            Self::BadMagic(m) => write!(
                f,
                "not an IDX file: it starts with {:02x} {:02x}, not 00 00",
                m[0], m[1]
            ),
            Self::UnsupportedType(t) => write!(
                f,
                "IDX element type 0x{t:02x} is not supported (only unsigned bytes, 0x08)"
            ),
            Self::BadRank(r) => write!(
                f,
                "IDX files here have 1 to 4 dimensions, this one claims {r}"
            ),
            Self::ZeroDimension => write!(f, "the IDX header has a dimension of size 0"),
            Self::TooLarge(n) => write!(
                f,
                "the IDX header claims {n} values, more than a page can hold"
            ),
            Self::Truncated { expected, found } => {
                write!(f, "the IDX file is truncated: its header promises {expected} bytes of data, it holds {found}")
            }
            Self::TrailingBytes => write!(
                f,
                "the IDX file has bytes after the data its header describes"
            ),
            Self::Gzip(e) => write!(f, "the gzip stream is corrupt: {e}"),
        }
    }
}

impl std::error::Error for IdxError {}

/// Reads an IDX file; gzip is recognised by its magic bytes (1f 8b).
pub fn read_idx(bytes: &[u8]) -> Result<Idx, IdxError> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        read_from(GzDecoder::new(bytes))
    } else {
        read_from(bytes)
    }
}

fn read_from(mut reader: impl Read) -> Result<Idx, IdxError> {
    let mut magic = [0u8; 4];
    read_exact(&mut reader, &mut magic)?;
    if magic[0] != 0 || magic[1] != 0 {
        return Err(IdxError::BadMagic([magic[0], magic[1]]));
    }
    if magic[2] != 0x08 {
        return Err(IdxError::UnsupportedType(magic[2]));
    }
    let rank = magic[3];
    if !(1..=4).contains(&rank) {
        return Err(IdxError::BadRank(rank));
    }
    let mut dims = Vec::with_capacity(rank as usize);
    for _ in 0..rank {
        let mut d = [0u8; 4];
        read_exact(&mut reader, &mut d)?;
        dims.push(u32::from_be_bytes(d) as usize);
    }
    if dims.contains(&0) {
        return Err(IdxError::ZeroDimension);
    }
    let expected = dims
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .filter(|&n| n <= MAX_ELEMENTS);
    let expected = expected.ok_or(IdxError::TooLarge(
        dims.iter().map(|&d| d as f64).product::<f64>() as usize,
    ))?;
    // Read one byte past the promise: the buffer grows with what the file really holds, so a
    // lying header over a short file never allocates what it claims.
    let mut data = Vec::new();
    reader
        .take(expected as u64 + 1)
        .read_to_end(&mut data)
        .map_err(|e| IdxError::Gzip(e.to_string()))?;
    if data.len() < expected {
        return Err(IdxError::Truncated {
            expected,
            found: data.len(),
        });
    }
    if data.len() > expected {
        return Err(IdxError::TrailingBytes);
    }
    Ok(Idx { dims, data })
}

fn read_exact(reader: &mut impl Read, buf: &mut [u8]) -> Result<(), IdxError> {
    reader.read_exact(buf).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => IdxError::TooShort,
        _ => IdxError::Gzip(e.to_string()),
    })
}

/// Writes an IDX file of unsigned bytes (used by tests and by sample export).
pub fn write_idx(dims: &[usize], data: &[u8]) -> Vec<u8> {
    let mut out = vec![0, 0, 0x08, dims.len() as u8];
    for &d in dims {
        out.extend_from_slice(&(d as u32).to_be_bytes());
    }
    out.extend_from_slice(data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{write::GzEncoder, Compression};
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn round_trips_raw_and_gzip() {
        let data: Vec<u8> = (0..2 * 3 * 4).map(|i| i as u8).collect();
        let file = write_idx(&[2, 3, 4], &data);
        let expected = Idx {
            dims: vec![2, 3, 4],
            data,
        };
        assert_eq!(read_idx(&file).unwrap(), expected);
        assert_eq!(read_idx(&gzip(&file)).unwrap(), expected);
    }

    #[test]
    fn malformed_files_are_refused_with_a_reason() {
        let good = write_idx(&[2, 2, 2], &[1; 8]);
        let mut claims_huge = write_idx(&[2, 2, 2], &[1; 8]);
        claims_huge[4..8].copy_from_slice(&u32::MAX.to_be_bytes());
        let mut claims_more = good.clone();
        claims_more[4..8].copy_from_slice(&3u32.to_be_bytes());
        let gzip_garbage = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef];
        let cases: Vec<(Vec<u8>, IdxError)> = vec![
            (vec![], IdxError::TooShort),
            (vec![0, 0, 8], IdxError::TooShort),
            (
                b"\x89PNG\r\n\x1a\n".to_vec(),
                IdxError::BadMagic([0x89, b'P']),
            ),
            (
                vec![0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0],
                IdxError::UnsupportedType(0x0d),
            ),
            (vec![0, 0, 8, 0], IdxError::BadRank(0)),
            (vec![0, 0, 8, 9], IdxError::BadRank(9)),
            (write_idx(&[0, 28, 28], &[]), IdxError::ZeroDimension),
            (
                write_idx(&[2, 2], &[1, 2, 3]),
                IdxError::Truncated {
                    expected: 4,
                    found: 3,
                },
            ),
            (
                claims_more,
                IdxError::Truncated {
                    expected: 12,
                    found: 8,
                },
            ),
            (
                write_idx(&[2, 2], &[1, 2, 3, 4, 5]),
                IdxError::TrailingBytes,
            ),
            (vec![0, 0, 8, 2, 0, 0, 0, 5], IdxError::TooShort),
            (gzip(&good[..10]), IdxError::TooShort),
        ];
        for (bytes, expected) in cases {
            assert_eq!(read_idx(&bytes).unwrap_err(), expected, "{bytes:?}");
        }
        assert!(matches!(
            read_idx(&claims_huge).unwrap_err(),
            IdxError::TooLarge(_)
        ));
        assert!(matches!(
            read_idx(&gzip_garbage).unwrap_err(),
            IdxError::Gzip(_) | IdxError::TooShort
        ));
    }
}
