//! Comparing groups' means without assuming equal variances (SPEC §4.1):
//! Welch's ANOVA across all groups, Welch's t test between two, and Holm's
//! adjustment of a family of p-values. Each works from the groups'
//! [`Moments`] (n, mean, squared deviations), so groups accumulated on
//! several cores compare as one.

use statrs::distribution::{ContinuousCDF, FisherSnedecor, StudentsT};

use super::Moments;

/// Welch's ANOVA of k groups.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WelchAnova {
    /// The F statistic.
    pub f: f64,
    /// Numerator degrees of freedom, k − 1.
    pub df1: f64,
    /// Denominator degrees of freedom, (k² − 1) / (3L).
    pub df2: f64,
    /// P(F(df1, df2) > f).
    pub p_value: f64,
}

/// Welch's ANOVA of `groups` (each with at least two observations):
/// w_i = n_i / s_i², x̄_w = Σ w_i x̄_i / W, A = Σ w_i (x̄_i − x̄_w)² / (k − 1),
/// L = Σ (1 − w_i / W)² / (n_i − 1), B = 1 + 2(k − 2) / (k² − 1) · L,
/// F = A / B. `None` for fewer than two groups or a variance of 0.
pub fn welch_anova(groups: &[Moments]) -> Option<WelchAnova> {
    let k = groups.len();
    if k < 2 {
        return None;
    }
    let mut w = Vec::with_capacity(k);
    for g in groups {
        let var = g.variance().filter(|v| *v > 0.0)?;
        w.push(g.n as f64 / var);
    }
    let total: f64 = w.iter().sum();
    let mean_w = groups
        .iter()
        .zip(&w)
        .map(|(g, wi)| wi * g.mean)
        .sum::<f64>()
        / total;
    let kf = k as f64;
    let a = groups
        .iter()
        .zip(&w)
        .map(|(g, wi)| wi * (g.mean - mean_w).powi(2))
        .sum::<f64>()
        / (kf - 1.0);
    let l = groups
        .iter()
        .zip(&w)
        .map(|(g, wi)| (1.0 - wi / total).powi(2) / (g.n as f64 - 1.0))
        .sum::<f64>();
    let b = 1.0 + 2.0 * (kf - 2.0) / (kf * kf - 1.0) * l;
    let f = a / b;
    let (df1, df2) = (kf - 1.0, (kf * kf - 1.0) / (3.0 * l));
    let p_value = FisherSnedecor::new(df1, df2).ok()?.sf(f);
    Some(WelchAnova {
        f,
        df1,
        df2,
        p_value,
    })
}

/// Welch's t test of two groups' means.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WelchT {
    /// x̄_a − x̄_b.
    pub diff: f64,
    /// diff / √(s_a²/n_a + s_b²/n_b).
    pub t: f64,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: f64,
    /// Two-sided p-value.
    pub p_value: f64,
}

/// Welch's t test of `a` against `b` (each with at least two
/// observations); `None` when both variances are 0.
pub fn welch_t(a: &Moments, b: &Moments) -> Option<WelchT> {
    let (va, vb) = (a.variance()?, b.variance()?);
    let (qa, qb) = (va / a.n as f64, vb / b.n as f64);
    let se2 = qa + qb;
    if se2 <= 0.0 {
        return None;
    }
    let diff = a.mean - b.mean;
    let t = diff / se2.sqrt();
    let df = se2 * se2 / (qa * qa / (a.n as f64 - 1.0) + qb * qb / (b.n as f64 - 1.0));
    let p_value = 2.0 * StudentsT::new(0.0, 1.0, df).ok()?.sf(t.abs());
    Some(WelchT {
        diff,
        t,
        df,
        p_value: p_value.min(1.0),
    })
}

/// Holm's step-down adjustment of the available p-values (`None` stays
/// `None` and does not count): sorted ascending, p_holm(i) = max over
/// j ≤ i of min(1, (m − j + 1)·p(j)), in the input's order.
pub fn holm(p: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut order: Vec<usize> = (0..p.len()).filter(|&i| p[i].is_some()).collect();
    order.sort_by(|&a, &b| {
        p[a].unwrap_or(f64::NAN)
            .total_cmp(&p[b].unwrap_or(f64::NAN))
            .then(a.cmp(&b))
    });
    let m = order.len();
    let mut out = vec![None; p.len()];
    let mut running: f64 = 0.0;
    for (j, &i) in order.iter().enumerate() {
        let adjusted = ((m - j) as f64 * p[i].unwrap_or(1.0)).min(1.0);
        running = running.max(adjusted);
        out[i] = Some(running);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn moments(x: &[f64]) -> Moments {
        let mut m = Moments::default();
        x.iter().for_each(|&v| m.push(v));
        m
    }

    const A: [f64; 5] = [1.0, 2.0, 3.0, 4.0, 6.0];
    const B: [f64; 6] = [2.0, 4.0, 5.0, 7.0, 9.0, 10.0];
    const C: [f64; 4] = [0.5, 1.0, 1.5, 1.0];

    #[test]
    fn welch_anova_matches_a_second_computation() {
        // numpy by the same formula, p from scipy.stats.f.sf
        let r = welch_anova(&[moments(&A), moments(&B), moments(&C)])
            .unwrap_or_else(|| panic!("three groups"));
        assert_relative_eq!(r.f, 10.016797791707052, max_relative = 1e-12);
        assert_eq!(r.df1, 2.0);
        assert_relative_eq!(r.df2, 6.396397063207035, max_relative = 1e-12);
        assert_relative_eq!(r.p_value, 0.010700222019862655, max_relative = 1e-9);
        assert!(welch_anova(&[moments(&A)]).is_none());
        assert!(welch_anova(&[moments(&A), moments(&[2.0, 2.0])]).is_none());
    }

    #[test]
    fn welch_t_matches_scipy() {
        // scipy.stats.ttest_ind(a, b, equal_var=False)
        let cases = [
            (
                &A[..],
                &B[..],
                -2.966666666666667,
                -1.9556897392862678,
                8.481494737924516,
                0.08417708896519348,
            ),
            (
                &A[..],
                &C[..],
                2.2,
                2.488352397588457,
                4.444344915374098,
                0.06139995292470118,
            ),
            (
                &B[..],
                &C[..],
                5.166666666666667,
                4.081067587243128,
                5.264215622717169,
                0.008556345293355642,
            ),
        ];
        for (a, b, diff, t, df, p) in cases {
            let r = welch_t(&moments(a), &moments(b)).unwrap_or_else(|| panic!("variances"));
            assert_relative_eq!(r.diff, diff, max_relative = 1e-12);
            assert_relative_eq!(r.t, t, max_relative = 1e-12);
            assert_relative_eq!(r.df, df, max_relative = 1e-12);
            assert_relative_eq!(r.p_value, p, max_relative = 1e-9);
        }
    }

    #[test]
    fn holm_by_hand() {
        // sorted: 0.008556 ×3, 0.0614 ×2, 0.0842 ×1 (raised to the running max)
        let adjusted = holm(&[
            Some(0.08417708896519348),
            Some(0.06139995292470118),
            Some(0.008556345293355642),
            None,
        ]);
        assert_relative_eq!(
            adjusted[2].unwrap_or(0.0),
            3.0 * 0.008556345293355642,
            max_relative = 1e-12
        );
        assert_relative_eq!(
            adjusted[1].unwrap_or(0.0),
            2.0 * 0.06139995292470118,
            max_relative = 1e-12
        );
        assert_relative_eq!(
            adjusted[0].unwrap_or(0.0),
            2.0 * 0.06139995292470118,
            max_relative = 1e-12
        );
        assert_eq!(adjusted[3], None);
        assert_eq!(holm(&[Some(0.6), Some(0.7)]), [Some(1.0), Some(1.0)]);
    }
}
