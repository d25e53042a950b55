//! The README's key table lists every key the keymap has, so the two cannot drift apart.

use symphony::app::keymap::Keymap;

#[test]
fn the_readme_lists_every_key() {
    let readme = include_str!("../README.md");
    for (section, keys, description) in Keymap::default().help_rows() {
        let row = format!("| {section}: `{keys}` | {description} |");
        assert!(
            readme.contains(&row),
            "README.md lacks the row `{row}`: update its key table"
        );
    }
}
