//! The page in English and Simplified Chinese. The English text is the page itself
//! (`www/index.html`, and the strings the panels write); each other language is a catalogue
//! from that text to its translation, applied to the page's text nodes and labels at start and
//! at every switch. Free of the DOM so the catalogues are checked natively.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod zh;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    /// From `?lang=` or the browser's language ("zh-CN", "en-GB", …).
    pub fn from_code(code: &str) -> Option<Lang> {
        let code = code.to_ascii_lowercase();
        if code.starts_with("zh") {
            Some(Lang::Zh)
        } else if code.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// The `lang` attribute of the page.
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-Hans",
        }
    }

    fn catalogue(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Lang::En => &[],
            Lang::Zh => zh::ZH,
        }
    }
}

/// `english` in `lang`; the English itself when the catalogue has nothing for it. Spaces
/// around the text stay (" · train 3.1" joins the text before it either way).
pub fn tr(lang: Lang, english: &str) -> String {
    let Some(translated) = lookup(lang, english) else {
        return english.to_string();
    };
    let core = english.trim();
    let start = english.find(core).unwrap_or(0);
    format!(
        "{}{translated}{}",
        &english[..start],
        &english[start + core.len()..]
    )
}

/// The translation of a whole text (whitespace as in the page is ignored), if there is one.
pub fn lookup(lang: Lang, english: &str) -> Option<&'static str> {
    let key = normalise(english);
    lang.catalogue()
        .iter()
        .find(|(en, _)| *en == key)
        .map(|(_, t)| *t)
}

/// A message built elsewhere (the worker's errors and notices, which carry values and often
/// another message inside) in `lang`: an exact entry, else the first template whose literal
/// parts match, its values translated in turn (an error inside an error) and put in place.
pub fn translate_message(lang: Lang, message: &str) -> String {
    if lang == Lang::En {
        return message.to_string();
    }
    if lookup(lang, message).is_some() {
        return tr(lang, message);
    }
    // The most specific template first: " of " alone would match almost any sentence.
    let mut templates: Vec<&(&str, &str)> = lang
        .catalogue()
        .iter()
        .filter(|(en, _)| en.contains('{'))
        .collect();
    templates.sort_by_key(|(en, _)| std::cmp::Reverse(literal_length(en)));
    for (template, translated) in templates {
        if let Some(values) = match_template(template, message.trim()) {
            let filled = values
                .iter()
                .fold(translated.to_string(), |text, (name, value)| {
                    let value = if value.bytes().any(|b| b.is_ascii_alphabetic()) {
                        translate_message(lang, value)
                    } else {
                        value.clone()
                    };
                    text.replace(&format!("{{{name}}}"), &value)
                });
            return filled;
        }
    }
    message.to_string()
}

/// How much of a template is fixed text (not `{names}`).
fn literal_length(template: &str) -> usize {
    let mut depth = 0;
    template
        .chars()
        .filter(|&c| {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => return depth == 0,
            }
            false
        })
        .count()
}

/// The values of `template`'s `{names}` in `text`, if its literal parts match in order (the
/// first at the start, the last at the end).
fn match_template(template: &str, text: &str) -> Option<Vec<(String, String)>> {
    // Literals and names alternate: literal, name, literal, …, literal.
    let mut literals = Vec::new();
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = open + rest[open..].find('}')?;
        literals.push(&rest[..open]);
        names.push(&rest[open + 1..close]);
        rest = &rest[close + 1..];
    }
    literals.push(rest);
    let (first, last) = (literals[0], literals[literals.len() - 1]);
    if names.is_empty()
        || !text.starts_with(first)
        || !text.ends_with(last)
        || text.len() < first.len() + last.len()
    {
        return None;
    }
    let body = &text[first.len()..text.len() - last.len()];
    let mut values = Vec::new();
    let mut at = 0;
    for (i, name) in names.iter().enumerate() {
        let end = match literals.get(i + 1).filter(|_| i + 1 < names.len()) {
            Some(literal) if !literal.is_empty() => at + body[at..].find(literal)?,
            Some(_) => return None, // two names side by side cannot be told apart
            None => body.len(),
        };
        values.push((name.to_string(), body[at..end].to_string()));
        at = end + literals.get(i + 1).map_or(0, |l| l.len());
    }
    Some(values)
}

/// Runs of whitespace as one space, trimmed: text as the page shows it.
pub fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = include_str!("../../../../www/index.html");

    /// The page's texts and labels, as a browser shows them: text between tags (not in scripts
    /// or styles) with a word in it, and aria-label, title and placeholder values.
    fn page_texts() -> Vec<String> {
        let mut texts = Vec::new();
        let mut rest = PAGE;
        while let Some(open) = rest.find('<') {
            let text = normalise(&rest[..open].replace("&amp;", "&"));
            // Words, not formulas such as q(z|x): two letters in a row.
            if text
                .as_bytes()
                .windows(2)
                .any(|w| w[0].is_ascii_alphabetic() && w[1].is_ascii_alphabetic())
            {
                texts.push(text);
            }
            let close = rest[open..].find('>').map_or(rest.len(), |c| open + c + 1);
            let tag = &rest[open..close];
            for attr in ["aria-label=\"", "title=\"", "placeholder=\""] {
                if let Some(at) = tag
                    .find(attr)
                    .filter(|&at| at == 0 || tag.as_bytes()[at - 1] == b' ')
                {
                    let value = &tag[at + attr.len()..];
                    texts.push(value[..value.find('"').unwrap_or(0)].to_string());
                }
            }
            rest = &rest[close..];
            for raw in ["script", "style"] {
                if tag.starts_with(&format!("<{raw}")) {
                    rest = &rest[rest.find(&format!("</{raw}>")).unwrap_or(0)..];
                }
            }
        }
        texts
    }

    #[test]
    fn every_text_of_the_page_has_a_chinese_translation() {
        let missing: Vec<String> = page_texts()
            .into_iter()
            .filter(|t| lookup(Lang::Zh, t).is_none())
            .collect();
        assert!(missing.is_empty(), "no 中文 for: {missing:#?}");
    }

    #[test]
    fn every_translation_is_used_and_given_once() {
        let texts = page_texts();
        // Every Rust source (the page's, and the worker's and the core's, whose messages the page
        // shows) but the catalogues themselves, string continuations (`\` at a line's end) joined.
        fn read_sources(dir: &std::path::Path, out: &mut String) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() && !path.ends_with("target") {
                    read_sources(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs")
                    && !path.ends_with("i18n/zh.rs")
                {
                    let text = std::fs::read_to_string(&path).unwrap();
                    let mut lines = text.split("\\\n");
                    out.push_str(lines.next().unwrap_or_default());
                    for line in lines {
                        out.push_str(line.trim_start());
                    }
                }
            }
        }
        let mut sources = String::new();
        read_sources(
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/..")),
            &mut sources,
        );
        // A template is used when each of its fixed parts is (the code names its values its own way).
        let used = |en: &str| {
            let parts: Vec<&str> = en
                .split(|c| c == '{' || c == '}')
                .step_by(2)
                .filter(|p| p.trim().len() > 3)
                .collect();
            if en.contains('{') && !parts.is_empty() {
                parts.iter().all(|p| sources.contains(p))
            } else {
                sources.contains(en)
            }
        };
        for (i, (en, zh)) in zh::ZH.iter().enumerate() {
            assert!(texts.iter().any(|t| t == en) || used(en), "unused: {en:?}");
            assert!(
                !zh.is_empty() && zh::ZH[..i].iter().all(|(other, _)| other != en),
                "given twice: {en:?}"
            );
            assert_eq!(
                normalise(en),
                *en,
                "keys are written as the page shows them, without outer spaces"
            );
        }
    }

    #[test]
    fn messages_with_values_and_messages_inside_are_translated() {
        let nested = "could not read that dataset (images file: the IDX file is truncated: its header promises 15680 bytes of data, it holds 15580); the current one is kept";
        assert_eq!(
            translate_message(Lang::Zh, nested),
            "无法读取这个数据集（图像文件：IDX 文件不完整：文件头声明有 15680 字节数据，实际只有 15580）；当前数据集保持不变"
        );
        assert_eq!(
            translate_message(Lang::Zh, "the model is not ready yet"),
            "模型还没有准备好"
        );
        assert_eq!(translate_message(Lang::En, nested), nested);
        assert_eq!(
            translate_message(Lang::Zh, "something no catalogue has"),
            "something no catalogue has"
        );
        assert_eq!(
            match_template("a {x} b {y} c", "a 1 b 2 c"),
            Some(vec![("x".into(), "1".into()), ("y".into(), "2".into())])
        );
        assert_eq!(match_template("a {x} b", "z 1 b"), None);
    }

    #[test]
    fn languages_from_links_and_browsers() {
        assert_eq!(Lang::from_code("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::from_code("en-GB"), Some(Lang::En));
        assert_eq!(Lang::from_code("fr"), None);
        assert_eq!(tr(Lang::Zh, "Latent\n   dimensions"), "潜在维度");
        assert_eq!(
            tr(Lang::Zh, " nats"),
            " 奈特",
            "the spaces around a text stay"
        );
        assert_eq!(tr(Lang::En, "Latent dimensions"), "Latent dimensions");
        assert_eq!(tr(Lang::Zh, "not in the catalogue"), "not in the catalogue");
    }
}
