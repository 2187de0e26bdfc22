//! The page's sections (tabs) and the worker views each one needs: a closed section costs
//! training nothing. Free of the DOM so it is tested natively.
use vae_protocol::{Anchor, Views};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Train,
    Latent,
    Dimensions,
    Compare,
    /// What a VAE is for: completion, anomaly detection, style transfer, new data.
    Apply,
}

impl Section {
    pub const ALL: [Section; 5] = [
        Section::Train,
        Section::Latent,
        Section::Dimensions,
        Section::Compare,
        Section::Apply,
    ];

    /// The `data-section` name in index.html.
    pub fn name(self) -> &'static str {
        match self {
            Section::Train => "train",
            Section::Latent => "latent",
            Section::Dimensions => "dimensions",
            Section::Compare => "compare",
            Section::Apply => "apply",
        }
    }

    pub fn from_name(name: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// What the open panels' controls ask for.
#[derive(Clone, Debug, PartialEq)]
pub struct PanelChoices {
    pub temperature: f32,
    pub traversal_anchor: Anchor,
    pub interpolation: [Anchor; 2],
    pub compare: bool,
    pub class: u8,
}

/// The views the worker should compute while `section` is open.
pub fn views_for(section: Section, c: &PanelChoices) -> Views {
    let open = |s: Section| section == s;
    Views {
        training: open(Section::Train),
        latent_map: open(Section::Latent),
        drawing: open(Section::Latent),
        manifold: open(Section::Dimensions),
        traversals: open(Section::Dimensions).then_some(c.traversal_anchor),
        interpolation: open(Section::Compare).then_some(c.interpolation),
        // The twin keeps training while its toggle is on, whichever section is open: switching
        // tabs must not reset a race the student started.
        compare: c.compare,
        compare_open: open(Section::Compare),
        temperature: c.temperature,
        class: c.class,
        anomaly: open(Section::Apply),
        transfer: open(Section::Apply),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choices() -> PanelChoices {
        PanelChoices {
            temperature: 0.8,
            traversal_anchor: Anchor::HeldOut(2),
            interpolation: [Anchor::HeldOut(0), Anchor::Drawn],
            compare: false,
            class: 0,
        }
    }

    #[test]
    fn each_section_opens_only_its_views() {
        let train = views_for(Section::Train, &choices());
        assert!(
            train.training
                && !train.latent_map
                && !train.manifold
                && train.traversals.is_none()
                && train.interpolation.is_none()
        );
        let dims = views_for(Section::Dimensions, &choices());
        assert!(!dims.training && dims.manifold && dims.traversals == Some(Anchor::HeldOut(2)));
        let latent = views_for(Section::Latent, &choices());
        assert!(latent.latent_map && latent.drawing && !latent.training);
        let compare = views_for(Section::Compare, &choices());
        assert_eq!(
            compare.interpolation,
            Some([Anchor::HeldOut(0), Anchor::Drawn])
        );
        assert!(compare.compare_open && !train.compare_open);
        assert_eq!(compare.temperature, 0.8);
        let apply = views_for(Section::Apply, &choices());
        assert!(
            apply.anomaly
                && apply.transfer
                && !apply.training
                && !compare.anomaly
                && !train.transfer
        );
    }

    #[test]
    fn names_round_trip() {
        for s in Section::ALL {
            assert_eq!(Section::from_name(s.name()), Some(s));
        }
    }
}
