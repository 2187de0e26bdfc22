//! The views the page draws, computed from the Lab's current weights. Each returns plain data
//! (RGBA grids, points, codes); the session wraps them in events.
use crate::lab::Lab;
use vae_core::drawing::digitize;
use vae_core::eval::negative_elbo_per_image;
use vae_core::image::grid_rgba;
use vae_core::latent::{decode, encode, posterior_samples};
use vae_core::pca::Pca2;
use vae_core::rng::Rng;
use vae_core::views::{
    dims_by_kl, interpolation_strip, manifold_grid, reconstruction_grid, sample_grid,
    traversal_grid,
};
use vae_protocol::{Anchor, MapAxes, Twin};

/// RGBA pixels with their width and height.
pub type Picture = (usize, usize, Vec<u8>);

/// Held-out images shown beside their reconstructions: 4 pairs of rows of 8.
const RECON_SHOWN: usize = 32;
/// Cells per side of the manifold grid.
const MANIFOLD_SIDE: usize = 15;
/// Decodes per traversal row and per interpolation path.
const TRAVERSAL_STEPS: usize = 9;
const INTERPOLATION_STEPS: usize = 10;
/// Draws z ~ q(z|x) shown for a drawing.
const POSTERIOR_DRAWS: usize = 8;
/// Held-out points on the latent map: all of the 1,000 of the shipped sets.
const MAP_POINTS: usize = 1000;

/// A latent map: points (x, y pairs), their labels, and what the axes are.
pub struct LatentMap {
    pub axes: MapAxes,
    pub points: Vec<f32>,
    pub labels: Vec<u8>,
}

/// The encoder's verdict on the student's drawing.
pub struct DrawnView {
    pub mu: Vec<f32>,
    pub log_var: Vec<f32>,
    pub neg_elbo: f32,
    pub point: [f32; 2],
    /// The preprocessed drawing beside decoder(μ).
    pub recon: Picture,
    /// decoder(z) for draws z ~ q(z|x).
    pub samples: Picture,
}

impl Lab {
    /// 8×8 decodes of the fixed prior noise at temperature T (z = T·ε), by the VAE or its twin.
    pub fn samples(&mut self, temperature: f32, twin: Twin) -> Option<Picture> {
        let z: Vec<f32> = self.sample_eps.iter().map(|e| e * temperature).collect();
        let config = self.config().clone();
        let model = match twin {
            Twin::Vae => self.model().clone(),
            Twin::Autoencoder => self.twin_model()?.clone(),
        };
        Some(sample_grid(&model, &config, &z))
    }

    /// Held-out inputs above their reconstructions (decoded from μ).
    pub fn reconstructions(&mut self) -> Picture {
        let model = self.model().clone();
        reconstruction_grid(&model, self.config(), &self.test, RECON_SHOWN)
    }

    /// One latent vector decoded.
    pub fn decode_one(&mut self, z: &[f32], class: u8) -> Result<Picture, String> {
        let dim = self.config().latent_dim;
        if z.len() != dim || z.iter().any(|v| !v.is_finite()) {
            return Err(format!(
                "a latent vector needs {dim} finite numbers, got {}",
                z.len()
            ));
        }
        let model = self.model().clone();
        let pixels = decode(&model, self.config(), z, &[class]);
        Ok(grid_rgba(&pixels, self.config().image, 1, 0))
    }

    /// The posterior of held-out image `index`: (label, μ, log σ², the image).
    pub fn posterior(&mut self, index: usize) -> Result<(u8, Vec<f32>, Vec<f32>, Picture), String> {
        if index >= self.test.len() {
            return Err(format!(
                "there are {} held-out images; #{index} does not exist",
                self.test.len()
            ));
        }
        let model = self.model().clone();
        let (image, label) = (self.test.image(index), self.test.labels()[index]);
        let (mu, log_var) = encode(&model, self.config(), image, &[label]);
        Ok((
            label,
            mu,
            log_var,
            grid_rgba(image, self.config().image, 1, 0),
        ))
    }

    /// The held-out images shown on the map, as RGBA one after another.
    pub fn held_out_pictures(&self) -> Picture {
        let n = self.test.len().min(MAP_POINTS);
        let (w, h) = (self.test.shape.width, self.test.shape.height);
        let mut rgba = Vec::with_capacity(n * w * h * 4);
        for i in 0..n {
            rgba.extend(vae_core::image::to_rgba(
                self.test.image(i),
                self.test.shape,
            ));
        }
        (w, h, rgba)
    }

    /// Held-out μ on a plane: the latent axes for 1 or 2 dimensions, else a PCA whose axes keep
    /// their orientation from the previous frame.
    pub fn latent_map(&mut self, twin: Twin) -> Option<LatentMap> {
        let n = self.test.len().min(MAP_POINTS);
        let config = self.config().clone();
        let model = match twin {
            Twin::Vae => self.model().clone(),
            Twin::Autoencoder => self.twin_model()?.clone(),
        };
        let p = config.image.pixels();
        let labels = self.test.labels()[..n].to_vec();
        let (mu, _) = encode(&model, &config, &self.test.images()[..n * p], &labels);
        let dim = config.latent_dim;
        let slot = &mut self.planes[twin as usize];
        let (axes, points) = match dim {
            1 => {
                let spread =
                    |l: u8| -2.0 + 4.0 * l as f32 / (self.test.num_classes.max(2) - 1) as f32;
                (
                    MapAxes::OneDimension,
                    mu.iter()
                        .zip(&labels)
                        .flat_map(|(&z, &l)| [z, spread(l)])
                        .collect(),
                )
            }
            2 => (MapAxes::Latent, mu),
            _ => {
                let plane = Pca2::fit(&mu, dim, slot.as_ref());
                let points = mu.chunks(dim).flat_map(|z| plane.project(z)).collect();
                let axes = MapAxes::Pca {
                    explained: plane.explained,
                };
                *slot = Some(plane);
                (axes, points)
            }
        };
        Some(LatentMap {
            axes,
            points,
            labels,
        })
    }

    /// The latent vector at map point (x, y) of the VAE's or the twin's map.
    pub fn pick(&mut self, twin: Twin, x: f32, y: f32) -> Result<Vec<f32>, String> {
        match self.config().latent_dim {
            1 => Ok(vec![x]),
            2 => Ok(vec![x, y]),
            _ => {
                if self.planes[twin as usize].is_none() {
                    self.latent_map(twin)
                        .ok_or("the autoencoder twin is not training")?;
                }
                Ok(self.planes[twin as usize]
                    .as_ref()
                    .expect("fitted above")
                    .back_project([x, y]))
            }
        }
    }

    /// The k×k manifold of a 2-D latent space; None for other sizes.
    pub fn manifold(&mut self, class: u8) -> Option<Picture> {
        (self.config().latent_dim == 2).then(|| {
            let model = self.model().clone();
            manifold_grid(&model, self.config(), MANIFOLD_SIDE, class)
        })
    }

    /// The code a view is anchored at.
    pub fn anchor_code(&mut self, anchor: Anchor) -> Vec<f32> {
        let dim = self.config().latent_dim;
        match anchor {
            Anchor::HeldOut(i) if i < self.test.len() => self
                .posterior(i)
                .map(|(_, mu, _, _)| mu)
                .unwrap_or(vec![0.0; dim]),
            Anchor::Drawn => match self.drawing.clone() {
                Some(image) => {
                    let model = self.model().clone();
                    encode(&model, self.config(), &image, &[0]).0
                }
                None => vec![0.0; dim],
            },
            _ => vec![0.0; dim],
        }
    }

    /// Traversals through the anchor's code, one row per dimension, most informative first.
    /// Returns the picture and the rows' (dimension, held-out KL).
    pub fn traversals(&mut self, anchor: Anchor, class: u8) -> (Picture, Vec<(usize, f32)>) {
        if self.held_out_kl.len() != self.config().latent_dim {
            self.evaluate_held_out();
        }
        let order = dims_by_kl(&self.held_out_kl);
        let base = self.anchor_code(anchor);
        let model = self.model().clone();
        let picture = traversal_grid(&model, self.config(), &base, &order, TRAVERSAL_STEPS, class);
        (
            picture,
            order.iter().map(|&d| (d, self.held_out_kl[d])).collect(),
        )
    }

    /// Linear and spherical paths between two anchors' codes.
    pub fn interpolation(&mut self, from: Anchor, to: Anchor, class: u8) -> Picture {
        let (a, b) = (self.anchor_code(from), self.anchor_code(to));
        let model = self.model().clone();
        interpolation_strip(&model, self.config(), &a, &b, INTERPOLATION_STEPS, class)
    }

    /// Keeps a drawing (`width × height` bytes, ink high) preprocessed like MNIST digits.
    pub fn set_drawing(&mut self, bytes: &[u8], width: usize, height: usize) -> Result<(), String> {
        if width == 0
            || height == 0
            || width > 1024
            || height > 1024
            || bytes.len() != width * height
        {
            return Err(format!("a drawing must be width × height bytes (at most 1024 × 1024); got {} bytes for {width} × {height}", bytes.len()));
        }
        let shape = self.config().image;
        if (shape.width, shape.height) != (28, 28) {
            return Err(format!(
                "drawings are made 28 × 28 like MNIST; this model reads {} × {} images",
                shape.width, shape.height
            ));
        }
        let pixels: Vec<f32> = bytes.iter().map(|&b| b as f32 / 255.0).collect();
        let digit =
            digitize(&pixels, width, height).ok_or("the pad is empty: draw something first")?;
        // Colour models see the white stroke in every channel.
        self.drawing = Some(
            digit
                .iter()
                .copied()
                .cycle()
                .take(digit.len() * shape.channels)
                .collect(),
        );
        Ok(())
    }

    /// The drawing's posterior, −ELBO, point on the map, reconstruction and posterior samples.
    pub fn drawn(&mut self) -> Option<DrawnView> {
        let image = self.drawing.clone()?;
        let model = self.model().clone();
        let config = self.config().clone();
        let (mu, log_var) = encode(&model, &config, &image, &[0]);
        let neg_elbo = negative_elbo_per_image(&model, &config, &image, &[0])[0];
        let point = match (config.latent_dim, &self.planes[0]) {
            (1, _) => [mu[0], 0.0],
            (2, _) => [mu[0], mu[1]],
            (_, Some(plane)) => plane.project(&mu),
            _ => [0.0, 0.0],
        };
        let mut side_by_side = image.clone();
        side_by_side.extend(decode(&model, &config, &mu, &[0]));
        let recon = grid_rgba(&side_by_side, config.image, 2, 2);
        let draws = posterior_samples(&mut Rng::new(0xD2A3), &mu, &log_var, POSTERIOR_DRAWS);
        let samples = grid_rgba(
            &decode(&model, &config, &draws, &[0; POSTERIOR_DRAWS]),
            config.image,
            POSTERIOR_DRAWS,
            2,
        );
        Some(DrawnView {
            mu,
            log_var,
            neg_elbo,
            point,
            recon,
            samples,
        })
    }
}
