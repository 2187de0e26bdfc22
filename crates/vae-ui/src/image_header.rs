//! A picture's size from its first bytes (PNG's IHDR, JPEG's start-of-frame), so a 20,000 ×
//! 20,000 photo is refused before the browser decodes it into gigabytes. Free of the DOM.

/// (width, height) of a PNG or JPEG file; None for anything else or a header cut short.
pub fn dimensions(bytes: &[u8]) -> Option<(usize, usize)> {
    const PNG: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
    if bytes.starts_with(&PNG) {
        if bytes.get(12..16)? != b"IHDR" {
            return None;
        }
        let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        return (bytes.len() >= 24).then(|| (be(16), be(20)));
    }
    if bytes.starts_with(&[0xff, 0xd8]) {
        return jpeg_dimensions(bytes);
    }
    None
}

/// Walks the JPEG markers to the first start-of-frame (SOF0–SOF15 but DHT, JPG and DAC).
fn jpeg_dimensions(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut at = 2;
    loop {
        while *bytes.get(at)? != 0xff {
            at += 1;
        }
        while *bytes.get(at)? == 0xff {
            at += 1; // fill bytes
        }
        let marker = *bytes.get(at)?;
        at += 1;
        if marker == 0xd8 || (0xd0..=0xd7).contains(&marker) || marker == 0x01 {
            continue; // markers without a length
        }
        let length = u16::from_be_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]) as usize;
        if (0xc0..=0xcf).contains(&marker) && ![0xc4, 0xc8, 0xcc].contains(&marker) {
            let height = u16::from_be_bytes([*bytes.get(at + 3)?, *bytes.get(at + 4)?]) as usize;
            let width = u16::from_be_bytes([*bytes.get(at + 5)?, *bytes.get(at + 6)?]) as usize;
            return Some((width, height));
        }
        if length < 2 {
            return None;
        }
        at += length;
    }
}

/// Is this file name one of the image kinds the page reads?
pub fn is_image_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    [".png", ".jpg", ".jpeg"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_and_jpeg_sizes_come_from_their_headers() {
        let mut png = vec![
            0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', 0, 0, 0, 13,
        ];
        png.extend(b"IHDR");
        png.extend(20_000u32.to_be_bytes());
        png.extend(300u32.to_be_bytes());
        assert_eq!(dimensions(&png), Some((20_000, 300)));
        assert_eq!(dimensions(&png[..20]), None, "cut short");
        // SOI, an APP0 segment of length 4, then SOF0: precision 8, height 0x0102, width 0x0304.
        let jpeg = [
            0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 11, 8, 1, 2, 3, 4, 3,
        ];
        assert_eq!(dimensions(&jpeg), Some((0x0304, 0x0102)));
        assert_eq!(dimensions(b"this is text"), None);
        assert_eq!(dimensions(&[0xff, 0xd8, 0xff]), None);
        assert!(is_image_name("Cat_01.JPG") && !is_image_name("train-images.idx"));
    }
}
