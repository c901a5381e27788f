//! HTML building blocks: escaping (every piece of text from a results folder goes through
//! [`escape`]), the page skeleton and its stylesheet. No script, nothing fetched.

/// `text` safe inside HTML elements and quoted attributes.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The stylesheet: readable type, tables with aligned numbers, charts that shrink with the window.
const CSS: &str = r#"
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #111;
       margin: 24px auto; max-width: 1160px; padding: 0 16px; line-height: 1.45; }
h1 { font-size: 28px; margin-bottom: 4px; }
h2 { font-size: 21px; margin-top: 36px; border-bottom: 1px solid #ccc; padding-bottom: 4px; }
h3 { font-size: 17px; margin: 20px 0 6px; }
.subtitle { color: #444; margin-top: 0; }
.note { background: #f4f4f4; border-left: 4px solid #0072b2; padding: 8px 12px; }
figure { margin: 12px 0 24px; }
figcaption { color: #333; font-size: 14px; max-width: 1100px; }
svg.chart { max-width: 100%; height: auto; display: block; }
table { border-collapse: collapse; font-size: 14px; margin: 8px 0 20px; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e2e2e2; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th { background: #f4f4f4; }
table.matrix { font-size: 12px; }
table.matrix td { text-align: right; border: 1px solid #fff; font-variant-numeric: tabular-nums; }
table.matrix td.same { background: #e8e8e8; color: #555; font-style: italic; }
table.matrix th.to { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; }
dl.manifest { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; font-size: 14px; }
dl.manifest dt { font-weight: 600; }
dl.manifest dd { margin: 0; font-family: ui-monospace, "DejaVu Sans Mono", monospace; word-break: break-all; }
"#;

/// A whole page: `title` (escaped here) and `body` (already HTML).
pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(escape(r#"<b>"A&B's"</b>"#), "&lt;b&gt;&quot;A&amp;B&#39;s&quot;&lt;/b&gt;");
        assert_eq!(escape("Whole Foods · 0.97"), "Whole Foods · 0.97");
    }

    #[test]
    fn a_page_has_no_script_and_an_escaped_title() {
        let html = page("a <script>", "<p>x</p>");
        assert!(html.contains("<title>a &lt;script&gt;</title>"));
        assert!(!html.contains("<script"));
    }
}
