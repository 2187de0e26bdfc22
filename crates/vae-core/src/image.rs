//! Model pixels (planar f32 in [0, 1]) to displayable RGBA bytes, one image or a grid of them.
use crate::config::ImageShape;

/// One planar image to RGBA (grayscale repeats its one channel).
pub fn to_rgba(image: &[f32], shape: ImageShape) -> Vec<u8> {
    let hw = shape.width * shape.height;
    let byte = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    let mut out = Vec::with_capacity(hw * 4);
    for i in 0..hw {
        let (r, g, b) = if shape.channels == 3 {
            (image[i], image[hw + i], image[2 * hw + i])
        } else {
            (image[i], image[i], image[i])
        };
        out.extend_from_slice(&[byte(r), byte(g), byte(b), 255]);
    }
    out
}

/// A grid of images `cols` wide with `gap` pixels between them, as (width, height, RGBA).
pub fn grid_rgba(
    images: &[f32],
    shape: ImageShape,
    cols: usize,
    gap: usize,
) -> (usize, usize, Vec<u8>) {
    let n = images.len() / shape.pixels();
    let rows = n.div_ceil(cols.max(1));
    let (w, h) = (
        cols * shape.width + (cols.saturating_sub(1)) * gap,
        rows * shape.height + rows.saturating_sub(1) * gap,
    );
    let mut out = vec![0u8; w * h * 4];
    for (k, image) in images.chunks(shape.pixels()).enumerate() {
        let (x0, y0) = (
            (k % cols) * (shape.width + gap),
            (k / cols) * (shape.height + gap),
        );
        let rgba = to_rgba(image, shape);
        for row in 0..shape.height {
            let dst = ((y0 + row) * w + x0) * 4;
            out[dst..dst + shape.width * 4]
                .copy_from_slice(&rgba[row * shape.width * 4..(row + 1) * shape.width * 4]);
        }
    }
    (w, h, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_places_each_image() {
        let shape = ImageShape {
            width: 1,
            height: 1,
            channels: 1,
        };
        let (w, h, rgba) = grid_rgba(&[0.0, 1.0, 0.5], shape, 2, 1);
        assert_eq!((w, h), (3, 3));
        assert_eq!(&rgba[0..4], &[0, 0, 0, 255]);
        assert_eq!(&rgba[8..12], &[255, 255, 255, 255]);
        assert_eq!(&rgba[24..28], &[128, 128, 128, 255]);
    }

    #[test]
    fn colour_reads_planes() {
        let shape = ImageShape {
            width: 1,
            height: 1,
            channels: 3,
        };
        assert_eq!(to_rgba(&[1.0, 0.0, 0.2], shape), vec![255, 0, 51, 255]);
    }
}
