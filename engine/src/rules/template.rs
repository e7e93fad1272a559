//! `template`: the report follows the format its year calls for (a 2021
//! report filled in on the 2019 tables uses an outdated template).

use std::sync::Arc;

use super::{Check, Compile, Context, RuleMeta};
use crate::diagnostic::Diagnostic;
use crate::model::TemplateBasis;
use crate::pack::PackError;
use crate::structure::template_for_year;

pub const PLACEHOLDERS: &[&str] = &["年度", "应为", "实为"];

#[derive(Debug)]
struct YearFormat;

pub fn compile(cx: &Compile) -> Result<Arc<dyn Check>, PackError> {
    let check = cx.need(&cx.def.check, "check")?;
    if check.value != "year-format" {
        return Err(cx.err(
            check,
            format!(
                "template 规则的 check 应为 year-format，而不是 `{}`",
                check.value
            ),
        ));
    }
    Ok(Arc::new(YearFormat))
}

fn name(t: &str) -> String {
    match t {
        "pre-2019" => "2019 年以前的".into(),
        "2019" => "2019 年试行".into(),
        "2021" => "2021 年".into(),
        other => other.into(),
    }
}

impl Check for YearFormat {
    fn run(&self, cx: &Context, rule: &RuleMeta, out: &mut Vec<Diagnostic>) {
        let r = cx.report;
        let (Some(year), Some(actual), Some(TemplateBasis::Tables)) =
            (&r.year, &r.template, r.template_basis)
        else {
            return;
        };
        let expected = template_for_year(year.value);
        if actual == expected {
            return;
        }
        // Point at the table that shows the layout.
        let span = r
            .tables
            .iter()
            .find(|t| t.template.as_deref() == Some(actual.as_str()))
            .map_or(year.span.clone(), |t| t.span.start..t.span.start);
        let values = [
            ("年度", year.value.to_string()),
            ("应为", name(expected)),
            ("实为", name(actual)),
        ];
        out.push(rule.diag(span, &values));
    }
}
