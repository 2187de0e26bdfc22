//! The VAE beside a plain autoencoder (its β = 0 twin, trained on the same batches): prior
//! samples and latent maps side by side.
use super::latent_map::{HeldOut, LatentMap};
use crate::canvas::{draw_rgba, message};
use crate::ctx::Ctx;
use crate::dom::{el, listen, set_text};
use std::cell::RefCell;
use std::rc::Rc;
use vae_protocol::{MapAxes, Progress, Twin};
use web_sys::HtmlInputElement;

pub struct Compare {
    vae_map: Rc<LatentMap>,
    ae_map: Rc<LatentMap>,
}

impl Compare {
    pub fn new(ctx: Rc<Ctx>, held_out: Rc<RefCell<HeldOut>>) -> Self {
        let c = ctx.clone();
        listen("ae-compare", "change", move |_| c.views_changed());
        let panel = Self {
            vae_map: LatentMap::new(ctx.clone(), "compare-vae-map", Twin::Vae, held_out.clone(), None),
            ae_map: LatentMap::new(ctx, "ae-latent-map", Twin::Autoencoder, held_out, None),
        };
        panel.on_model();
        panel
    }

    pub fn on(&self) -> bool {
        el::<HtmlInputElement>("ae-compare").checked()
    }

    pub fn on_model(&self) {
        self.vae_map.on_model();
        self.ae_map.on_model();
        let why = "Tick “Train an autoencoder beside the VAE” to compare.";
        for id in ["compare-vae-samples", "ae-samples"] {
            message(id, why);
        }
        message("ae-latent-map", why);
        message("compare-vae-map", why);
    }

    pub fn on_samples(&self, twin: Twin, width: usize, height: usize, rgba: &[u8]) {
        draw_rgba(if twin == Twin::Vae { "compare-vae-samples" } else { "ae-samples" }, width, height, rgba);
    }

    pub fn on_map(&self, twin: Twin, axes: MapAxes, points: Vec<f32>, labels: Vec<u8>, num_classes: usize) {
        let map = if twin == Twin::Vae { &self.vae_map } else { &self.ae_map };
        map.on_map(axes, points, labels, num_classes);
    }

    pub fn on_progress(&self, p: &Progress) {
        let text = match &p.twin {
            Some(t) if t.total > 0.0 => crate::language::t_fill(
                "Last batches — VAE: reconstruction {recon} + KL {kl} nats · autoencoder: reconstruction {ae_recon} nats (KL {ae_kl}, unweighted)",
                &[("recon", format!("{:.1}", p.train.recon)), ("kl", format!("{:.1}", p.train.kl)), ("ae_recon", format!("{:.1}", t.recon)), ("ae_kl", format!("{:.0}", t.kl))],
            ),
            Some(_) => crate::language::t("The autoencoder is ready: press Train and watch both."),
            None => String::new(),
        };
        set_text("ae-status", &text);
    }
}
