//! The applications' views (see vae-core's `uses`): completion, anomaly scores, style transfer
//! and exported samples, computed from the Lab's current weights.
use crate::lab::Lab;
use crate::views::Picture;
use vae_core::image::grid_rgba;
use vae_core::rng::Rng;
use vae_core::uses::anomaly::{roc_auc, scores, split_by_class};
use vae_core::uses::completion::{
    average, complete_one, fill_hidden, masked_error, mean_image, MaskPreset,
};
use vae_core::uses::export::{generate, images_idx, labels_idx, MAX_EXPORT};
use vae_core::uses::transfer::transfer_grid;
use vae_protocol::{Anchor, Mask};

/// Held-out images scored for the anomaly panel: all of the shipped 1,000.
const SCORED: usize = 1000;
/// Rows of the style-transfer picture.
const TRANSFER_ROWS: usize = 6;
/// The colour of hidden pixels in the masked input.
const HOLE: [u8; 3] = [70, 110, 200];

/// A completion: its picture and the masked-pixel errors of the chains' average and of the mean image.
pub struct CompletionView {
    pub picture: Picture,
    pub error: f32,
    pub mean_fill_error: f32,
}

/// The held-out scores and what they tell.
pub struct AnomalyView {
    pub scores: Vec<f32>,
    pub labels: Vec<u8>,
    pub auc: Option<f32>,
    pub drawn: Option<f32>,
}

/// Exported samples: IDX images and, for a conditional model, IDX labels.
pub struct Export {
    pub name: String,
    pub count: usize,
    pub images: Vec<u8>,
    pub labels: Option<Vec<u8>>,
    pub sheet: Option<Picture>,
}

impl Lab {
    /// The image (and label) an anchor names: a held-out image or the drawing.
    fn source_image(&self, source: Anchor) -> Result<(Vec<f32>, u8), String> {
        match source {
            Anchor::HeldOut(i) if i < self.test.len() => {
                Ok((self.test.image(i).to_vec(), self.test.labels()[i]))
            }
            Anchor::HeldOut(i) => Err(format!(
                "there are {} held-out images; #{i} does not exist",
                self.test.len()
            )),
            Anchor::Drawn => self
                .drawing
                .clone()
                .map(|d| (d, 0))
                .ok_or_else(|| "there is no drawing yet: draw on the pad first".into()),
            Anchor::Origin => Err("a completion needs an image".into()),
        }
    }

    /// Hides `mask` of the source image and fills it: `chains` fillings side by side.
    pub fn completion(
        &mut self,
        source: Anchor,
        mask: &Mask,
        iterations: usize,
        chains: usize,
    ) -> Result<CompletionView, String> {
        let shape = self.config().image;
        let hidden = match mask {
            Mask::Preset(name) => MaskPreset::from_name(name)
                .ok_or_else(|| format!("there is no mask called {name:?}"))?
                .hidden(shape),
            Mask::Painted(flags) if flags.len() == shape.width * shape.height => flags.clone(),
            Mask::Painted(flags) => {
                return Err(format!(
                    "a painted mask needs {} flags, got {}",
                    shape.width * shape.height,
                    flags.len()
                ))
            }
        };
        if !hidden.iter().any(|h| *h) {
            return Err(
                "nothing is hidden: paint over part of the image or choose a preset".into(),
            );
        }
        let (iterations, chains) = (iterations.clamp(1, 100), chains.clamp(1, 16));
        let (image, label) = self.source_image(source)?;
        let train = &self.train;
        let fill = self
            .mean_image
            .get_or_insert_with(|| mean_image(train))
            .clone();
        let (model, config) = (self.model().clone(), self.config().clone());
        let done = complete_one(
            &model,
            &config,
            &image,
            label,
            &hidden,
            &fill,
            iterations,
            chains,
            &mut Rng::new(0xF111),
        );
        let p = shape.pixels();
        let mean_of_chains = average(&done, p);
        let error = masked_error(&image, &mean_of_chains, &hidden, p);
        let mean_fill_error =
            masked_error(&image, &fill_hidden(&image, &hidden, &fill), &hidden, p);
        // original | masked | chain 1 … chain k | their average
        let mut cells = image.clone();
        cells.extend(fill_hidden(&image, &hidden, &vec![0.0; p]));
        cells.extend(&done);
        cells.extend(&mean_of_chains);
        let (w, h, mut rgba) = grid_rgba(&cells, shape, chains + 3, 2);
        for (i, _) in hidden.iter().enumerate().filter(|(_, h)| **h) {
            let (x, y) = (shape.width + 2 + i % shape.width, i / shape.width);
            rgba[(y * w + x) * 4..(y * w + x) * 4 + 3].copy_from_slice(&HOLE);
        }
        Ok(CompletionView {
            picture: (w, h, rgba),
            error,
            mean_fill_error,
        })
    }

    /// −ELBO of the held-out images; with a class left out, the AUC of telling it from the rest.
    pub fn anomaly(&mut self) -> AnomalyView {
        let n = self.test.len().min(SCORED);
        let (model, config) = (self.model().clone(), self.config().clone());
        let (held_out, _) = self.test.split_at(n);
        let scores = scores(&model, &config, &held_out);
        let labels = held_out.labels().to_vec();
        let auc = self.settings.leave_out.and_then(|class| {
            let (anomalies, normal) = split_by_class(&scores, &labels, class);
            roc_auc(&anomalies, &normal)
        });
        let drawn = self
            .drawing
            .as_ref()
            .map(|d| vae_core::eval::negative_elbo_per_image(&model, &config, d, &[0])[0]);
        AnomalyView {
            scores,
            labels,
            auc,
            drawn,
        }
    }

    /// The drawing (if any) and held-out images, each followed by its code decoded with every
    /// class. None for a model that is not conditional.
    pub fn style_transfer(&mut self) -> Option<Picture> {
        let (model, config) = (self.model().clone(), self.config().clone());
        if config.num_classes == 0 {
            return None;
        }
        let p = config.image.pixels();
        let mut images = Vec::new();
        let mut labels = Vec::new();
        if let Some(d) = &self.drawing {
            images.extend(d);
            labels.push(0);
        }
        let n = (TRANSFER_ROWS - labels.len()).min(self.test.len());
        images.extend(&self.test.images()[..n * p]);
        labels.extend(&self.test.labels()[..n]);
        transfer_grid(&model, &config, &images, &labels)
    }

    /// `count` prior samples as IDX files or as one picture sheet.
    pub fn export(
        &mut self,
        count: usize,
        temperature: f32,
        class: Option<u8>,
        sheet: bool,
    ) -> Result<Export, String> {
        if count == 0 || count > MAX_EXPORT {
            return Err(format!(
                "export between 1 and {MAX_EXPORT} samples, not {count}"
            ));
        }
        if !(0.05..=5.0).contains(&temperature) {
            return Err(format!("a temperature of {temperature} is outside 0.05–5"));
        }
        let (model, config) = (self.model().clone(), self.config().clone());
        let class = class.filter(|_| config.num_classes > 0);
        if let Some(c) = class.filter(|&c| usize::from(c) >= config.num_classes) {
            return Err(format!(
                "class {c} does not exist: the model knows {} classes",
                config.num_classes
            ));
        }
        let (pixels, labels) = generate(
            &model,
            &config,
            count,
            temperature,
            class,
            self.settings.seed ^ 0xE4_907,
        );
        let s = &self.settings;
        let of_class = class.map(|c| format!("-class{c}")).unwrap_or_default();
        let name = format!(
            "vae-samples-{}-z{}-T{temperature}{of_class}-n{count}-step{}",
            s.dataset,
            s.latent_dim,
            self.trainer.steps_done()
        );
        let columns = (count as f32).sqrt().ceil() as usize;
        Ok(Export {
            name,
            count,
            sheet: sheet.then(|| grid_rgba(&pixels, config.image, columns, 0)),
            images: if sheet {
                Vec::new()
            } else {
                images_idx(&pixels, &config)
            },
            labels: (!sheet && config.num_classes > 0).then(|| labels_idx(&labels)),
        })
    }
}
