//! A small SQI report built from hand-made cells, for the tests of the
//! analysis and of the renderers.

use chrono::NaiveDate;

use super::{analyse, CheckKind, CheckScope, CheckSpec, SqiInputs, SqiReport};
use crate::model::cells::CellTable;
use crate::model::tallies::{Rejection, RowCounts};
use crate::model::weights::WeightTable;
use crate::period::PeriodKind;

fn counts(read: u64, used: u64, rejections: Vec<Rejection>) -> RowCounts {
    RowCounts {
        rows_read: read,
        rows_used: used,
        rows_rejected: rejections.iter().map(|r| r.count).sum(),
        rejections,
    }
}

/// Two days × two sites of the fedex12 table, with volume; the second
/// site's second day has no volume row.
pub(crate) fn two_days_two_sites() -> SqiReport {
    let weights = WeightTable::fedex12();
    let kind = PeriodKind::Day;
    let mut table = CellTable::new(kind, weights.categories.len());
    let (late, lost) = (0, weights.find("lost").unwrap_or(0));
    let sites = [table.group(b"S1"), table.group(b"=S2")];
    for (d, day) in [1, 2].into_iter().enumerate() {
        let date = NaiveDate::from_ymd_opt(2026, 3, day).unwrap_or_default();
        let (period, bit) = kind.period_of(date);
        table
            .dates
            .insert(chrono::Datelike::num_days_from_ce(&date));
        for (s, &g) in sites.iter().enumerate() {
            let c = table.cell(period, g);
            assert!(table.add_count(c, late, (3 + d + s) as u64));
            assert!(table.add_count(c, lost, (d * s) as u64));
            let head = table.head_mut(c);
            head.days |= 1 << bit;
            if !(d == 1 && s == 1) {
                head.volume_days |= 1 << bit;
                head.volume += 1000.0 + 250.0 * s as f64;
            }
        }
    }
    table.seen[late] = true;
    table.seen[lost] = true;
    let inputs = SqiInputs {
        incidents: "incidents.csv".into(),
        encoding: "UTF-8".into(),
        weights: weights.name.clone(),
        volume: Some("volume.csv".into()),
        period: kind,
        per: 1000.0,
        by: vec!["site".into()],
        check_scope: CheckScope::All,
        chart: Default::default(),
        rules: Default::default(),
    };
    let checks = [
        CheckSpec {
            kind: CheckKind::MaxPoints,
            limit: 10.0,
        },
        CheckSpec {
            kind: CheckKind::MaxPerUnit,
            limit: 100.0,
        },
    ];
    analyse(
        table,
        counts(
            9,
            8,
            vec![Rejection {
                reason: "unknown category".into(),
                count: 1,
                first_line: 4,
            }],
        ),
        Some(counts(4, 3, vec![])),
        &weights,
        inputs,
        &checks,
    )
}
