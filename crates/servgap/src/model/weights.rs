//! Incident weights for the Service Quality Index (SPEC §3.6): how many
//! points one incident of each category costs, and how a category as
//! written in a log is found. The SQI reader codes categories by it and the
//! SQI analysis weighs counts by it; the built-in tables and weight files
//! are read in `input::weights`.

use std::collections::HashMap;

use serde::Serialize;

/// One category and the points an incident of it costs.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct CategoryWeight {
    /// The category as written in the weights table.
    pub category: String,
    /// Points per incident.
    pub weight: f64,
    /// What the category means, if given.
    pub description: Option<String>,
}

/// A table of category weights, in the table's order.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightTable {
    /// `fedex12`, `evans10` or the file it came from.
    pub name: String,
    /// Categories in table order.
    pub categories: Vec<CategoryWeight>,
    exact: HashMap<String, usize>,
    lower: HashMap<String, usize>,
}

impl WeightTable {
    /// A table with no categories yet.
    pub(crate) fn empty(name: &str) -> Self {
        WeightTable {
            name: name.into(),
            categories: vec![],
            exact: HashMap::new(),
            lower: HashMap::new(),
        }
    }

    /// Adds a category after those so far.
    pub(crate) fn push(&mut self, c: CategoryWeight) {
        self.exact.insert(c.category.clone(), self.categories.len());
        self.lower
            .insert(c.category.to_lowercase(), self.categories.len());
        self.categories.push(c);
    }

    /// The index of a category: exact first, then ignoring case.
    pub fn find(&self, category: &str) -> Option<usize> {
        self.exact
            .get(category)
            .or_else(|| self.lower.get(&category.to_lowercase()))
            .copied()
    }

    /// The categories' names, comma-separated (for messages).
    pub fn names(&self) -> String {
        self.categories
            .iter()
            .map(|c| crate::error::quoted(&c.category))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
