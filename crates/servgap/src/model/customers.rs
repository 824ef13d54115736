//! Customer value rows (SPEC §3.7, seeds 001 and 002): what each customer
//! brings (`profit`), costs to serve (`service_cost`), how much trouble
//! they cause (`tickets`) and how many products they buy, with their
//! `--by` group; `input::customers` reads them, `value` analyses them.

use crate::model::tallies::RowCounts;

/// One customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    /// The id, unique in the file (`respondent_id` in a survey).
    pub customer_id: String,
    /// The margin the customer brings before the cost of serving them.
    pub profit: f64,
    /// The cost of serving the customer (≥ 0).
    pub service_cost: Option<f64>,
    /// Service requests or complaints (whole, ≥ 0).
    pub tickets: Option<u64>,
    /// Products or services bought (whole, ≥ 1).
    pub products: Option<u64>,
    /// The `--by` values.
    pub group: Vec<String>,
    /// The customer's line in the file.
    pub line: u64,
}

/// The customers of one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Customers {
    /// The file.
    pub name: String,
    /// Rows read, used and rejected.
    pub rows: RowCounts,
    /// Which optional columns the file has: service cost, tickets, products.
    pub has_service_cost: bool,
    /// See `has_service_cost`.
    pub has_tickets: bool,
    /// See `has_service_cost`.
    pub has_products: bool,
    /// The customers, in file order.
    pub customers: Vec<Customer>,
}
