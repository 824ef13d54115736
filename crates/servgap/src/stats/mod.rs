//! Pure numeric kernels: streaming moments, t intervals and tests,
//! Cronbach's α, Wilson intervals, and the counting accumulators of
//! [`counts`]. Nothing here knows about files or surveys; each function is
//! checked against hand calculations and published tables in its tests.

use statrs::distribution::{ContinuousCDF, StudentsT};

pub mod compare;
pub mod counts;

/// Streaming mean and sum of squared deviations (Welford), mergeable.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Moments {
    /// Number of observations.
    pub n: u64,
    /// Running mean.
    pub mean: f64,
    /// Sum of squared deviations from the mean.
    pub m2: f64,
}

impl Moments {
    /// Adds one observation.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    /// The mean, or `None` without observations.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then_some(self.mean)
    }

    /// The sample variance (n − 1), or `None` for fewer than two observations.
    ///
    /// A variance below the rounding noise of the mean (sd under 10⁻¹² of
    /// |mean|) is 0: values equal in exact arithmetic (per-respondent means
    /// such as 5/3, summed in another row order) differ in their last bits,
    /// and a t-test or its df must not appear or vanish with row order.
    pub fn variance(&self) -> Option<f64> {
        (self.n > 1).then(|| {
            let v = self.m2 / (self.n - 1) as f64;
            let noise = (self.mean.abs() * 1e-12).powi(2);
            if v <= noise {
                0.0
            } else {
                v
            }
        })
    }

    /// Combines two sets of observations (Chan et al.'s parallel formula).
    pub fn merge(&mut self, b: &Moments) {
        if b.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *b;
            return;
        }
        let n = self.n + b.n;
        let d = b.mean - self.mean;
        self.mean += d * b.n as f64 / n as f64;
        self.m2 += b.m2 + d * d * self.n as f64 * b.n as f64 / n as f64;
        self.n = n;
    }

    /// The sample standard deviation (n − 1).
    pub fn sd(&self) -> Option<f64> {
        self.variance().map(f64::sqrt)
    }

    /// The moments of `count` observations of each `value`, in two passes
    /// (the mean, then the squared deviations from it): as exact as the
    /// values allow, and independent of the order the observations came in.
    pub fn from_counts(counts: &[(f64, u64)]) -> Moments {
        let n: u64 = counts.iter().map(|&(_, c)| c).sum();
        if n == 0 {
            return Moments::default();
        }
        let mean = counts.iter().map(|&(x, c)| x * c as f64).sum::<f64>() / n as f64;
        let m2 = counts
            .iter()
            .map(|&(x, c)| (x - mean) * (x - mean) * c as f64)
            .sum();
        Moments { n, mean, m2 }
    }

    /// Moments of the values `x / k` from counts of integers `(x, count)`,
    /// computed in exact integer arithmetic: the mean is `Σx / (n k)`
    /// rounded once, and `m2` is `(n Σx² − (Σx)²) / (n k²)` with an exact
    /// numerator.
    pub fn from_integer_counts(counts: impl Iterator<Item = (i64, u64)>, k: u64) -> Moments {
        let (mut n, mut s, mut q) = (0u64, 0i128, 0i128);
        for (x, c) in counts {
            n += c;
            s += i128::from(x) * i128::from(c);
            q += i128::from(x) * i128::from(x) * i128::from(c);
        }
        if n == 0 || k == 0 {
            return Moments::default();
        }
        let (nf, kf) = (n as f64, k as f64);
        let mean = s as f64 / (nf * kf);
        let m2 = (i128::from(n) * q - s * s) as f64 / (nf * kf * kf);
        Moments { n, mean, m2 }
    }
}

/// Count, sum and sum of squares: the cheapest mergeable accumulator.
///
/// For scores on a bounded scale the sums stay small, so the variance
/// `(Σx² − (Σx)²/n)/(n − 1)` loses no meaningful precision; for integer
/// scores both sums are exact integers and the result is correctly rounded.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SumMoments {
    /// Number of observations.
    pub n: u64,
    /// Σx.
    pub s1: f64,
    /// Σx².
    pub s2: f64,
}

impl SumMoments {
    /// Adds one observation.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        self.s1 += x;
        self.s2 += x * x;
    }

    /// Adds another accumulator's observations.
    #[inline]
    pub fn merge(&mut self, o: &SumMoments) {
        self.n += o.n;
        self.s1 += o.s1;
        self.s2 += o.s2;
    }

    /// The equivalent [`Moments`].
    pub fn moments(&self) -> Moments {
        if self.n == 0 {
            return Moments::default();
        }
        let n = self.n as f64;
        let mean = self.s1 / n;
        Moments {
            n: self.n,
            mean,
            m2: (self.s2 - self.s1 * mean).max(0.0),
        }
    }
}

/// A mean with its 95% t interval and one-sample t test against zero.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanTest {
    /// Sample standard deviation.
    pub sd: Option<f64>,
    /// Standard error of the mean.
    pub se: Option<f64>,
    /// Lower end of the 95% interval.
    pub ci_low: Option<f64>,
    /// Upper end of the 95% interval.
    pub ci_high: Option<f64>,
    /// t statistic (mean / se); `None` when se is zero or undefined.
    pub t: Option<f64>,
    /// Two-sided p-value of the t statistic.
    pub p_value: Option<f64>,
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom.
pub fn t_quantile_975(df: f64) -> Option<f64> {
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    Some(dist.inverse_cdf(0.975))
}

/// Two-sided p-value of a t statistic with `df` degrees of freedom.
pub fn t_two_sided_p(t: f64, df: f64) -> Option<f64> {
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    Some((2.0 * dist.sf(t.abs())).clamp(0.0, 1.0))
}

/// The t interval and test of a mean against zero (a paired t test when the
/// observations are differences).
pub fn mean_test(m: &Moments) -> MeanTest {
    let none = MeanTest {
        sd: None,
        se: None,
        ci_low: None,
        ci_high: None,
        t: None,
        p_value: None,
    };
    let Some(sd) = m.sd() else { return none };
    let df = (m.n - 1) as f64;
    let se = sd / (m.n as f64).sqrt();
    let q = t_quantile_975(df);
    let (t, p) = if se > 0.0 {
        let t = m.mean / se;
        (Some(t), t_two_sided_p(t, df))
    } else {
        (None, None)
    };
    MeanTest {
        sd: Some(sd),
        se: Some(se),
        ci_low: q.map(|q| m.mean - q * se),
        ci_high: q.map(|q| m.mean + q * se),
        t,
        p_value: p,
    }
}

/// The normal quantile for a two-sided 95% interval.
pub const Z_975: f64 = 1.959_963_984_540_054;

/// Wilson score 95% interval for a proportion of `k` successes in `n`
/// trials (SPEC §4: Wilson for proportions); `None` for `n = 0`. Bounds are
/// exactly 0 for `k = 0` and 1 for `k = n`.
pub fn wilson(k: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let (k, n) = (k as f64, n as f64);
    let z2 = Z_975 * Z_975;
    let p = k / n;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z_975 / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let low = if k == 0.0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let high = if k == n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    Some((low, high))
}

/// Accumulates Cronbach's α for one scale of `k` items over complete cases.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AlphaAccumulator {
    items: Vec<SumMoments>,
    total: SumMoments,
    /// Per item: Σ x_j · S over the cases (S the case's total), for the
    /// item–total covariances of [`AlphaAccumulator::item_reliability`].
    cross: Vec<f64>,
}

/// One item's reliability within its scale (what `psych::alpha` prints
/// beside α): the α of the other items, and the corrected item–total
/// correlation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ItemReliability {
    /// α of the scale without the item (`None` for fewer than two other
    /// items, fewer than two cases, or no variance left).
    pub alpha_if_deleted: Option<f64>,
    /// Pearson r between the item and the sum of the other items (`None`
    /// for a one-item scale or a variance of 0).
    pub item_total_r: Option<f64>,
}

impl AlphaAccumulator {
    /// Whether it is an accumulator for `k` items (one read back from a
    /// file, say).
    pub fn fits(&self, k: usize) -> bool {
        self.items.len() == k && self.cross.len() == k
    }

    /// A new accumulator for `k` items.
    pub fn new(k: usize) -> Self {
        AlphaAccumulator {
            items: vec![SumMoments::default(); k],
            total: SumMoments::default(),
            cross: vec![0.0; k],
        }
    }

    /// Adds one complete case (all `k` item scores).
    pub fn push(&mut self, scores: &[f64]) {
        let mut sum = 0.0;
        for (m, &x) in self.items.iter_mut().zip(scores) {
            m.push(x);
            sum += x;
        }
        for (c, &x) in self.cross.iter_mut().zip(scores) {
            *c += x * sum;
        }
        self.total.push(sum);
    }

    /// Adds `x_j · S` of cases whose item scores are added in bulk (see
    /// [`AlphaAccumulator::merge_item`]) to item `j`'s cross sum.
    pub fn add_cross(&mut self, j: usize, xs: f64) {
        if let Some(c) = self.cross.get_mut(j) {
            *c += xs;
        }
    }

    /// Adds one complete case's total only; its item scores are added
    /// later, in bulk, with [`AlphaAccumulator::merge_item`].
    pub fn push_total(&mut self, total: f64) {
        self.total.push(total);
    }

    /// Adds the totals of complete cases whose item scores are added
    /// later, in bulk, with [`AlphaAccumulator::merge_item`].
    pub fn merge_totals(&mut self, totals: &SumMoments) {
        self.total.merge(totals);
    }

    /// Adds item `j`'s moments over cases whose totals were given by
    /// [`AlphaAccumulator::push_total`].
    pub fn merge_item(&mut self, j: usize, m: &SumMoments) {
        if let Some(x) = self.items.get_mut(j) {
            x.merge(m);
        }
    }

    /// Combines two accumulators of the same scale.
    pub fn merge(&mut self, other: &AlphaAccumulator) {
        self.items
            .iter_mut()
            .zip(&other.items)
            .for_each(|(a, b)| a.merge(b));
        self.total.merge(&other.total);
        self.cross
            .iter_mut()
            .zip(&other.cross)
            .for_each(|(a, b)| *a += b);
    }

    /// Each item's α-if-deleted and corrected item–total r, over the same
    /// cases as α (SPEC §4.1): with var_j and cov(j, S) from the sums,
    /// var(S − j) = var S − 2·cov(j, S) + var_j, and
    /// r = (cov(j, S) − var_j) / √(var_j · var(S − j)).
    pub fn item_reliability(&self) -> Vec<ItemReliability> {
        let k = self.items.len();
        let n = self.total.n;
        let none = ItemReliability {
            alpha_if_deleted: None,
            item_total_r: None,
        };
        if n < 2 {
            return vec![none; k];
        }
        let nf = n as f64;
        let var = |m: &SumMoments| (m.s2 - m.s1 * m.s1 / nf) / (nf - 1.0);
        let var_total = var(&self.total);
        let vars: Vec<f64> = self.items.iter().map(var).collect();
        let sum_vars: f64 = vars.iter().sum();
        (0..k)
            .map(|j| {
                if k < 2 {
                    return none;
                }
                let cov = (self.cross[j] - self.items[j].s1 * self.total.s1 / nf) / (nf - 1.0);
                let var_rest = var_total - 2.0 * cov + vars[j];
                let kr = (k - 1) as f64;
                let alpha_if_deleted = (k >= 3 && var_rest > 0.0)
                    .then(|| kr / (kr - 1.0) * (1.0 - (sum_vars - vars[j]) / var_rest));
                let item_total_r = (vars[j] > 0.0 && var_rest > 0.0)
                    .then(|| (cov - vars[j]) / (vars[j] * var_rest).sqrt());
                ItemReliability {
                    alpha_if_deleted,
                    item_total_r,
                }
            })
            .collect()
    }

    /// α = k/(k−1)·(1 − Σσ²ᵢ/σ²_sum); `None` for one item, fewer than two
    /// cases, or zero total variance.
    pub fn alpha(&self) -> Option<f64> {
        let k = self.items.len();
        if k < 2 || self.total.n < 2 {
            return None;
        }
        let total_var = self.total.moments().variance()?;
        if total_var <= 0.0 {
            return None;
        }
        let item_var: f64 = self
            .items
            .iter()
            .filter_map(|m| m.moments().variance())
            .sum();
        let k = k as f64;
        Some(k / (k - 1.0) * (1.0 - item_var / total_var))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_variance_of_rounding_noise_is_zero() {
        let exact = 5.0 / 3.0;
        let mut m = super::Moments::default();
        for x in [exact, exact - 2.0 * f64::EPSILON, exact] {
            m.push(x);
        }
        assert!(m.m2 > 0.0, "the noise is there to be ignored");
        assert_eq!(m.variance(), Some(0.0));
        // A real spread stays: var(1, 2) = 0.5 by hand.
        let mut m = super::Moments::default();
        m.push(1.0);
        m.push(2.0);
        approx::assert_relative_eq!(m.variance().unwrap_or(f64::NAN), 0.5);
    }

    #[test]
    fn item_reliability_matches_numpy() {
        // five cases of three items; numpy: α of the other items and the
        // correlation of each item with the sum of the others
        let cases = [
            [1.0, 2.0, 3.0],
            [2.0, 2.0, 4.0],
            [3.0, 4.0, 4.0],
            [5.0, 4.0, 6.0],
            [4.0, 5.0, 5.0],
        ];
        let mut a = super::AlphaAccumulator::new(3);
        cases.iter().for_each(|c| a.push(c));
        approx::assert_relative_eq!(
            a.alpha().unwrap_or(0.0),
            0.9285714285714286,
            max_relative = 1e-12
        );
        let want = [
            (0.8076923076923079, 0.970725343394151),
            (0.9589041095890412, 0.7724321626955433),
            (0.8974358974358974, 0.8793040102298587),
        ];
        for (got, (alpha, r)) in a.item_reliability().iter().zip(want) {
            approx::assert_relative_eq!(
                got.alpha_if_deleted.unwrap_or(0.0),
                alpha,
                max_relative = 1e-12
            );
            approx::assert_relative_eq!(got.item_total_r.unwrap_or(0.0), r, max_relative = 1e-12);
        }
        // two items: no α without one, r is their correlation
        let mut two = super::AlphaAccumulator::new(2);
        cases.iter().for_each(|c| two.push(&c[..2]));
        let rel = two.item_reliability();
        assert_eq!(rel[0].alpha_if_deleted, None);
        // corr(x1, x2) of the first two columns, by hand: cov 1.75 / √(2.5 · 1.8)
        approx::assert_relative_eq!(
            rel[0].item_total_r.unwrap_or(0.0),
            1.75 / (2.5f64 * 1.8).sqrt(),
            max_relative = 1e-12
        );
    }

    #[test]
    fn wilson_matches_published_values_and_edges() {
        // 5 of 10: the textbook interval 0.2366–0.7634.
        let (l, h) = wilson(5, 10).unwrap_or((f64::NAN, f64::NAN));
        approx::assert_relative_eq!(l, 0.2366, epsilon = 1e-4);
        approx::assert_relative_eq!(h, 0.7634, epsilon = 1e-4);
        // k = 0: [0, z²/(n + z²)]; k = n: [n/(n + z²), 1].
        let z2 = Z_975 * Z_975;
        assert_eq!(wilson(0, 10).map(|w| w.0), Some(0.0));
        approx::assert_relative_eq!(
            wilson(0, 10).map_or(0.0, |w| w.1),
            z2 / (10.0 + z2),
            max_relative = 1e-12
        );
        assert_eq!(wilson(10, 10).map(|w| w.1), Some(1.0));
        approx::assert_relative_eq!(
            wilson(10, 10).map_or(0.0, |w| w.0),
            10.0 / (10.0 + z2),
            max_relative = 1e-12
        );
        assert_eq!(wilson(0, 0), None);
    }

    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn moments_match_two_pass() {
        let xs = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let mut m = Moments::default();
        xs.iter().for_each(|&x| m.push(x));
        // mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32, sample var 32/7
        assert_relative_eq!(m.mean, 5.0);
        assert_relative_eq!(
            m.variance().expect("test value"),
            32.0 / 7.0,
            epsilon = 1e-12
        );
    }

    #[test]
    fn merged_moments_equal_one_pass() {
        let xs: Vec<f64> = (0..101)
            .map(|i| ((i * 37) % 11) as f64 * 0.5 + 1.0)
            .collect();
        let mut whole = Moments::default();
        xs.iter().for_each(|&x| whole.push(x));
        let (mut a, mut b) = (Moments::default(), Moments::default());
        xs[..40].iter().for_each(|&x| a.push(x));
        xs[40..].iter().for_each(|&x| b.push(x));
        a.merge(&b);
        assert_eq!(a.n, whole.n);
        assert_relative_eq!(a.mean, whole.mean, epsilon = 1e-12);
        assert_relative_eq!(a.m2, whole.m2, epsilon = 1e-9);
    }

    #[test]
    fn moments_from_integer_counts_are_exact_sums_rounded_once() {
        // x = 3, 5, 5, 7 over k = 2: values 1.5, 2.5, 2.5, 3.5
        let m = Moments::from_integer_counts([(3, 1), (5, 2), (7, 1)].into_iter(), 2);
        assert_eq!((m.n, m.mean, m.m2), (4, 2.5, 2.0));
        // 1/3 three times: the mean is 1/3 rounded once, no spread at all
        let m = Moments::from_integer_counts([(1, 3)].into_iter(), 3);
        assert_eq!((m.mean, m.m2), (1.0 / 3.0, 0.0));
        // sums over five items of 12,000 respondents: Σx / (5 n), one rounding
        let counts: Vec<(i64, u64)> = (5..=35).map(|x| (x, (x as u64 * 7) % 13 + 1)).collect();
        let n: u64 = counts.iter().map(|c| c.1).sum();
        let s: i64 = counts.iter().map(|&(x, c)| x * c as i64).sum();
        let m = Moments::from_integer_counts(counts.iter().copied(), 5);
        assert_eq!(m.mean, s as f64 / (5.0 * n as f64));
        let by_value: Vec<(f64, u64)> = counts.iter().map(|&(x, c)| (x as f64 / 5.0, c)).collect();
        let two_pass = Moments::from_counts(&by_value);
        assert_relative_eq!(m.m2, two_pass.m2, max_relative = 1e-14);
        assert_eq!(Moments::from_integer_counts(std::iter::empty(), 5).n, 0);
    }

    #[test]
    fn moments_from_counts_equal_the_observations() {
        // 2 once, 4 three times, 5 twice, 7 and 9 once: the set above
        let counts = [(4.0, 3), (2.0, 1), (9.0, 1), (5.0, 2), (7.0, 1), (3.0, 0)];
        let m = Moments::from_counts(&counts);
        assert_eq!(m.n, 8);
        assert_relative_eq!(m.mean, 5.0);
        assert_relative_eq!(m.m2, 32.0);
        // thirds, as dimension means of three items are: mean 7/3,
        // squared deviations 1/9 + 0 + 1/9
        let m = Moments::from_counts(&[(2.0, 1), (7.0 / 3.0, 1), (8.0 / 3.0, 1)]);
        assert_relative_eq!(m.mean, 7.0 / 3.0, epsilon = 1e-15);
        assert_relative_eq!(m.m2, 2.0 / 9.0, epsilon = 1e-15);
        assert_eq!(Moments::from_counts(&[]), Moments::default());
    }

    #[test]
    fn sum_moments_equal_welford() {
        let xs = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let (mut s, mut w) = (SumMoments::default(), Moments::default());
        xs.iter().for_each(|&x| {
            s.push(x);
            w.push(x)
        });
        let m = s.moments();
        assert_eq!(m.n, 8);
        assert_relative_eq!(m.mean, w.mean);
        assert_relative_eq!(m.m2, 32.0);
    }

    #[test]
    fn t_quantiles_match_published_table() {
        // Student's t table, two-sided 95%.
        assert_relative_eq!(
            t_quantile_975(1.0).expect("test value"),
            12.706204736,
            epsilon = 1e-6
        );
        assert_relative_eq!(
            t_quantile_975(10.0).expect("test value"),
            2.228138852,
            epsilon = 1e-8
        );
        assert_relative_eq!(
            t_quantile_975(30.0).expect("test value"),
            2.042272456,
            epsilon = 1e-8
        );
        assert_relative_eq!(
            t_two_sided_p(2.228138852, 10.0).expect("test value"),
            0.05,
            epsilon = 1e-8
        );
    }

    #[test]
    fn mean_test_by_hand() {
        // d = 1, 2, 3: mean 2, sd 1, se 1/sqrt(3), t = 2*sqrt(3) = 3.4641, df 2
        let mut m = Moments::default();
        [1.0, 2.0, 3.0].iter().for_each(|&x| m.push(x));
        let t = mean_test(&m);
        assert_relative_eq!(t.sd.expect("test value"), 1.0, epsilon = 1e-12);
        assert_relative_eq!(t.t.expect("test value"), 2.0 * 3f64.sqrt(), epsilon = 1e-12);
        // t(0.975, 2) = 4.302652730
        assert_relative_eq!(
            t.ci_low.expect("test value"),
            2.0 - 4.302652730 / 3f64.sqrt(),
            epsilon = 1e-7
        );
        // two-sided p for t = 3.4641 on 2 df: 1 - t/sqrt(t^2+2) = 1 - 3.4641/3.7417 = 0.0741799
        let tv = 2.0 * 3f64.sqrt();
        assert_relative_eq!(
            t.p_value.expect("test value"),
            1.0 - tv / (tv * tv + 2.0).sqrt(),
            epsilon = 1e-10
        );
    }

    #[test]
    fn mean_test_degenerate() {
        let mut m = Moments::default();
        m.push(1.0);
        assert_eq!(mean_test(&m).sd, None);
        m.push(1.0);
        let t = mean_test(&m);
        assert_eq!(t.sd, Some(0.0));
        assert_eq!(t.t, None);
    }

    #[test]
    fn alpha_by_hand() {
        // 3 items, 4 cases.
        let cases = [
            [1.0, 2.0, 2.0],
            [2.0, 2.0, 3.0],
            [3.0, 4.0, 3.0],
            [4.0, 4.0, 5.0],
        ];
        let mut a = AlphaAccumulator::new(3);
        cases.iter().for_each(|c| a.push(c));
        // item variances: 5/3, 4/3, 19/12 (sum 55/12); totals 5,7,10,13 -> var 49/4
        let expect = 1.5 * (1.0 - (55.0 / 12.0) / (49.0 / 4.0));
        assert_relative_eq!(a.alpha().expect("test value"), expect, epsilon = 1e-12);
        assert_eq!(AlphaAccumulator::new(1).alpha(), None);
        // the same cases given as totals plus per-item moments
        let mut b = AlphaAccumulator::new(3);
        for c in &cases {
            b.push_total(c.iter().sum());
        }
        for j in 0..3 {
            let mut m = SumMoments::default();
            cases.iter().for_each(|c| m.push(c[j]));
            b.merge_item(j, &m);
        }
        assert_relative_eq!(b.alpha().expect("test value"), expect, epsilon = 1e-12);
    }
}
