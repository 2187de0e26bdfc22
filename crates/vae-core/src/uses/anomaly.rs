//! Anomaly detection: an image the model finds atypical has a high negative ELBO. Scores use
//! one fixed ε for every image (see `eval::negative_elbo_per_image`), so the same image gets
//! the same score on every run, alone or in a batch.
use crate::config::VaeConfig;
use crate::data::Dataset;
use crate::eval::negative_elbo_per_image;
use crate::model::Vae;

/// −ELBO (β = 1) of every image of `data`, in nats, in dataset order.
pub fn scores(model: &Vae, cfg: &VaeConfig, data: &Dataset) -> Vec<f32> {
    let p = cfg.image.pixels();
    (0..data.len())
        .step_by(500)
        .flat_map(|start| {
            let end = (start + 500).min(data.len());
            negative_elbo_per_image(
                model,
                cfg,
                &data.images()[start * p..end * p],
                &data.labels()[start..end],
            )
        })
        .collect()
}

/// The value below which a fraction `q` (0–1) of `scores` lie (nearest rank).
pub fn percentile(scores: &[f32], q: f32) -> f32 {
    if scores.is_empty() {
        return f32::NAN;
    }
    let mut sorted = scores.to_vec();
    sorted.sort_by(f32::total_cmp);
    let rank = ((q.clamp(0.0, 1.0) * sorted.len() as f32).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// The area under the ROC curve for telling `anomalies` from `normal` by score (higher = more
/// anomalous): the chance that a random anomaly outscores a random normal image, ties counting
/// half (the Mann–Whitney U statistic). 0.5 is chance, 1 perfect. None when a side is empty.
pub fn roc_auc(anomalies: &[f32], normal: &[f32]) -> Option<f32> {
    if anomalies.is_empty() || normal.is_empty() {
        return None;
    }
    let mut all: Vec<(f32, bool)> = anomalies
        .iter()
        .map(|&s| (s, true))
        .chain(normal.iter().map(|&s| (s, false)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Sum of the anomalies' ranks (1-based), ties sharing their mean rank.
    let (mut rank_sum, mut i) = (0.0f64, 0);
    while i < all.len() {
        let j = (i..all.len())
            .find(|&j| all[j].0 != all[i].0)
            .unwrap_or(all.len());
        let mean_rank = (i + 1 + j) as f64 / 2.0;
        rank_sum += mean_rank * all[i..j].iter().filter(|(_, a)| *a).count() as f64;
        i = j;
    }
    let (m, n) = (anomalies.len() as f64, normal.len() as f64);
    Some(((rank_sum - m * (m + 1.0) / 2.0) / (m * n)) as f32)
}

/// Splits scores into those of class `class` (the anomalies) and the rest.
pub fn split_by_class(scores: &[f32], labels: &[u8], class: u8) -> (Vec<f32>, Vec<f32>) {
    let (mut anomalies, mut normal) = (Vec::new(), Vec::new());
    for (&s, &l) in scores.iter().zip(labels) {
        if l == class {
            anomalies.push(s)
        } else {
            normal.push(s)
        }
    }
    (anomalies, normal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_is_the_chance_an_anomaly_outscores_a_normal_image() {
        assert_eq!(roc_auc(&[5.0, 6.0], &[1.0, 2.0]), Some(1.0));
        assert_eq!(roc_auc(&[1.0, 2.0], &[5.0, 6.0]), Some(0.0));
        assert_eq!(roc_auc(&[3.0], &[3.0]), Some(0.5), "ties count half");
        // 3 > 1, 3 > 2, 3 < 4; 0 below all: 2 of 6 pairs.
        assert!((roc_auc(&[3.0, 0.0], &[1.0, 2.0, 4.0]).unwrap() - 1.0 / 3.0).abs() < 1e-6);
        assert_eq!(roc_auc(&[], &[1.0]), None);
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let s: Vec<f32> = (1..=100).map(|v| v as f32).collect();
        assert_eq!(
            (
                percentile(&s, 0.99),
                percentile(&s, 0.5),
                percentile(&s, 0.0)
            ),
            (99.0, 50.0, 1.0)
        );
        assert!(percentile(&[], 0.5).is_nan());
    }
}
