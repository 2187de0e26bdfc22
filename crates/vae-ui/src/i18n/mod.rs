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
        // Every Rust source of the page but the catalogues themselves.
        fn read_sources(dir: &std::path::Path, out: &mut String) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    read_sources(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs")
                    && !path.ends_with("i18n/zh.rs")
                {
                    out.push_str(&std::fs::read_to_string(&path).unwrap());
                }
            }
        }
        let mut sources = String::new();
        read_sources(
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
            &mut sources,
        );
        for (i, (en, zh)) in zh::ZH.iter().enumerate() {
            assert!(
                texts.iter().any(|t| t == en) || sources.contains(en),
                "unused: {en:?}"
            );
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
