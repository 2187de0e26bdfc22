//! The latent map's geometry, free of the DOM so it is tested natively: the data range a map
//! shows, data ↔ canvas coordinates, the point under the pointer, and the class colours.
use vae_protocol::views::CLASS_COLOURS;
use vae_protocol::MapAxes;

/// Cells per side of the worker's manifold grid and the span of their centres (±3): a 2-D map
/// shows ±(3 + half a cell) so that it lines up with the manifold picture beside it.
const MANIFOLD_SIDE: f32 = 15.0;
const LATENT_RANGE: f32 = 3.0;

/// The CSS colour of a class (the palette vae-cli's map uses too).
pub fn class_colour(label: u8) -> String {
    let [r, g, b] = CLASS_COLOURS[label as usize % CLASS_COLOURS.len()];
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// A square plot: data x, y in [−half, half] on a `size`-pixel square inside `margin`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MapScale {
    pub half: f32,
    pub left: f32,
    pub top: f32,
    pub size: f32,
}

impl MapScale {
    /// The range for these axes: fixed for latent axes (aligned with the manifold), from the
    /// points themselves for a PCA (the 98th percentile of |coordinate|, so a few outliers do
    /// not shrink the cloud to a dot).
    pub fn for_points(axes: &MapAxes, points: &[f32], left: f32, top: f32, size: f32) -> Self {
        let half = match axes {
            MapAxes::Latent | MapAxes::OneDimension => {
                LATENT_RANGE * (1.0 + 1.0 / (MANIFOLD_SIDE - 1.0))
            }
            MapAxes::Pca { .. } => {
                let mut abs: Vec<f32> = points
                    .iter()
                    .map(|v| v.abs())
                    .filter(|v| v.is_finite())
                    .collect();
                abs.sort_by(f32::total_cmp);
                let p98 = abs
                    .get((abs.len() as f32 * 0.98) as usize)
                    .or(abs.last())
                    .copied()
                    .unwrap_or(1.0);
                (p98 * 1.1).max(0.1)
            }
        };
        Self {
            half,
            left,
            top,
            size,
        }
    }

    pub fn to_canvas(&self, x: f32, y: f32) -> (f32, f32) {
        let s = self.size / (2.0 * self.half);
        (
            self.left + (x + self.half) * s,
            self.top + (self.half - y) * s,
        )
    }

    pub fn to_data(&self, px: f32, py: f32) -> (f32, f32) {
        let s = self.size / (2.0 * self.half);
        (
            (px - self.left) / s - self.half,
            self.half - (py - self.top) / s,
        )
    }

    pub fn contains(&self, px: f32, py: f32) -> bool {
        (self.left..=self.left + self.size).contains(&px)
            && (self.top..=self.top + self.size).contains(&py)
    }
}

/// The index of the point nearest the canvas position (px, py), if one is within `radius` pixels.
pub fn nearest(points: &[f32], scale: &MapScale, px: f32, py: f32, radius: f32) -> Option<usize> {
    points
        .chunks(2)
        .enumerate()
        .map(|(i, p)| {
            let (x, y) = scale.to_canvas(p[0], p[1]);
            (i, (x - px).powi(2) + (y - py).powi(2))
        })
        .filter(|(_, d)| *d <= radius * radius)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// The axis labels for these axes.
pub fn axis_labels(axes: &MapAxes) -> (String, String) {
    match axes {
        MapAxes::Latent => ("z₁".into(), "z₂".into()),
        MapAxes::OneDimension => ("z₁".into(), "class (spread for reading)".into()),
        MapAxes::Pca { explained } => (
            format!("PCA 1 of μ ({:.0} % of variance)", 100.0 * explained[0]),
            format!("PCA 2 ({:.0} %)", 100.0 * explained[1]),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_have_css_colours() {
        assert_eq!(class_colour(0), "#4e79a7");
        assert_eq!(
            class_colour(10),
            class_colour(0),
            "more classes repeat the palette"
        );
    }

    #[test]
    fn data_and_canvas_coordinates_invert_each_other() {
        let s = MapScale::for_points(&MapAxes::Latent, &[], 30.0, 10.0, 300.0);
        let (px, py) = s.to_canvas(1.0, -2.0);
        let (x, y) = s.to_data(px, py);
        assert!((x - 1.0).abs() < 1e-5 && (y + 2.0).abs() < 1e-5);
        assert_eq!(
            s.to_canvas(0.0, 0.0),
            (180.0, 160.0),
            "the origin is the centre"
        );
        assert!(s.to_canvas(0.0, 1.0).1 < 160.0, "y points up");
    }

    #[test]
    fn a_2d_map_lines_up_with_the_manifold_cells() {
        // The manifold's first cell centre (−3) sits half a cell in from the edge.
        let s = MapScale::for_points(&MapAxes::Latent, &[], 0.0, 0.0, 15.0);
        assert!(
            (s.to_canvas(-3.0, 3.0).0 - 0.5).abs() < 1e-4
                && (s.to_canvas(-3.0, 3.0).1 - 0.5).abs() < 1e-4
        );
    }

    #[test]
    fn pca_range_follows_the_points_but_not_outliers() {
        let mut points: Vec<f32> = (0..200).map(|i| (i % 10) as f32 / 10.0 - 0.5).collect();
        points.extend([50.0, -50.0]);
        let s = MapScale::for_points(
            &MapAxes::Pca {
                explained: [0.5, 0.2],
            },
            &points,
            0.0,
            0.0,
            100.0,
        );
        assert!(s.half < 1.0, "{}", s.half);
    }

    #[test]
    fn nearest_finds_the_point_under_the_pointer() {
        let s = MapScale::for_points(&MapAxes::Latent, &[], 0.0, 0.0, 100.0);
        let points = [0.0, 0.0, 2.0, 2.0, -2.0, 1.0];
        let (px, py) = s.to_canvas(1.9, 2.1);
        assert_eq!(nearest(&points, &s, px, py, 8.0), Some(1));
        let (px, py) = s.to_canvas(-3.0, -3.0);
        assert_eq!(nearest(&points, &s, px, py, 8.0), None, "nothing near");
    }
}
