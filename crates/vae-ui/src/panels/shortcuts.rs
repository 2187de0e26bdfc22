//! Keyboard shortcuts: which key does what. Free of the DOM so the table is tested natively.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
use super::sections::Section;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// A button to press, by id.
    Press(&'static str),
    Open(Section),
    ToggleBig,
    ToggleHelp,
    CloseHelp,
}

/// The action of a key (`KeyboardEvent.key`); None for keys the page leaves alone.
pub fn action_for(key: &str) -> Option<Action> {
    Some(match key {
        " " => Action::Press("train"),
        "s" | "S" => Action::Press("step"),
        "r" | "R" => Action::Press("reset"),
        "n" | "N" => Action::Press("resample"),
        "b" | "B" => Action::ToggleBig,
        "?" => Action::ToggleHelp,
        "Escape" => Action::CloseHelp,
        digit => {
            let i: usize = digit.parse().ok()?;
            Action::Open(*Section::ALL.get(i.checked_sub(1)?)?)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_the_buttons_and_sections() {
        assert_eq!(action_for(" "), Some(Action::Press("train")));
        assert_eq!(action_for("S"), Some(Action::Press("step")));
        assert_eq!(action_for("n"), Some(Action::Press("resample")));
        assert_eq!(action_for("1"), Some(Action::Open(Section::Train)));
        assert_eq!(action_for("5"), Some(Action::Open(Section::Apply)));
        assert_eq!(
            (action_for("0"), action_for("6"), action_for("x")),
            (None, None, None)
        );
        assert_eq!(action_for("?"), Some(Action::ToggleHelp));
    }
}
