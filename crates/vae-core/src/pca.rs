//! A two-component PCA of latent means, for drawing a latent space of more than 2 dimensions
//! on a plane. The covariance is only latent × latent (≤ 64 × 64), so power iteration with
//! deflation is exact enough and needs no linear-algebra crate.

/// The plane through the mean of the points spanned by their two directions of largest variance.
#[derive(Clone, Debug, PartialEq)]
pub struct Pca2 {
    pub mean: Vec<f32>,
    /// Unit-length, orthogonal principal directions.
    pub axes: [Vec<f32>; 2],
    /// The share of the total variance each axis explains, in [0, 1].
    pub explained: [f32; 2],
}

impl Pca2 {
    /// Fits `points` (row-major, `dim` columns). With `previous`, each axis keeps the previous
    /// frame's orientation (an eigenvector's sign is arbitrary; a flipping map would jump).
    pub fn fit(points: &[f32], dim: usize, previous: Option<&Pca2>) -> Self {
        let n = (points.len() / dim.max(1)).max(1);
        let mut mean = vec![0.0f64; dim];
        for row in points.chunks(dim) {
            for (m, &v) in mean.iter_mut().zip(row) {
                *m += v as f64 / n as f64;
            }
        }
        let mut cov = vec![0.0f64; dim * dim]; // [dim, dim]
        for row in points.chunks(dim) {
            for i in 0..dim {
                let di = row[i] as f64 - mean[i];
                for j in 0..dim {
                    cov[i * dim + j] += di * (row[j] as f64 - mean[j]) / n as f64;
                }
            }
        }
        let total: f64 = (0..dim).map(|i| cov[i * dim + i]).sum::<f64>().max(1e-12);
        let first = top_eigenvector(&cov, dim, previous.map(|p| &p.axes[0][..]));
        let l1 = rayleigh(&cov, &first, dim);
        // Deflate: remove the first component, then find the next.
        for i in 0..dim {
            for j in 0..dim {
                cov[i * dim + j] -= l1 * first[i] * first[j];
            }
        }
        let mut second = top_eigenvector(&cov, dim, previous.map(|p| &p.axes[1][..]));
        // Keep exactly orthogonal to the first (deflation leaves rounding error).
        let d = dot(&second, &first);
        second.iter_mut().zip(&first).for_each(|(s, f)| *s -= d * f);
        normalize(&mut second);
        let l2 = rayleigh(&cov, &second, dim);
        let mut axes = [first, second];
        if let Some(p) = previous {
            for (axis, old) in axes.iter_mut().zip(&p.axes) {
                if old.len() == dim
                    && axis
                        .iter()
                        .zip(old)
                        .map(|(a, &o)| a * o as f64)
                        .sum::<f64>()
                        < 0.0
                {
                    axis.iter_mut().for_each(|a| *a = -*a);
                }
            }
        }
        let f32s = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<f32>>();
        Self {
            mean: f32s(&mean),
            axes: [f32s(&axes[0]), f32s(&axes[1])],
            explained: [(l1.max(0.0) / total) as f32, (l2.max(0.0) / total) as f32],
        }
    }

    /// Coordinates of one latent vector on the plane.
    pub fn project(&self, z: &[f32]) -> [f32; 2] {
        let centred = |axis: &[f32]| {
            z.iter()
                .zip(&self.mean)
                .zip(axis)
                .map(|((v, m), a)| (v - m) * a)
                .sum()
        };
        [centred(&self.axes[0]), centred(&self.axes[1])]
    }

    /// The latent vector at plane coordinates (x, y): mean + x·axis₁ + y·axis₂.
    pub fn back_project(&self, p: [f32; 2]) -> Vec<f32> {
        (0..self.mean.len())
            .map(|i| self.mean[i] + p[0] * self.axes[0][i] + p[1] * self.axes[1][i])
            .collect()
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn normalize(v: &mut [f64]) {
    let norm = dot(v, v).sqrt();
    if norm > 1e-30 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

fn rayleigh(m: &[f64], v: &[f64], dim: usize) -> f64 {
    dot(v, &mul(m, v, dim))
}

fn mul(m: &[f64], v: &[f64], dim: usize) -> Vec<f64> {
    (0..dim)
        .map(|i| dot(&m[i * dim..(i + 1) * dim], v))
        .collect()
}

/// Power iteration on a symmetric positive semi-definite matrix, from `start` when given.
fn top_eigenvector(m: &[f64], dim: usize, start: Option<&[f32]>) -> Vec<f64> {
    let mut v: Vec<f64> = match start {
        Some(s) if s.len() == dim && s.iter().any(|x| *x != 0.0) => {
            s.iter().map(|&x| x as f64).collect()
        }
        // Not an axis vector: an axis could be exactly orthogonal to the answer.
        _ => (0..dim).map(|i| 1.0 + 0.1 * i as f64).collect(),
    };
    normalize(&mut v);
    for _ in 0..300 {
        let mut next = mul(m, &v, dim);
        if dot(&next, &next) < 1e-30 {
            break; // no variance left: any unit vector will do
        }
        normalize(&mut next);
        let change = next
            .iter()
            .zip(&v)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        v = next;
        if change < 1e-10 {
            break;
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// Points spread 3 along (1, 1, 0)/√2, 1 along (0, 0, 1) and 0.1 along (1, −1, 0)/√2, around (5, −2, 1).
    fn cloud() -> Vec<f32> {
        let mut rng = Rng::new(3);
        let s = std::f32::consts::FRAC_1_SQRT_2;
        (0..4000)
            .flat_map(|_| {
                let (a, b, c) = (3.0 * rng.normal(), rng.normal(), 0.1 * rng.normal());
                [5.0 + s * a + s * c, -2.0 + s * a - s * c, 1.0 + b]
            })
            .collect()
    }

    #[test]
    fn recovers_the_axes_of_a_known_cloud() {
        let pca = Pca2::fit(&cloud(), 3, None);
        let s = std::f32::consts::FRAC_1_SQRT_2;
        let along = |axis: &[f32], dir: [f32; 3]| {
            axis.iter().zip(dir).map(|(a, d)| a * d).sum::<f32>().abs()
        };
        assert!(
            along(&pca.axes[0], [s, s, 0.0]) > 0.999,
            "{:?}",
            pca.axes[0]
        );
        assert!(
            along(&pca.axes[1], [0.0, 0.0, 1.0]) > 0.999,
            "{:?}",
            pca.axes[1]
        );
        assert!((pca.mean[0] - 5.0).abs() < 0.2 && (pca.mean[1] + 2.0).abs() < 0.2);
        // Variances 9, 1, 0.01 of 10.01 in all.
        assert!(
            (pca.explained[0] - 0.9).abs() < 0.02 && (pca.explained[1] - 0.1).abs() < 0.02,
            "{:?}",
            pca.explained
        );
    }

    #[test]
    fn back_projection_inverts_projection_on_the_plane() {
        let pca = Pca2::fit(&cloud(), 3, None);
        for p in [[0.0, 0.0], [1.5, -2.0], [-3.0, 0.25]] {
            let q = pca.project(&pca.back_project(p));
            assert!(
                (q[0] - p[0]).abs() < 1e-4 && (q[1] - p[1]).abs() < 1e-4,
                "{p:?} → {q:?}"
            );
        }
        // A point on the plane survives the round trip; the plane's normal is dropped.
        let z = pca.back_project([0.7, 0.3]);
        assert!(pca
            .back_project(pca.project(&z))
            .iter()
            .zip(&z)
            .all(|(a, b)| (a - b).abs() < 1e-4));
    }

    #[test]
    fn axes_keep_their_orientation_from_frame_to_frame() {
        let first = Pca2::fit(&cloud(), 3, None);
        let flipped = Pca2 {
            axes: [
                first.axes[0].iter().map(|a| -a).collect(),
                first.axes[1].clone(),
            ],
            ..first.clone()
        };
        let next = Pca2::fit(&cloud(), 3, Some(&flipped));
        assert!(
            next.axes[0]
                .iter()
                .zip(&flipped.axes[0])
                .map(|(a, b)| a * b)
                .sum::<f32>()
                > 0.99
        );
    }
}
