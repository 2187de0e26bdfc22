//! Which views the page shows. The page tells the worker which panels are open (`Views`); the
//! worker computes only those, on its image ticks, so closed panels cost training nothing.
use serde::{Deserialize, Serialize};

/// The picture an Image event holds: one per canvas that shows model output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum View {
    /// 8×8 decodes of a fixed batch of z ~ N(0, T²·I).
    Samples,
    /// Held-out inputs (odd rows) above their reconstructions (even rows).
    Reconstructions,
    /// One decoded latent vector (the sliders' view).
    Decoded,
    /// The held-out image whose posterior was asked for.
    Input,
    /// A K×K grid of decodes over z₁, z₂ ∈ [−3, 3] (2 latent dimensions).
    Manifold,
    /// One row per latent dimension as it sweeps −3…3.
    Traversals,
    /// Linear (top) and spherical (bottom) paths between two codes.
    Interpolation,
    /// The drawing after MNIST-style preprocessing, beside decoder(μ) of it.
    DrawRecon,
    /// Decodes of 8 draws z ~ q(z|x) for the drawing.
    PosteriorSamples,
    /// The autoencoder twin's decodes of the same prior noise as `Samples`.
    AeSamples,
    /// One completion: the original, the masked input, each chain's filling, their average.
    Completion,
    /// Rows of a held-out image (or the drawing) followed by its code decoded with every class.
    StyleTransfer,
    /// The exported samples as one sheet, for the PNG download.
    ExportSheet,
}

/// Which of the two models a view shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Twin {
    #[default]
    Vae,
    /// The β = 0 twin trained beside the VAE on the same batches.
    Autoencoder,
}

/// What a latent map's axes are.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum MapAxes {
    /// The latent space has 2 dimensions: x is z₁, y is z₂.
    Latent,
    /// The first two principal components of held-out μ, with the share of variance of each.
    Pca { explained: [f32; 2] },
    /// One latent dimension: x is z₁, y spreads the points by their class.
    OneDimension,
}

/// A code to anchor a view at: the prior's mean, a held-out image's μ, or the drawing's μ.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum Anchor {
    #[default]
    Origin,
    HeldOut(usize),
    Drawn,
}

/// The open panels and what they ask for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Views {
    /// The training section: samples and reconstructions.
    pub training: bool,
    pub latent_map: bool,
    pub manifold: bool,
    /// Traversals through this anchor's code.
    pub traversals: Option<Anchor>,
    pub interpolation: Option<[Anchor; 2]>,
    /// The drawing's reconstruction and posterior samples.
    pub drawing: bool,
    /// Train the autoencoder twin beside the VAE.
    pub compare: bool,
    /// The comparison panel is open: send both models' samples and latent maps.
    pub compare_open: bool,
    /// Temperature T of the prior sample grid: z ~ N(0, T²·I).
    pub temperature: f32,
    /// The class decoded by conditional models in the manifold, traversals and interpolation.
    pub class: u8,
    /// Scores of the held-out images (and the drawing) for the anomaly panel.
    pub anomaly: bool,
    /// Style transfer rows (conditional models).
    pub transfer: bool,
}

impl Default for Views {
    /// What the page shows when it opens: the training section.
    fn default() -> Self {
        Self {
            training: true,
            latent_map: false,
            manifold: false,
            traversals: None,
            interpolation: None,
            drawing: false,
            compare: false,
            compare_open: false,
            temperature: 1.0,
            class: 0,
            anomaly: false,
            transfer: false,
        }
    }
}

impl Views {
    /// Nothing shown (a hidden page): training goes on, the twin too if it trains, but no view
    /// is computed.
    pub fn none(&self) -> Views {
        Views {
            training: false,
            compare_open: false,
            ..Views {
                compare: self.compare,
                temperature: self.temperature,
                class: self.class,
                ..Views::default()
            }
        }
    }
}

/// What to hide of an image before completing it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Mask {
    /// top-half, bottom-half, left-half, right-half or centre-square.
    Preset(String),
    /// One flag per pixel position (row-major), true where hidden: the student's own brush.
    Painted(Vec<bool>),
}

/// The range of the sample grid's temperature.
pub const TEMPERATURE_RANGE: (f32, f32) = (0.3, 1.5);

/// The colour of each class on latent maps (Tableau 10), shared by the page and vae-cli so both
/// pictures read the same; more classes repeat them.
pub const CLASS_COLOURS: [[u8; 3]; 10] = [
    [0x4e, 0x79, 0xa7],
    [0xf2, 0x8e, 0x2b],
    [0xe1, 0x57, 0x59],
    [0x76, 0xb7, 0xb2],
    [0x59, 0xa1, 0x4f],
    [0xed, 0xc9, 0x48],
    [0xb0, 0x7a, 0xa1],
    [0xff, 0x9d, 0xa7],
    [0x9c, 0x75, 0x5f],
    [0xba, 0xb0, 0xac],
];
