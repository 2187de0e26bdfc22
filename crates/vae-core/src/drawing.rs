//! A student's drawing made to look like an MNIST digit before it is encoded. MNIST's digits were
//! size-normalised to fit a 20×20 box (keeping their aspect ratio) and then placed in the 28×28
//! frame so that their centre of mass sits at the centre (LeCun et al., the MNIST page).

/// The side of the box the drawing's bounding box is scaled into, and of the frame.
const BOX: f32 = 20.0;
const FRAME: usize = 28;

/// `pixels` is a `width × height` grayscale image in [0, 1] (ink is high). Returns 28×28 in
/// [0, 1], or None when nothing was drawn.
pub fn digitize(pixels: &[f32], width: usize, height: usize) -> Option<Vec<f32>> {
    let ink = |x: usize, y: usize| pixels[y * width + x];
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for y in 0..height {
        for x in 0..width {
            if ink(x, y) > 0.05 {
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            }
        }
    }
    if x0 == usize::MAX {
        return None;
    }
    let (bw, bh) = ((x1 - x0 + 1) as f32, (y1 - y0 + 1) as f32);
    let scale = BOX / bw.max(bh); // source pixels → frame pixels
                                  // Area-average the bounding box into a (bw·scale) × (bh·scale) patch: each frame pixel takes
                                  // the mean of the source pixels that fall inside it, so thin strokes stay visible.
    let (pw, ph) = (
        (bw * scale).round().max(1.0) as usize,
        (bh * scale).round().max(1.0) as usize,
    );
    let mut patch = vec![0.0f32; pw * ph];
    let mut count = vec![0.0f32; pw * ph];
    for y in y0..=y1 {
        for x in x0..=x1 {
            let px = (((x - x0) as f32 + 0.5) * scale)
                .floor()
                .min(pw as f32 - 1.0) as usize;
            let py = (((y - y0) as f32 + 0.5) * scale)
                .floor()
                .min(ph as f32 - 1.0) as usize;
            patch[py * pw + px] += ink(x, y);
            count[py * pw + px] += 1.0;
        }
    }
    // When the drawing is smaller than the box, several frame pixels have no source pixel:
    // give them their nearest source pixel instead (nearest-neighbour upscaling).
    for py in 0..ph {
        for px in 0..pw {
            let i = py * pw + px;
            if count[i] > 0.0 {
                patch[i] /= count[i];
            } else {
                let sx = (x0 as f32 + (px as f32 + 0.5) / scale).min(x1 as f32) as usize;
                let sy = (y0 as f32 + (py as f32 + 0.5) / scale).min(y1 as f32) as usize;
                patch[i] = ink(sx, sy);
            }
        }
    }
    // Centre of mass of the patch, placed at the frame's centre.
    let mass: f32 = patch.iter().sum();
    let cx = (0..pw * ph)
        .map(|i| (i % pw) as f32 * patch[i])
        .sum::<f32>()
        / mass;
    let cy = (0..pw * ph)
        .map(|i| (i / pw) as f32 * patch[i])
        .sum::<f32>()
        / mass;
    let centre = (FRAME as f32 - 1.0) / 2.0;
    let (dx, dy) = (
        (centre - cx).round() as isize,
        (centre - cy).round() as isize,
    );
    let mut out = vec![0.0f32; FRAME * FRAME];
    for py in 0..ph {
        for px in 0..pw {
            let (fx, fy) = (px as isize + dx, py as isize + dy);
            if (0..FRAME as isize).contains(&fx) && (0..FRAME as isize).contains(&fy) {
                out[fy as usize * FRAME + fx as usize] = patch[py * pw + px].clamp(0.0, 1.0);
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn centre_of_mass(img: &[f32]) -> (f32, f32) {
        let m: f32 = img.iter().sum();
        let cx = img
            .iter()
            .enumerate()
            .map(|(i, v)| (i % FRAME) as f32 * v)
            .sum::<f32>()
            / m;
        let cy = img
            .iter()
            .enumerate()
            .map(|(i, v)| (i / FRAME) as f32 * v)
            .sum::<f32>()
            / m;
        (cx, cy)
    }

    /// A vertical bar drawn in the top-left corner of a 140×140 pad.
    fn shifted_stroke() -> Vec<f32> {
        let mut pad = vec![0.0f32; 140 * 140];
        for y in 5..65 {
            for x in 10..22 {
                pad[y * 140 + x] = 1.0;
            }
        }
        pad
    }

    #[test]
    fn a_shifted_stroke_is_centred_and_scaled_into_the_box() {
        let img = digitize(&shifted_stroke(), 140, 140).unwrap();
        let (cx, cy) = centre_of_mass(&img);
        assert!(
            (cx - 13.5).abs() <= 0.6 && (cy - 13.5).abs() <= 0.6,
            "centre of mass ({cx}, {cy})"
        );
        let rows = (0..FRAME)
            .filter(|y| (0..FRAME).any(|x| img[y * FRAME + x] > 0.5))
            .count();
        assert_eq!(rows, 20, "the long side fills the 20-pixel box");
    }

    #[test]
    fn the_same_stroke_anywhere_gives_the_same_digit() {
        let mut moved = vec![0.0f32; 140 * 140];
        for y in 70..130 {
            for x in 100..112 {
                moved[y * 140 + x] = 1.0;
            }
        }
        assert_eq!(
            digitize(&moved, 140, 140),
            digitize(&shifted_stroke(), 140, 140)
        );
    }

    #[test]
    fn an_empty_pad_is_not_a_digit() {
        assert_eq!(digitize(&[0.0; 100], 10, 10), None);
    }
}
