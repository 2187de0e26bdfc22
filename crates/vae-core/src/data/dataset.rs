//! A dataset in memory: images as planar f32 in [0, 1], labels, and its image shape.
use super::idx::{read_idx, IdxError};
use super::shapes::ShapeFactors;
use crate::config::ImageShape;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// Images with their labels. The pixels and labels are shared: a split, a copy for the next
/// model or a clone for the worker's cache costs an `Arc`, not the images again.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub name: String,
    pub shape: ImageShape,
    /// Every image of the source, planar f32 in [0, 1], shared by all its splits.
    // Arc<Vec>, not Arc<[f32]>: turning a Vec into Arc<[f32]> copies it (31 MB for MNIST).
    pixels: Arc<Vec<f32>>,
    all_labels: Arc<[u8]>,
    /// The images of this dataset: `range` of the source's.
    range: Range<usize>,
    pub num_classes: usize,
    pub factors: Option<Vec<ShapeFactors>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DataError {
    Images(IdxError),
    Labels(IdxError),
    NotImages(Vec<usize>),
    NotLabels(Vec<usize>),
    CountMismatch { images: usize, labels: usize },
    TooManyClasses(usize),
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Images(e) => write!(f, "images file: {e}"),
            Self::Labels(e) => write!(f, "labels file: {e}"),
            Self::NotImages(d) => write!(
                f,
                "images file has dimensions {d:?}; expected [count, height, width] or [count, height, width, 3]"
            ),
            Self::NotLabels(d) => write!(f, "labels file has dimensions {d:?}; expected [count]"),
            Self::CountMismatch { images, labels } => write!(f, "{images} images but {labels} labels"),
            Self::TooManyClasses(n) => write!(f, "labels use {n} classes; at most 100 are supported"),
        }
    }
}

impl std::error::Error for DataError {}

impl Dataset {
    /// Reads an images IDX file ([n, h, w] grayscale or [n, h, w, 3] colour, interleaved) and an
    /// optional labels IDX file ([n]). Without labels every image is class 0.
    pub fn from_idx(name: &str, images: &[u8], labels: Option<&[u8]>) -> Result<Self, DataError> {
        let idx = read_idx(images).map_err(DataError::Images)?;
        let (count, height, width, channels) = match idx.dims[..] {
            [n, h, w] => (n, h, w, 1),
            [n, h, w, c] if c == 1 || c == 3 => (n, h, w, c),
            _ => return Err(DataError::NotImages(idx.dims)),
        };
        if height > 256 || width > 256 {
            return Err(DataError::NotImages(idx.dims));
        }
        let labels = match labels {
            Some(bytes) => {
                let l = read_idx(bytes).map_err(DataError::Labels)?;
                if l.dims.len() != 1 {
                    return Err(DataError::NotLabels(l.dims));
                }
                if l.data.len() != count {
                    return Err(DataError::CountMismatch {
                        images: count,
                        labels: l.data.len(),
                    });
                }
                l.data
            }
            None => vec![0; count],
        };
        let num_classes = labels.iter().copied().max().unwrap_or(0) as usize + 1;
        if num_classes > 100 {
            return Err(DataError::TooManyClasses(num_classes));
        }
        let shape = ImageShape {
            width,
            height,
            channels,
        };
        Ok(Self::new(
            name,
            shape,
            interleaved_to_planar(&idx.data, shape),
            labels,
            num_classes,
            None,
        ))
    }

    /// A dataset of `images` (planar, `shape.pixels()` values each) and one label per image.
    pub fn new(
        name: &str,
        shape: ImageShape,
        images: Vec<f32>,
        labels: Vec<u8>,
        num_classes: usize,
        factors: Option<Vec<ShapeFactors>>,
    ) -> Self {
        assert_eq!(
            images.len(),
            labels.len() * shape.pixels(),
            "one label per image"
        );
        let range = 0..labels.len();
        Self {
            name: name.into(),
            shape,
            pixels: Arc::new(images),
            all_labels: labels.into(),
            range,
            num_classes,
            factors,
        }
    }

    /// The same images under another name (a student's file becomes "custom").
    pub fn renamed(self, name: &str) -> Self {
        Self {
            name: name.into(),
            ..self
        }
    }

    pub fn len(&self) -> usize {
        self.range.len()
    }

    pub fn is_empty(&self) -> bool {
        self.range.is_empty()
    }

    /// All images, one after another.
    pub fn images(&self) -> &[f32] {
        let p = self.shape.pixels();
        &self.pixels[self.range.start * p..self.range.end * p]
    }

    pub fn labels(&self) -> &[u8] {
        &self.all_labels[self.range.clone()]
    }

    pub fn image(&self, i: usize) -> &[f32] {
        let p = self.shape.pixels();
        &self.images()[i * p..(i + 1) * p]
    }

    /// The images of every class but `class`, for training a model that has never seen it
    /// (the anomaly experiment). This one copies: the kept images are not one range.
    pub fn without_class(&self, class: u8) -> Dataset {
        let p = self.shape.pixels();
        let keep: Vec<usize> = (0..self.len())
            .filter(|&i| self.labels()[i] != class)
            .collect();
        let images = keep
            .iter()
            .flat_map(|&i| self.image(i).iter().copied())
            .collect();
        let labels = keep.iter().map(|&i| self.labels()[i]).collect();
        let factors = self
            .factors
            .as_ref()
            .map(|f| keep.iter().map(|&i| f[i]).collect());
        debug_assert_eq!(
            keep.len() * p,
            self.images().len() - (self.len() - keep.len()) * p
        );
        Dataset::new(
            &self.name,
            self.shape,
            images,
            labels,
            self.num_classes,
            factors,
        )
    }

    /// The first `n` images and the rest, sharing this dataset's pixels: the train and held-out splits.
    pub fn split_at(&self, n: usize) -> (Dataset, Dataset) {
        let n = n.min(self.len());
        let part = |range: Range<usize>| Dataset {
            range: self.range.start + range.start..self.range.start + range.end,
            factors: self.factors.as_ref().map(|f| f[range].to_vec()),
            ..self.clone()
        };
        (part(0..n), part(n..self.len()))
    }
}

/// IDX colour images are stored pixel by pixel (r, g, b); the models read channel planes.
fn interleaved_to_planar(bytes: &[u8], shape: ImageShape) -> Vec<f32> {
    let (c, hw) = (shape.channels, shape.width * shape.height);
    let to_unit = |b: u8| b as f32 / 255.0;
    if c == 1 {
        // Grayscale is planar already: one pass the compiler vectorises (a third of MNIST's load
        // time went to the general loop's division per pixel).
        return bytes.iter().map(|&b| to_unit(b)).collect();
    }
    let mut out = vec![0.0; bytes.len()];
    for (image, src) in out.chunks_mut(c * hw).zip(bytes.chunks(c * hw)) {
        for (p, pixel) in src.chunks(c).enumerate() {
            for (channel, &b) in pixel.iter().enumerate() {
                image[channel * hw + p] = to_unit(b);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::write_idx;

    #[test]
    fn colour_idx_becomes_planar() {
        // One 1×2 image: pixel 0 = (255, 0, 51), pixel 1 = (0, 255, 102).
        let file = write_idx(&[1, 1, 2, 3], &[255, 0, 51, 0, 255, 102]);
        let d = Dataset::from_idx("c", &file, None).unwrap();
        assert_eq!(
            d.shape,
            ImageShape {
                width: 2,
                height: 1,
                channels: 3
            }
        );
        assert_eq!(d.images(), &[1.0, 0.0, 0.0, 1.0, 0.2, 0.4]);
    }

    #[test]
    fn splits_share_the_pixels_and_keep_their_own_range() {
        let file = write_idx(&[4, 1, 1], &[0, 51, 102, 255]);
        let labels = write_idx(&[4], &[0, 1, 2, 3]);
        let d = Dataset::from_idx("s", &file, Some(&labels)).unwrap();
        let (a, b) = d.split_at(1);
        let (b1, b2) = b.split_at(2);
        assert_eq!(
            (a.images(), b1.images(), b2.images()),
            (&[0.0][..], &[0.2, 0.4][..], &[1.0][..])
        );
        assert_eq!(
            (b1.labels(), b2.labels(), b2.image(0)),
            (&[1, 2][..], &[3][..], &[1.0][..])
        );
        assert!(Arc::ptr_eq(&d.pixels, &b2.pixels), "no copy of the images");
    }

    #[test]
    fn leaving_a_class_out_keeps_the_others_in_order() {
        let file = write_idx(&[4, 1, 1], &[0, 51, 102, 255]);
        let labels = write_idx(&[4], &[0, 1, 0, 2]);
        let d = Dataset::from_idx("s", &file, Some(&labels))
            .unwrap()
            .split_at(1)
            .1
            .without_class(0);
        assert_eq!(
            (d.images(), d.labels(), d.num_classes),
            (&[0.2, 1.0][..], &[1, 2][..], 3)
        );
    }

    #[test]
    fn label_count_must_match() {
        let images = write_idx(&[2, 2, 2], &[0; 8]);
        let labels = write_idx(&[3], &[0, 1, 2]);
        let err = Dataset::from_idx("x", &images, Some(&labels)).unwrap_err();
        assert_eq!(
            err,
            DataError::CountMismatch {
                images: 2,
                labels: 3
            }
        );
        let wrong_rank = write_idx(&[2, 4], &[0; 8]);
        assert!(matches!(
            Dataset::from_idx("x", &wrong_rank, None),
            Err(DataError::NotImages(_))
        ));
    }
}
