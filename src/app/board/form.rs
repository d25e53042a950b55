//! A form of typed fields: a template's parameters before it is instantiated, or a node's
//! parameters from its extension's config schema. Plain data with pure edits; each field
//! checks its own text and keeps the reason beside it.

use pit::dag::NodeId;
use serde_json::{Map, Value};

/// What a field holds, and so how its text is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    /// Any text.
    Text,
    /// A whole number.
    Integer,
    /// A number.
    Number,
    /// `true` or `false` (Space flips it).
    Boolean,
    /// One of these (Space picks the next).
    Choice(Vec<String>),
    /// A JSON value; text that is not JSON is taken as a string.
    Any,
}

impl FieldKind {
    /// The kind a value of unknown schema suggests: its own type.
    pub fn of_value(value: &Value) -> FieldKind {
        match value {
            Value::Bool(_) => FieldKind::Boolean,
            Value::Number(n) if n.is_i64() || n.is_u64() => FieldKind::Integer,
            Value::Number(_) => FieldKind::Number,
            Value::String(_) => FieldKind::Text,
            _ => FieldKind::Any,
        }
    }

    /// A word for the form: `text`, `integer`, `number`, `true/false`, `one of …`, `JSON`.
    pub fn label(&self) -> String {
        match self {
            FieldKind::Text => "text".to_owned(),
            FieldKind::Integer => "integer".to_owned(),
            FieldKind::Number => "number".to_owned(),
            FieldKind::Boolean => "true/false".to_owned(),
            FieldKind::Choice(choices) => format!("one of {}", choices.join(", ")),
            FieldKind::Any => "value".to_owned(),
        }
    }
}

/// One field's schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    /// The parameter's name (the key written).
    pub name: String,
    /// What it means.
    pub description: String,
    /// How its text is read.
    pub kind: FieldKind,
    /// What applies when it is left empty.
    pub default: Option<Value>,
    /// Whether it must be given (it has no default).
    pub required: bool,
}

impl FieldSpec {
    /// A field with a name, a kind and a description; no default, not required.
    pub fn new(name: &str, kind: FieldKind, description: &str) -> FieldSpec {
        FieldSpec {
            name: name.to_owned(),
            description: description.to_owned(),
            kind,
            default: None,
            required: false,
        }
    }
}

/// A field being filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Its schema.
    pub spec: FieldSpec,
    /// What has been typed.
    pub input: String,
    /// Why the input was refused, after the last attempt to save.
    pub error: Option<String>,
}

impl Field {
    /// An empty field.
    pub fn new(spec: FieldSpec) -> Field {
        Field {
            spec,
            input: String::new(),
            error: None,
        }
    }

    /// A field showing `value`.
    pub fn with_value(spec: FieldSpec, value: Option<&Value>) -> Field {
        let mut field = Field::new(spec);
        field.input = value.map(text_of).unwrap_or_default();
        field
    }

    /// The value typed, `None` when empty (the default applies), or why it is refused.
    pub fn value(&self) -> Result<Option<Value>, String> {
        let text = self.input.trim();
        if text.is_empty() {
            return if self.spec.required {
                Err("required: give a value".to_owned())
            } else {
                Ok(None)
            };
        }
        let value = match &self.spec.kind {
            FieldKind::Text => Value::String(self.input.clone()),
            FieldKind::Integer => text
                .parse::<i64>()
                .map(Value::from)
                .map_err(|_| format!("`{text}` is not a whole number"))?,
            FieldKind::Number => text
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .and_then(serde_json::Number::from_f64)
                .map(|n| match text.parse::<i64>() {
                    Ok(whole) => Value::from(whole),
                    Err(_) => Value::Number(n),
                })
                .ok_or_else(|| format!("`{text}` is not a number"))?,
            FieldKind::Boolean => match text {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => return Err(format!("`{text}` is neither true nor false")),
            },
            FieldKind::Choice(choices) => {
                if !choices.iter().any(|c| c == text) {
                    return Err(format!("`{text}` is not one of: {}", choices.join(", ")));
                }
                Value::String(text.to_owned())
            }
            FieldKind::Any => {
                serde_json::from_str(text).unwrap_or_else(|_| Value::String(self.input.clone()))
            }
        };
        Ok(Some(value))
    }

    /// Space on a true/false or choice field: the next value; elsewhere, a space typed.
    fn cycle(&mut self) -> bool {
        let next = match &self.spec.kind {
            FieldKind::Boolean => Some(if self.input.trim() == "true" {
                "false".to_owned()
            } else {
                "true".to_owned()
            }),
            FieldKind::Choice(choices) if !choices.is_empty() => {
                let at = choices.iter().position(|c| c == self.input.trim());
                Some(choices[at.map_or(0, |i| (i + 1) % choices.len())].clone())
            }
            _ => None,
        };
        match next {
            Some(next) => {
                self.input = next;
                true
            }
            None => false,
        }
    }
}

/// What a form's values are for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormPurpose {
    /// The parameters of the template with this id, which is then instantiated.
    Template(String),
    /// The parameters of this node, replaced by the form's values.
    Node(NodeId),
}

/// A form while it is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// Its heading.
    pub title: String,
    /// What the values are for.
    pub purpose: FormPurpose,
    /// Its fields, in order.
    pub fields: Vec<Field>,
    /// The field being edited.
    pub selected: usize,
    /// Why the last Enter did not go through, when no single field is to blame.
    pub problem: Option<String>,
}

impl Form {
    /// A form of `fields` for `purpose`.
    pub fn new(title: impl Into<String>, purpose: FormPurpose, fields: Vec<Field>) -> Form {
        Form {
            title: title.into(),
            purpose,
            fields,
            selected: 0,
            problem: None,
        }
    }

    /// Moves to another field: one step wraps at the ends, a page stops there.
    pub fn move_by(&mut self, delta: i32) {
        let n = self.fields.len() as i64;
        if n == 0 {
            return;
        }
        let at = self.selected as i64 + i64::from(delta);
        self.selected = if delta.abs() == 1 {
            at.rem_euclid(n)
        } else {
            at.clamp(0, n - 1)
        } as usize;
    }

    /// A character typed into the selected field (Space flips a true/false or choice field).
    pub fn type_char(&mut self, c: char) {
        self.problem = None;
        let Some(field) = self.fields.get_mut(self.selected) else {
            return;
        };
        field.error = None;
        if c == ' ' && field.cycle() {
            return;
        }
        if matches!(field.spec.kind, FieldKind::Boolean | FieldKind::Choice(_)) {
            // Typing picks the first choice starting with what the field now reads.
            let typed = format!("{}{c}", field.input);
            let options: Vec<String> = match &field.spec.kind {
                FieldKind::Boolean => vec!["true".to_owned(), "false".to_owned()],
                FieldKind::Choice(choices) => choices.clone(),
                _ => Vec::new(),
            };
            let pick = options
                .iter()
                .find(|o| o.starts_with(&typed))
                .or_else(|| options.iter().find(|o| o.starts_with(c)));
            if let Some(pick) = pick {
                field.input = pick.clone();
            }
            return;
        }
        field.input.push(c);
    }

    /// Text pasted into the selected field (its first line).
    pub fn paste(&mut self, text: &str) {
        for c in text.lines().next().unwrap_or_default().chars() {
            self.type_char(c);
        }
    }

    /// Backspace in the selected field (clears a true/false or choice field).
    pub fn backspace(&mut self) {
        if let Some(field) = self.fields.get_mut(self.selected) {
            field.error = None;
            if matches!(field.spec.kind, FieldKind::Boolean | FieldKind::Choice(_)) {
                field.input.clear();
            } else {
                field.input.pop();
            }
        }
    }

    /// Every field's value by name (empty fields left out), or `None` with each refused
    /// field's reason set and the first of them selected.
    pub fn values(&mut self) -> Option<Map<String, Value>> {
        let mut values = Map::new();
        let mut first_bad = None;
        for (i, field) in self.fields.iter_mut().enumerate() {
            match field.value() {
                Ok(Some(value)) => {
                    field.error = None;
                    values.insert(field.spec.name.clone(), value);
                }
                Ok(None) => field.error = None,
                Err(reason) => {
                    field.error = Some(reason);
                    first_bad.get_or_insert(i);
                }
            }
        }
        match first_bad {
            Some(i) => {
                self.selected = i;
                None
            }
            None => Some(values),
        }
    }

    /// How many fields are refused.
    pub fn errors(&self) -> usize {
        self.fields.iter().filter(|f| f.error.is_some()).count()
    }
}

/// A value as a field shows it: strings bare, the rest as JSON.
pub fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(kinds: &[(&str, FieldKind, bool)]) -> Form {
        let fields = kinds
            .iter()
            .map(|(name, kind, required)| {
                let mut spec = FieldSpec::new(name, kind.clone(), "");
                spec.required = *required;
                Field::new(spec)
            })
            .collect();
        Form::new("t", FormPurpose::Template("t".into()), fields)
    }

    #[test]
    fn typed_text_is_read_by_kind_and_refusals_name_the_reason() {
        let mut f = form(&[
            ("n", FieldKind::Integer, false),
            ("x", FieldKind::Number, false),
            ("b", FieldKind::Boolean, true),
            (
                "c",
                FieldKind::Choice(vec!["up".into(), "down".into()]),
                false,
            ),
            ("any", FieldKind::Any, false),
        ]);
        f.paste("12a");
        f.move_by(1);
        f.paste("0.5");
        f.move_by(1);
        f.move_by(1);
        f.type_char('d');
        f.move_by(1);
        f.paste("[1, 2]");
        assert_eq!(f.values(), None);
        assert_eq!(
            f.fields[0].error.as_deref(),
            Some("`12a` is not a whole number")
        );
        assert_eq!(f.fields[2].error.as_deref(), Some("required: give a value"));
        assert_eq!(f.selected, 0, "the first refused field is selected");
        assert_eq!(f.errors(), 2);
        f.backspace();
        f.move_by(2);
        f.type_char(' ');
        let values = f.values().expect("all accepted");
        assert_eq!(values["n"], Value::from(12));
        assert_eq!(values["x"], Value::from(0.5));
        assert_eq!(values["b"], Value::Bool(true));
        assert_eq!(values["c"], Value::from("down"));
        assert_eq!(values["any"], serde_json::json!([1, 2]));
    }

    #[test]
    fn space_cycles_choices_and_empty_optional_fields_are_left_out() {
        let mut f = form(&[
            ("c", FieldKind::Choice(vec!["a".into(), "b".into()]), false),
            ("t", FieldKind::Text, false),
        ]);
        f.type_char(' ');
        assert_eq!(f.fields[0].input, "a");
        f.type_char(' ');
        assert_eq!(f.fields[0].input, "b");
        f.move_by(-1);
        assert_eq!(f.selected, 1, "moving wraps");
        let values = f.values().expect("accepted");
        assert_eq!(values.len(), 1);
    }
}
