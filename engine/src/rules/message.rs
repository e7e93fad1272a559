//! Message templates: `勾稽关系不成立：{列}列…{左}…{右}`. Placeholders are
//! checked against what the rule kind supplies when the pack loads.

/// The placeholder names in a template, in order.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.push(&after[..close]);
        rest = &after[close + 1..];
    }
    out
}

/// Fills the placeholders from `values`; an unknown one stays as written.
pub fn render(template: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &after[..close];
        match values.iter().find(|(k, _)| *k == name) {
            Some((_, v)) => out.push_str(v),
            None => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_named_values() {
        let t = "勾稽关系不成立：{列}列为{左}，应为{右}";
        assert_eq!(placeholders(t), ["列", "左", "右"]);
        assert_eq!(
            render(
                t,
                &[
                    ("列", "总计".into()),
                    ("左", "17".into()),
                    ("右", "18".into())
                ]
            ),
            "勾稽关系不成立：总计列为17，应为18"
        );
    }
}
