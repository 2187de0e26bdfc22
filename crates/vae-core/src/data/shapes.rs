//! Procedural datasets drawn from a seed: `shapes` (grayscale) and `colour-shapes`.
//! Each image is one shape × scale × rotation × position (× colour), with its factors kept, so a
//! student can compare what the latent space learned with the factors that made the data.
use super::Dataset;
use crate::config::ImageShape;
use crate::rng::Rng;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShapeKind {
    Square,
    Ellipse,
    Triangle,
    Heart,
}

pub const SHAPE_KINDS: [ShapeKind; 4] = [
    ShapeKind::Square,
    ShapeKind::Ellipse,
    ShapeKind::Triangle,
    ShapeKind::Heart,
];

/// Fill colours of `colour-shapes`, as RGB in [0, 1].
const COLOURS: [[f32; 3]; 6] = [
    [0.95, 0.25, 0.2],
    [0.2, 0.8, 0.3],
    [0.25, 0.45, 1.0],
    [1.0, 0.85, 0.15],
    [0.85, 0.3, 0.9],
    [0.2, 0.85, 0.9],
];

/// The ground truth behind one image.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShapeFactors {
    pub kind: ShapeKind,
    /// Half-size in pixels.
    pub scale: f32,
    /// Radians.
    pub rotation: f32,
    /// Centre in pixels.
    pub x: f32,
    pub y: f32,
    /// Index into the colour palette (colour-shapes only).
    pub colour: Option<usize>,
}

impl ShapeFactors {
    fn draw(rng: &mut Rng, coloured: bool) -> Self {
        let mut range = |lo: f32, hi: f32| lo + (hi - lo) * rng.uniform();
        Self {
            kind: SHAPE_KINDS[(range(0.0, 4.0) as usize).min(3)],
            scale: range(4.5, 7.0),
            rotation: range(0.0, std::f32::consts::TAU),
            x: range(10.5, 17.5),
            y: range(10.5, 17.5),
            colour: coloured.then(|| rng.below(COLOURS.len())),
        }
    }

    /// Is the point (u, v), in the shape's own unit frame (y down), inside it?
    fn contains(&self, u: f32, v: f32) -> bool {
        match self.kind {
            ShapeKind::Square => u.abs() <= 0.8 && v.abs() <= 0.8,
            ShapeKind::Ellipse => u * u + (v / 0.6) * (v / 0.6) <= 1.0,
            ShapeKind::Triangle => {
                // Vertices (0, −1), (0.95, 0.75), (−0.95, 0.75): inside all three edges.
                let edge = |ax: f32, ay: f32, bx: f32, by: f32| {
                    (bx - ax) * (v - ay) - (by - ay) * (u - ax) >= 0.0
                };
                edge(0.0, -1.0, 0.95, 0.75) == edge(0.95, 0.75, -0.95, 0.75)
                    && edge(0.95, 0.75, -0.95, 0.75) == edge(-0.95, 0.75, 0.0, -1.0)
            }
            ShapeKind::Heart => {
                // (x² + y² − 1)³ − x²y³ ≤ 0 with y pointing up, scaled to fit the unit frame.
                let (x, y) = (u * 1.25, -v * 1.25 + 0.15);
                let r = x * x + y * y - 1.0;
                r * r * r - x * x * y * y * y <= 0.0
            }
        }
    }

    /// Coverage of each pixel in [0, 1], from 3×3 samples inside it (anti-aliasing).
    fn coverage(&self, width: usize, height: usize) -> Vec<f32> {
        let (sin, cos) = self.rotation.sin_cos();
        let mut out = vec![0.0; width * height];
        for row in 0..height {
            for col in 0..width {
                let mut hits = 0;
                for sy in 0..3 {
                    for sx in 0..3 {
                        let dx = col as f32 + (sx as f32 + 0.5) / 3.0 - self.x;
                        let dy = row as f32 + (sy as f32 + 0.5) / 3.0 - self.y;
                        // Rotate the pixel back into the shape's frame, then scale.
                        let u = (cos * dx + sin * dy) / self.scale;
                        let v = (-sin * dx + cos * dy) / self.scale;
                        hits += self.contains(u, v) as u32;
                    }
                }
                out[row * width + col] = hits as f32 / 9.0;
            }
        }
        out
    }
}

fn generate(name: &str, count: usize, seed: u64, coloured: bool) -> Dataset {
    let shape = if coloured {
        ImageShape::COLOUR28
    } else {
        ImageShape::MNIST
    };
    let hw = shape.width * shape.height;
    let mut rng = Rng::new(seed);
    let mut images = Vec::with_capacity(count * shape.pixels());
    let mut factors = Vec::with_capacity(count);
    for _ in 0..count {
        let f = ShapeFactors::draw(&mut rng, coloured);
        let cover = f.coverage(shape.width, shape.height);
        match f.colour {
            None => images.extend_from_slice(&cover),
            Some(c) => {
                (0..3).for_each(|ch| images.extend(cover.iter().map(|a| a * COLOURS[c][ch])))
            }
        }
        factors.push(f);
    }
    debug_assert_eq!(images.len(), count * hw * shape.channels);
    let labels = factors
        .iter()
        .map(|f| SHAPE_KINDS.iter().position(|k| *k == f.kind).unwrap() as u8)
        .collect();
    Dataset::new(name, shape, images, labels, 4, Some(factors))
}

/// Grayscale 28×28 shapes; the label is the shape kind.
pub fn shapes(count: usize, seed: u64) -> Dataset {
    generate("shapes", count, seed, false)
}

/// Colour 28×28×3 shapes; the label is the shape kind.
pub fn colour_shapes(count: usize, seed: u64) -> Dataset {
    generate("colour-shapes", count, seed, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_images() {
        assert_eq!(shapes(20, 5).images(), shapes(20, 5).images());
        assert_ne!(shapes(20, 5).images(), shapes(20, 6).images());
    }

    #[test]
    fn every_image_has_a_visible_shape_inside_the_frame() {
        let d = colour_shapes(200, 1);
        assert_eq!(d.shape, ImageShape::COLOUR28);
        for i in 0..d.len() {
            let ink: f32 = d.image(i).iter().sum();
            assert!(ink > 20.0, "image {i} is nearly empty: {ink}");
            let hw = 28 * 28;
            let border: f32 = (0..28)
                .map(|k| d.image(i)[k] + d.image(i)[hw - 1 - k])
                .sum();
            assert!(border < 1.0, "image {i} touches the frame");
        }
        assert!(d.labels().iter().all(|&l| l < 4));
    }

    #[test]
    fn shapes_are_told_apart_by_area() {
        // At the same scale a square covers more than an ellipse, which covers more than a triangle.
        let area = |kind| {
            let f = ShapeFactors {
                kind,
                scale: 8.0,
                rotation: 0.0,
                x: 14.0,
                y: 14.0,
                colour: None,
            };
            f.coverage(28, 28).iter().sum::<f32>()
        };
        let (sq, el, tr, he) = (
            area(ShapeKind::Square),
            area(ShapeKind::Ellipse),
            area(ShapeKind::Triangle),
            area(ShapeKind::Heart),
        );
        assert!(sq > el && el > tr && he > 40.0, "{sq} {el} {tr} {he}");
    }
}
