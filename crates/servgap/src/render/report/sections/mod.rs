//! One module per section of the report (see the parent module), and the
//! small helpers they share.

pub mod compliance;
pub mod gaps;
pub mod sqi;
pub mod survey;
pub mod value;

use crate::render::tabular::Cell;

/// The index and value of the smallest of `values` (the worst gap);
/// `None` when none is available.
pub fn worst(values: impl Iterator<Item = Option<f64>>) -> Option<(usize, f64)> {
    values.enumerate().filter_map(|(i, v)| Some((i, v?))).fold(
        None,
        |best: Option<(usize, f64)>, (i, v)| match best {
            Some((_, b)) if b <= v => best,
            _ => Some((i, v)),
        },
    )
}

/// A text cell.
pub fn text_cell(s: &str) -> Cell {
    Cell::text(s)
}

/// A number cell.
pub fn number_cell(x: Option<f64>) -> Cell {
    Cell::Number(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_is_the_first_smallest_available() {
        assert_eq!(
            worst([Some(0.5), None, Some(-1.0), Some(-1.0)].into_iter()),
            Some((2, -1.0))
        );
        assert_eq!(worst([None, None].into_iter()), None);
    }
}
