//! The customer value file (SPEC §3.7): `customer_id` (required, unique:
//! a repeated id names both lines), `profit` (required, may be negative),
//! optional `service_cost` (≥ 0), `tickets` (whole ≥ 0), `products` (whole
//! ≥ 1) and `--by` columns. Invalid rows follow `--on-invalid`.

use std::collections::HashMap;

use super::{check_width, invalid, is_missing, read_small, ReadOptions, Source};
use crate::error::{quoted, Error, ErrorKind, Result};
pub use crate::model::customers::{Customer, Customers};
use crate::model::tallies::RowCounts;

impl Customers {
    /// Reads the customers of `source`, with the `by` columns as groups.
    pub fn load(source: &Source, by: &[String], opts: &ReadOptions) -> Result<Self> {
        let name = source.name();
        let (header, rows) = read_small(source, opts)?;
        let need = |c: &str| {
            header.find(c).ok_or_else(|| {
                Error::file(
                    &name,
                    Some(1),
                    format!(
                        "the customer file needs a '{c}' column (customer_id,profit[,service_cost][,tickets][,products]; found: {})",
                        header.listing()
                    ),
                )
            })
        };
        let (ic, pc) = (need("customer_id")?, need("profit")?);
        let (sc, tc, nc) = (
            header.find("service_cost"),
            header.find("tickets"),
            header.find("products"),
        );
        let by_cols = by
            .iter()
            .map(|b| {
                header.find(b).ok_or_else(|| {
                    Error::file(
                        &name,
                        Some(1),
                        format!(
                            "the customer file has no column '{b}' named by --by (found: {})",
                            header.listing()
                        ),
                    )
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut out = Customers {
            name: name.clone(),
            rows: RowCounts::default(),
            has_service_cost: sc.is_some(),
            has_tickets: tc.is_some(),
            has_products: nc.is_some(),
            customers: Vec::new(),
        };
        let mut first: HashMap<String, u64> = HashMap::new();
        let mut tally = super::RejectTally::default();
        for (line, row) in &rows {
            out.rows.rows_read += 1;
            if let Err(e) = check_width(&name, &header, *line, row) {
                super::reject_row(
                    opts.on_invalid,
                    &mut tally,
                    *line,
                    "wrong number of fields",
                    || e,
                )?;
                continue;
            }
            let cell = |c: usize| row[c].trim();
            let bad = |c: usize, problem: &str| {
                invalid(&name, *line, &header, c, cell(c).as_bytes(), problem)
            };
            let number = |c: usize| -> std::result::Result<Option<f64>, ()> {
                match is_missing(cell(c).as_bytes()) {
                    true => Ok(None),
                    false => cell(c)
                        .parse::<f64>()
                        .ok()
                        .filter(|v| v.is_finite())
                        .map(Some)
                        .ok_or(()),
                }
            };
            let whole = |c: usize, min: u64| -> std::result::Result<Option<u64>, ()> {
                match number(c)? {
                    None => Ok(None),
                    Some(v) if v.fract() == 0.0 && v >= min as f64 && v < 9.0e15 => {
                        Ok(Some(v as u64))
                    }
                    Some(_) => Err(()),
                }
            };
            let checked: std::result::Result<Customer, (&str, Error)> = (|| {
                let id = cell(ic);
                if id.is_empty() {
                    return Err(("missing customer id", bad(ic, "a customer needs an id")));
                }
                let profit = match number(pc) {
                    Ok(Some(v)) => v,
                    _ => {
                        return Err((
                            "invalid profit",
                            bad(pc, "profit must be a number (it may be negative)"),
                        ))
                    }
                };
                let service_cost = match sc.map(number).transpose() {
                    Ok(v) => v.flatten(),
                    Err(()) => None,
                };
                if let Some(c) = sc {
                    if number(c).is_err() || service_cost.is_some_and(|v| v < 0.0) {
                        return Err((
                            "invalid service cost",
                            bad(c, "the service cost is a number ≥ 0"),
                        ));
                    }
                }
                let tickets = match tc.map(|c| whole(c, 0)).transpose() {
                    Ok(v) => v.flatten(),
                    Err(()) => {
                        return Err((
                            "invalid tickets",
                            bad(tc.unwrap_or(0), "tickets are a whole number ≥ 0"),
                        ))
                    }
                };
                let products = match nc.map(|c| whole(c, 1)).transpose() {
                    Ok(v) => v.flatten(),
                    Err(()) => {
                        return Err((
                            "invalid products",
                            bad(nc.unwrap_or(0), "products are a whole number ≥ 1"),
                        ))
                    }
                };
                Ok(Customer {
                    customer_id: id.to_string(),
                    profit,
                    service_cost,
                    tickets,
                    products,
                    group: by_cols.iter().map(|&c| cell(c).to_string()).collect(),
                    line: *line,
                })
            })();
            let customer = match checked {
                Ok(c) => c,
                Err((reason, err)) => {
                    super::reject_row(opts.on_invalid, &mut tally, *line, reason, || err)?;
                    continue;
                }
            };
            if let Some(&f) = first.get(&customer.customer_id) {
                let id = customer.customer_id.clone();
                super::reject_row(
                    opts.on_invalid,
                    &mut tally,
                    *line,
                    "duplicate customer",
                    || {
                        ErrorKind::Duplicate {
                            file: name.clone(),
                            line: *line,
                            first_line: Some(f),
                            what: format!("customer {}", quoted(&id)),
                            key: vec![id.clone()],
                        }
                        .into()
                    },
                )?;
                continue;
            }
            first.insert(customer.customer_id.clone(), *line);
            out.rows.rows_used += 1;
            out.customers.push(customer);
        }
        out.rows.rows_rejected = tally.total();
        out.rows.rejections = tally.reasons;
        if out.customers.is_empty() {
            return Err(Error::file(
                &name,
                None,
                "no valid customer rows: nothing to analyse",
            ));
        }
        Ok(out)
    }
}
