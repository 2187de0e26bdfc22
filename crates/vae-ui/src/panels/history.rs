//! The loss curves' data: one point per progress report, held-out points when evaluated.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub step: f64,
    pub recon: f64,
    pub kl: f64,
}

#[derive(Default)]
pub struct LossHistory {
    pub train: Vec<Point>,
    pub test: Vec<Point>,
}

/// Past this many points a curve keeps every other one: the chart is at most a few hundred
/// pixels wide, so the thinned curve looks the same and redraws stay cheap.
const MAX_POINTS: usize = 1200;

impl LossHistory {
    pub fn push_train(&mut self, p: Point) {
        push(&mut self.train, p);
    }

    pub fn push_test(&mut self, p: Point) {
        push(&mut self.test, p);
    }

    /// Both curves as flat (step, reconstruction, KL) triples, for storage.
    pub fn to_flat(&self) -> (Vec<f64>, Vec<f64>) {
        let flat = |points: &[Point]| {
            points
                .iter()
                .flat_map(|p| [p.step, p.recon, p.kl])
                .collect()
        };
        (flat(&self.train), flat(&self.test))
    }

    /// Curves from `to_flat`'s triples.
    pub fn from_flat(train: &[f64], test: &[f64]) -> Self {
        let points = |flat: &[f64]| {
            flat.chunks_exact(3)
                .map(|t| Point {
                    step: t[0],
                    recon: t[1],
                    kl: t[2],
                })
                .collect()
        };
        Self {
            train: points(train),
            test: points(test),
        }
    }

    /// The curves as CSV, one row per point in step order: which split, the reconstruction and
    /// KL terms, and their sum (the negative ELBO at β = 1), in nats per image.
    pub fn to_csv(&self) -> String {
        let mut rows: Vec<(&str, &Point)> = self
            .train
            .iter()
            .map(|p| ("train", p))
            .chain(self.test.iter().map(|p| ("held-out", p)))
            .collect();
        rows.sort_by(|a, b| a.1.step.total_cmp(&b.1.step).then(a.0.cmp(b.0).reverse()));
        let mut csv = String::from("step,split,reconstruction_nats,kl_nats,negative_elbo_nats\n");
        for (split, p) in rows {
            csv += &format!(
                "{},{split},{:.4},{:.4},{:.4}\n",
                p.step,
                p.recon,
                p.kl,
                p.recon + p.kl
            );
        }
        csv
    }

    /// The curves `vae-cli train` writes (losses.csv: after each epoch its step, the training
    /// batches' mean reconstruction and KL, then the held-out ones), as `from_flat`'s triples
    /// with the last step; None for any other text. The shipped pretrained model's curves.
    pub fn from_training_csv(text: &str) -> Option<(usize, Vec<f64>, Vec<f64>)> {
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next()?.split(',').collect();
        let column = |name: &str| header.iter().position(|h| *h == name);
        let [step, train_recon, train_kl, test_recon, test_kl] =
            ["step", "train_recon", "train_kl", "test_recon", "test_kl"].map(column);
        let (mut train, mut test, mut last) = (Vec::new(), Vec::new(), 0.0);
        for line in lines.filter(|l| !l.trim().is_empty()) {
            let cells: Vec<&str> = line.split(',').collect();
            let value = |i: Option<usize>| -> Option<f64> {
                cells
                    .get(i?)?
                    .trim()
                    .parse()
                    .ok()
                    .filter(|v: &f64| v.is_finite())
            };
            let s = value(step).filter(|s| *s >= last)?;
            train.extend([s, value(train_recon)?, value(train_kl)?]);
            test.extend([s, value(test_recon)?, value(test_kl)?]);
            last = s;
        }
        (!train.is_empty()).then_some((last as usize, train, test))
    }

    /// The first step drawn: curves of loaded weights start at the steps those weights hold.
    pub fn min_step(&self) -> f64 {
        let min = self
            .train
            .iter()
            .chain(&self.test)
            .map(|p| p.step)
            .fold(f64::MAX, f64::min);
        if min == f64::MAX {
            0.0
        } else {
            min
        }
    }

    pub fn max_step(&self) -> f64 {
        self.train
            .iter()
            .chain(&self.test)
            .map(|p| p.step)
            .fold(self.min_step() + 1.0, f64::max)
    }

    /// The y range of a log-scale chart: powers that cover every finite positive value.
    pub fn log_range(&self) -> (f64, f64) {
        let values = self
            .train
            .iter()
            .chain(&self.test)
            .flat_map(|p| [p.recon, p.kl])
            .filter(|v| v.is_finite() && *v > 0.0);
        let (lo, hi) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
        if lo > hi {
            return (1.0, 1000.0);
        }
        (
            10f64.powf(lo.max(0.01).log10().floor()),
            10f64.powf(hi.log10().ceil()).max(10.0),
        )
    }
}

fn push(points: &mut Vec<Point>, p: Point) {
    // A step that goes back means a new model: its curve starts over.
    if points.last().is_some_and(|last| last.step > p.step) {
        points.clear();
    }
    points.push(p);
    if points.len() > MAX_POINTS {
        let kept: Vec<Point> = points.iter().step_by(2).copied().collect();
        *points = kept;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_one_row_per_point_in_step_order() {
        let mut h = LossHistory::default();
        h.push_train(Point {
            step: 1.0,
            recon: 200.0,
            kl: 5.0,
        });
        h.push_train(Point {
            step: 2.0,
            recon: 150.0,
            kl: 10.0,
        });
        h.push_test(Point {
            step: 2.0,
            recon: 160.0,
            kl: 9.5,
        });
        let csv = h.to_csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "step,split,reconstruction_nats,kl_nats,negative_elbo_nats"
        );
        assert_eq!(
            &lines[1..],
            [
                "1,train,200.0000,5.0000,205.0000",
                "2,train,150.0000,10.0000,160.0000",
                "2,held-out,160.0000,9.5000,169.5000"
            ]
        );
    }

    #[test]
    fn thinning_keeps_the_first_point_and_bounds_the_count() {
        let mut h = LossHistory::default();
        for i in 0..5000 {
            h.push_train(Point {
                step: i as f64,
                recon: 100.0,
                kl: 10.0,
            });
        }
        assert!(h.train.len() <= MAX_POINTS && h.train[0].step == 0.0);
        h.push_train(Point {
            step: 0.0,
            recon: 1.0,
            kl: 1.0,
        });
        assert_eq!(h.train.len(), 1, "a new model starts a new curve");
    }

    #[test]
    fn curves_survive_flattening() {
        let mut h = LossHistory::default();
        h.push_train(Point {
            step: 1.0,
            recon: 150.0,
            kl: 4.0,
        });
        h.push_train(Point {
            step: 2.0,
            recon: 140.0,
            kl: 5.0,
        });
        h.push_test(Point {
            step: 2.0,
            recon: 141.0,
            kl: 5.5,
        });
        let (train, test) = h.to_flat();
        let back = LossHistory::from_flat(&train, &test);
        assert_eq!((back.train, back.test), (h.train, h.test));
    }

    #[test]
    fn the_command_lines_training_csv_reads_as_curves() {
        let csv =
            "epoch,step,train_recon,train_kl,train_total,test_recon,test_kl,test_total,seconds\n\
                   1,70,242.157,9.175,251.332,194.396,7.442,201.838,0.6\n\
                   2,140,169.988,11.034,181.022,151.125,13.655,164.780,1.3\n";
        let (last, train, test) = LossHistory::from_training_csv(csv).unwrap();
        assert_eq!(last, 140);
        assert_eq!(train, [70.0, 242.157, 9.175, 140.0, 169.988, 11.034]);
        assert_eq!(test, [70.0, 194.396, 7.442, 140.0, 151.125, 13.655]);
        for bad in [
            "",
            "step,split,reconstruction_nats,kl_nats,negative_elbo_nats\n1,train,1,2,3\n",
            "epoch,step,train_recon,train_kl,train_total,test_recon,test_kl,test_total\n1,70,x,1,1,1,1,1\n",
            "epoch,step,train_recon,train_kl,train_total,test_recon,test_kl,test_total\n2,140,1,1,1,1,1,1\n1,70,1,1,1,1,1,1\n",
        ] {
            assert_eq!(LossHistory::from_training_csv(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn log_range_covers_the_values() {
        let mut h = LossHistory::default();
        h.push_train(Point {
            step: 1.0,
            recon: 150.0,
            kl: 4.0,
        });
        assert_eq!(h.log_range(), (1.0, 1000.0));
    }
}
