//! Your own images as a dataset: pictures (RGBA, any size) centre-cropped to a square, resized
//! to the model's side, grayscale or colour, labelled by their folder or file-name prefix.
//! The page lets the browser decode, crop and resize; vae-cli decodes with the `image` crate
//! and crops and resizes here. Both end in `from_rgba`.
use super::dataset::Dataset;
use crate::config::ImageShape;
use std::fmt;

/// The side images are resized to: MNIST's.
pub const SIDE: usize = 28;
/// Pictures larger than this on a side are refused before they are decoded in full.
pub const MAX_SIDE: usize = 8192;
/// The most images one import takes (as many as the shipped MNIST subset).
pub const MAX_IMAGES: usize = 60_000;

#[derive(Clone, Debug, PartialEq)]
pub enum ImportError {
    NoImages,
    TooFew(usize),
    TooMany(usize),
    Empty(String),
    TooLarge {
        name: String,
        width: usize,
        height: usize,
    },
    NotAnImage(String),
    TooManyClasses(usize),
    WrongLength {
        expected: usize,
        found: usize,
    },
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoImages => write!(f, "no images were chosen"),
            Self::TooFew(n) => write!(
                f,
                "{n} image(s): a dataset needs at least 2 (one to train on, one held out)"
            ),
            Self::TooMany(n) => write!(f, "{n} images: at most {MAX_IMAGES} are taken at once"),
            Self::Empty(name) => write!(f, "{name} is an image of 0 × 0 pixels"),
            Self::TooLarge {
                name,
                width,
                height,
            } => {
                write!(f, "{name} is {width} × {height} pixels; images up to {MAX_SIDE} × {MAX_SIDE} are taken")
            }
            Self::NotAnImage(name) => {
                write!(f, "{name} is not a PNG or JPEG image this page can read")
            }
            Self::TooManyClasses(n) => write!(
                f,
                "the file names give {n} labels; at most 100 classes are supported"
            ),
            Self::WrongLength { expected, found } => {
                write!(f, "expected {expected} bytes of pixels, got {found}")
            }
        }
    }
}

impl std::error::Error for ImportError {}

/// Checks a picture's size before anything large is made of it.
pub fn check_size(name: &str, width: usize, height: usize) -> Result<(), ImportError> {
    if width == 0 || height == 0 {
        return Err(ImportError::Empty(name.into()));
    }
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(ImportError::TooLarge {
            name: name.into(),
            width,
            height,
        });
    }
    Ok(())
}

/// The label a file's path gives: its folder ("cats/001.png" → "cats"), else the file name's
/// prefix before a '_' or '-' ("cat_001.png" → "cat"), else none.
pub fn label_of(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
    if parts.len() >= 2 {
        return Some(parts[parts.len() - 2].to_string());
    }
    let file = parts.last()?;
    let stem = file.rsplit_once('.').map_or(*file, |(s, _)| s);
    stem.split_once(['_', '-'])
        .map(|(prefix, _)| prefix.to_string())
        .filter(|p| !p.is_empty())
}

/// Class ids for file paths: their labels in sorted order (0, 1, …); with no labels at all,
/// every image is class 0. Returns the ids and the class names.
pub fn labels_of(paths: &[String]) -> (Vec<u8>, Vec<String>) {
    let labels: Vec<Option<String>> = paths.iter().map(|p| label_of(p)).collect();
    let mut names: Vec<String> = labels.iter().flatten().cloned().collect();
    names.sort();
    names.dedup();
    if names.is_empty() {
        return (vec![0; paths.len()], vec![]);
    }
    // Files without a label share a class of their own, after the named ones.
    let unnamed = names.len();
    let ids = labels
        .iter()
        .map(|l| {
            l.as_ref()
                .map_or(unnamed, |l| names.binary_search(l).unwrap_or(unnamed)) as u8
        })
        .collect();
    if labels.iter().any(|l| l.is_none()) {
        names.push("(no label)".into());
    }
    (ids, names)
}

/// The centre square of an RGBA picture resized to `side` × `side` by averaging the source
/// pixels under each target pixel (a box filter: no aliasing when shrinking a photo).
pub fn centre_crop_resize(rgba: &[u8], width: usize, height: usize, side: usize) -> Vec<u8> {
    let crop = width.min(height);
    let (x0, y0) = ((width - crop) / 2, (height - crop) / 2);
    let mut out = vec![0u8; side * side * 4];
    for ty in 0..side {
        let (sy0, sy1) = (
            y0 + ty * crop / side,
            (y0 + ((ty + 1) * crop).div_ceil(side)).max(y0 + ty * crop / side + 1),
        );
        for tx in 0..side {
            let (sx0, sx1) = (
                x0 + tx * crop / side,
                (x0 + ((tx + 1) * crop).div_ceil(side)).max(x0 + tx * crop / side + 1),
            );
            let mut sum = [0u64; 4];
            for sy in sy0..sy1.min(height) {
                for sx in sx0..sx1.min(width) {
                    let i = (sy * width + sx) * 4;
                    for c in 0..4 {
                        sum[c] += rgba[i + c] as u64;
                    }
                }
            }
            let n = ((sy1.min(height) - sy0) * (sx1.min(width) - sx0)).max(1) as u64;
            let o = (ty * side + tx) * 4;
            for c in 0..4 {
                out[o + c] = ((sum[c] + n / 2) / n) as u8;
            }
        }
    }
    out
}

/// A dataset from `side` × `side` RGBA pictures, one after another, with the paths that label
/// them. Transparent pixels count as black (MNIST's background); grayscale is the luminance.
pub fn from_rgba(
    name: &str,
    rgba: &[u8],
    side: usize,
    paths: &[String],
    colour: bool,
) -> Result<Dataset, ImportError> {
    let n = paths.len();
    if n == 0 {
        return Err(ImportError::NoImages);
    }
    if n > MAX_IMAGES {
        return Err(ImportError::TooMany(n));
    }
    if rgba.len() != n * side * side * 4 {
        return Err(ImportError::WrongLength {
            expected: n * side * side * 4,
            found: rgba.len(),
        });
    }
    if n < 2 {
        return Err(ImportError::TooFew(n));
    }
    let (labels, names) = labels_of(paths);
    if names.len() > 100 {
        return Err(ImportError::TooManyClasses(names.len()));
    }
    let channels = if colour { 3 } else { 1 };
    let hw = side * side;
    let mut pixels = vec![0.0f32; n * hw * channels];
    for (image, src) in pixels.chunks_mut(hw * channels).zip(rgba.chunks(hw * 4)) {
        for i in 0..hw {
            let a = src[i * 4 + 3] as f32 / 255.0;
            let [r, g, b] = [0, 1, 2].map(|c| src[i * 4 + c] as f32 / 255.0 * a);
            if colour {
                (image[i], image[hw + i], image[2 * hw + i]) = (r, g, b);
            } else {
                image[i] = 0.299 * r + 0.587 * g + 0.114 * b;
            }
        }
    }
    let shape = ImageShape {
        width: side,
        height: side,
        channels,
    };
    Ok(Dataset::new(
        name,
        shape,
        pixels,
        labels,
        names.len().max(1),
        None,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_come_from_folders_or_prefixes() {
        assert_eq!(label_of("cats/001.png").as_deref(), Some("cats"));
        assert_eq!(label_of("photos\\dogs\\a.jpg").as_deref(), Some("dogs"));
        assert_eq!(label_of("cat_001.png").as_deref(), Some("cat"));
        assert_eq!(label_of("7-a.png").as_deref(), Some("7"));
        assert_eq!(label_of("photo.png"), None);
        let paths: Vec<String> = ["b/1.png", "a/2.png", "b/3.png", "x.png"]
            .map(String::from)
            .into();
        assert_eq!(
            labels_of(&paths),
            (
                vec![1, 0, 1, 2],
                vec!["a".into(), "b".into(), "(no label)".into()]
            )
        );
        assert_eq!(
            labels_of(&["x.png".to_string(), "y.png".to_string()]).0,
            vec![0, 0]
        );
    }

    #[test]
    fn the_centre_square_is_averaged_down() {
        // 4 × 2: the centre square is columns 1–2; a 1 × 1 result averages its four pixels.
        let mut rgba = vec![0u8; 4 * 2 * 4];
        for (i, v) in [(1, 100u8), (2, 200), (5, 100), (6, 200)] {
            rgba[i * 4..i * 4 + 4].copy_from_slice(&[v, v, v, 255]);
        }
        assert_eq!(centre_crop_resize(&rgba, 4, 2, 1), vec![150, 150, 150, 255]);
        assert_eq!(
            centre_crop_resize(&rgba, 4, 2, 2),
            vec![100, 100, 100, 255, 200, 200, 200, 255, 100, 100, 100, 255, 200, 200, 200, 255]
        );
    }

    #[test]
    fn rgba_becomes_grayscale_or_colour_planes() {
        let rgba = [255, 0, 0, 255, 0, 0, 255, 0]; // a red pixel, a transparent blue one
        let paths = ["a/1.png".to_string(), "b/2.png".to_string()];
        let gray = from_rgba("own", &rgba, 1, &paths, false).unwrap();
        assert_eq!(
            (gray.shape.channels, gray.labels(), gray.num_classes),
            (1, &[0, 1][..], 2)
        );
        assert!((gray.images()[0] - 0.299).abs() < 1e-6 && gray.images()[1] == 0.0);
        let colour = from_rgba("own", &rgba, 1, &paths, true).unwrap();
        assert_eq!(colour.images(), &[1.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        assert_eq!(
            from_rgba("own", &rgba[..4], 1, &paths[..1], false).unwrap_err(),
            ImportError::TooFew(1)
        );
        assert!(matches!(
            from_rgba("own", &rgba[..4], 1, &paths, false),
            Err(ImportError::WrongLength { .. })
        ));
        assert_eq!(
            check_size("big.png", 20_000, 20_000)
                .unwrap_err()
                .to_string(),
            "big.png is 20000 × 20000 pixels; images up to 8192 × 8192 are taken"
        );
        assert!(check_size("none.png", 0, 0).is_err());
    }
}
