//! The results one `servgap report` puts together: each analysis its
//! inputs allow, read and computed as its own command would. The report's
//! pages (`render::report`) make a section of each.

use serde::Serialize;

use crate::compliance::ComplianceReport;
use crate::gaps::GapsReport;
use crate::model::instrument::Instrument;
use crate::sqi::SqiReport;
use crate::survey::SurveyReport;

/// The analyses of a report; `None` for one whose inputs were not given.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReportData {
    /// Expectation vs perception (with a customer survey).
    pub survey: Option<SurveyReport>,
    /// The gap model (with management, standards or delivery beside it).
    pub gaps: Option<GapsReport>,
    /// Hard-standard compliance (with hard standards and events).
    pub compliance: Option<ComplianceReport>,
    /// The Service Quality Index (with an incident log).
    pub sqi: Option<SqiReport>,
    /// Customer value (with a customer file).
    pub value: Option<crate::value::ValueReport>,
    /// The service chain (with a chain file).
    pub chain: Option<crate::chain::ChainReport>,
    /// The survey's instrument, for item texts in labels.
    #[serde(skip)]
    pub instrument: Option<Instrument>,
}

impl ReportData {
    /// Item `id`'s label: the id and, when the instrument has it, its text.
    pub fn item_label(&self, id: &str) -> String {
        let text = self
            .instrument
            .as_ref()
            .and_then(|ins| ins.lookup(id.as_bytes()).and_then(|i| ins.items.get(i)))
            .and_then(|def| def.text.as_deref());
        match text {
            Some(t) => format!("{id} {t}"),
            None => id.to_string(),
        }
    }

    /// Whether there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.survey.is_none()
            && self.gaps.is_none()
            && self.compliance.is_none()
            && self.sqi.is_none()
            && self.value.is_none()
            && self.chain.is_none()
    }

    /// Rows read, used and rejected, per input file of every analysis.
    pub fn input_rows(&self) -> Vec<crate::model::tallies::InputRows> {
        let mut rows = Vec::new();
        if let Some(s) = &self.survey {
            rows.extend(s.input_rows());
        }
        if let Some(g) = &self.gaps {
            // the customer survey is the survey's, already counted
            rows.extend(
                g.input_rows()
                    .into_iter()
                    .skip(usize::from(self.survey.is_some())),
            );
        }
        if let Some(c) = &self.compliance {
            rows.extend(c.input_rows());
        }
        if let Some(q) = &self.sqi {
            rows.extend(q.input_rows());
        }
        if let Some(v) = &self.value {
            // a joined survey is the survey's, already counted
            let skip_survey = self.survey.is_some() && v.inputs.survey.is_some();
            rows.extend(
                v.input_rows()
                    .into_iter()
                    .take(if skip_survey { 1 } else { 2 }),
            );
        }
        if let Some(c) = &self.chain {
            rows.extend(c.input_rows());
        }
        rows
    }
}
