//! The anomaly panel's numbers: the histogram's range and bins, percentiles and shares above a
//! threshold. Free of the DOM so it is tested natively.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

/// The value below which a fraction `q` of `values` lie (nearest rank); NaN for none.
pub fn percentile(values: &[f32], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f32::total_cmp);
    let rank = ((q.clamp(0.0, 1.0) * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1] as f64
}

/// The x range of the histogram: the 0.5th to the 99.5th percentile of every score, widened to
/// take in `extra` (the drawing's score), so one wild score does not squash the rest.
pub fn range(values: &[f32], extra: Option<f32>) -> (f64, f64) {
    let (mut lo, mut hi) = (percentile(values, 0.005), percentile(values, 0.995));
    if let Some(x) = extra.filter(|x| x.is_finite()) {
        (lo, hi) = (lo.min(x as f64), hi.max(x as f64));
    }
    if hi.is_nan() || lo.is_nan() || hi <= lo {
        return (lo - 1.0, lo + 1.0);
    }
    let pad = 0.03 * (hi - lo);
    (lo - pad, hi + pad)
}

/// Counts of `values` in `bins` equal bins over [lo, hi]; values outside go to the end bins.
pub fn counts(values: &[f32], lo: f64, hi: f64, bins: usize) -> Vec<usize> {
    let mut out = vec![0; bins];
    for &v in values {
        let t = ((v as f64 - lo) / (hi - lo) * bins as f64).floor();
        out[(t.max(0.0) as usize).min(bins - 1)] += 1;
    }
    out
}

/// The fraction of `values` strictly above `threshold`.
pub fn share_above(values: &[f32], threshold: f64) -> f64 {
    values.iter().filter(|&&v| v as f64 > threshold).count() as f64 / values.len().max(1) as f64
}

/// Splits scores by whether their label is `class`: (the class's, the rest).
pub fn split(scores: &[f32], labels: &[u8], class: Option<u8>) -> (Vec<f32>, Vec<f32>) {
    let (mut of_class, mut rest) = (Vec::new(), Vec::new());
    for (&s, &l) in scores.iter().zip(labels) {
        if Some(l) == class {
            of_class.push(s)
        } else {
            rest.push(s)
        }
    }
    (of_class, rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_cover_the_range_and_clip_outliers() {
        let v = [0.0, 0.5, 1.0, 1.5, 9.0, -3.0];
        assert_eq!(counts(&v, 0.0, 2.0, 4), vec![2, 1, 1, 2]);
        assert_eq!(share_above(&v, 1.0), 2.0 / 6.0);
    }

    #[test]
    fn the_range_takes_in_the_drawing_but_not_one_wild_score() {
        let mut v: Vec<f32> = (0..1000).map(|i| 100.0 + i as f32 / 10.0).collect();
        v.push(10_000.0);
        let (lo, hi) = range(&v, None);
        assert!(lo < 101.0 && hi < 205.0, "{lo} {hi}");
        let (_, hi) = range(&v, Some(400.0));
        assert!(hi >= 400.0);
        assert_eq!(percentile(&[3.0, 1.0, 2.0], 0.99), 3.0);
    }

    #[test]
    fn split_by_class() {
        assert_eq!(
            split(&[1.0, 2.0, 3.0], &[0, 1, 0], Some(0)),
            (vec![1.0, 3.0], vec![2.0])
        );
        assert_eq!(split(&[1.0, 2.0], &[0, 1], None), (vec![], vec![1.0, 2.0]));
    }
}
