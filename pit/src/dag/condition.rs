//! The condition language of conditional edges: a small expression over the JSON value the
//! edge's source node produced.
//!
//! ```text
//! expr    := or
//! or      := and ( "||" and )*
//! and     := unary ( "&&" unary )*
//! unary   := "!" unary | compare
//! compare := operand ( ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) operand )?
//! operand := number | "string" | 'string' | true | false | null | path | "(" expr ")"
//! path    := name ( "." name | "[" digits "]" )*
//! ```
//!
//! A path reads the source's value: `value` (or `output`) is the whole value, any other
//! first name is a field of it (`lines > 1000` reads `value.lines`); a missing field is
//! `null`. A bare operand is true unless it is `false`, `null`, `0`, `""`, `[]` or `{}`.
//! Numbers compare as numbers, strings by code point; `==` and `!=` compare any values;
//! ordering anything else is an error that names both sides.

use std::cmp::Ordering;
use std::fmt;

use serde_json::Value;

/// A parsed condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition(Expr);

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Literal(Value),
    Path(Vec<Step>),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Compare(Box<Expr>, Op, Box<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    Index(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        })
    }
}

/// Deepest nesting of parentheses and `!` accepted (a hostile file cannot overflow the stack).
const MAX_DEPTH: usize = 64;

impl Condition {
    /// Parses a condition; the error says where and what was expected.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut parser = Parser {
            text,
            at: 0,
            depth: 0,
        };
        let expr = parser.or()?;
        parser.skip_space();
        if parser.at < text.len() {
            return Err(parser.error("an operator or the end of the condition"));
        }
        Ok(Condition(expr))
    }

    /// Evaluates the condition against a node's value (`None` when it produced none).
    pub fn eval(&self, value: Option<&Value>) -> Result<bool, String> {
        let value = value.unwrap_or(&Value::Null);
        Ok(truthy(&eval(&self.0, value)?))
    }
}

fn eval(expr: &Expr, value: &Value) -> Result<Value, String> {
    Ok(match expr {
        Expr::Literal(v) => v.clone(),
        Expr::Path(steps) => lookup(value, steps),
        Expr::Not(e) => Value::Bool(!truthy(&eval(e, value)?)),
        Expr::And(a, b) => Value::Bool(truthy(&eval(a, value)?) && truthy(&eval(b, value)?)),
        Expr::Or(a, b) => Value::Bool(truthy(&eval(a, value)?) || truthy(&eval(b, value)?)),
        Expr::Compare(a, op, b) => {
            let (a, b) = (eval(a, value)?, eval(b, value)?);
            Value::Bool(compare(&a, *op, &b)?)
        }
    })
}

fn lookup(value: &Value, steps: &[Step]) -> Value {
    let mut at = value;
    for step in steps {
        let next = match (step, at) {
            (Step::Field(name), Value::Object(map)) => map.get(name),
            (Step::Index(i), Value::Array(items)) => items.get(*i),
            _ => None,
        };
        match next {
            Some(v) => at = v,
            None => return Value::Null,
        }
    }
    at.clone()
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

fn compare(a: &Value, op: Op, b: &Value) -> Result<bool, String> {
    let ordering = match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            x.partial_cmp(&y)
        }
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        _ if matches!(op, Op::Eq | Op::Ne) => None,
        _ => {
            return Err(format!(
                "cannot order {} and {} with `{op}`; compare numbers with numbers and strings \
                 with strings",
                describe(a),
                describe(b)
            ));
        }
    };
    Ok(match op {
        Op::Eq => ordering.map_or_else(|| a == b, |o| o == Ordering::Equal),
        Op::Ne => ordering.map_or_else(|| a != b, |o| o != Ordering::Equal),
        Op::Lt => ordering == Some(Ordering::Less),
        Op::Le => matches!(ordering, Some(Ordering::Less | Ordering::Equal)),
        Op::Gt => ordering == Some(Ordering::Greater),
        Op::Ge => matches!(ordering, Some(Ordering::Greater | Ordering::Equal)),
    })
}

fn describe(value: &Value) -> String {
    let text = value.to_string();
    let shown: String = text.chars().take(40).collect();
    let kind = match value {
        Value::Null => return "null (a missing field?)".to_owned(),
        Value::Bool(_) => "the boolean",
        Value::Number(_) => "the number",
        Value::String(_) => "the string",
        Value::Array(_) => "the array",
        Value::Object(_) => "the object",
    };
    if shown.len() < text.len() {
        format!("{kind} {shown}…")
    } else {
        format!("{kind} {shown}")
    }
}

struct Parser<'t> {
    text: &'t str,
    at: usize,
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, expected: &str) -> String {
        let found: String = self.text[self.at..].chars().take(12).collect();
        let found = if found.is_empty() {
            "the end".to_owned()
        } else {
            format!("`{found}`")
        };
        format!(
            "at column {}: expected {expected}, found {found}",
            self.text[..self.at].chars().count() + 1
        )
    }

    fn skip_space(&mut self) {
        let rest = &self.text[self.at..];
        self.at += rest.len() - rest.trim_start().len();
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_space();
        if self.text[self.at..].starts_with(token) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    fn deeper(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!("nests deeper than {MAX_DEPTH} levels"));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.eat("||") {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        while self.eat("&&") {
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        self.skip_space();
        if self.text[self.at..].starts_with('!') && !self.text[self.at..].starts_with("!=") {
            self.at += 1;
            self.deeper()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.compare()
    }

    fn compare(&mut self) -> Result<Expr, String> {
        let left = self.operand()?;
        for (token, op) in [
            ("==", Op::Eq),
            ("!=", Op::Ne),
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("<", Op::Lt),
            (">", Op::Gt),
        ] {
            if self.eat(token) {
                let right = self.operand()?;
                return Ok(Expr::Compare(Box::new(left), op, Box::new(right)));
            }
        }
        Ok(left)
    }

    fn operand(&mut self) -> Result<Expr, String> {
        self.skip_space();
        let rest = &self.text[self.at..];
        let Some(first) = rest.chars().next() else {
            return Err(self.error("a value, a field name or `(`"));
        };
        if first == '(' {
            self.at += 1;
            self.deeper()?;
            let inner = self.or()?;
            self.depth -= 1;
            if !self.eat(")") {
                return Err(self.error("`)`"));
            }
            return Ok(inner);
        }
        if first == '"' || first == '\'' {
            return self.string(first);
        }
        if first.is_ascii_digit() || first == '-' {
            return self.number();
        }
        if first.is_ascii_alphabetic() || first == '_' {
            return self.path();
        }
        Err(self.error("a value, a field name or `(`"))
    }

    fn string(&mut self, quote: char) -> Result<Expr, String> {
        let start = self.at + 1;
        let Some(len) = self.text[start..].find(quote) else {
            return Err(self.error(&format!("a closing {quote}")));
        };
        self.at = start + len + 1;
        Ok(Expr::Literal(Value::String(
            self.text[start..start + len].to_owned(),
        )))
    }

    fn number(&mut self) -> Result<Expr, String> {
        let rest = &self.text[self.at..];
        let len = rest
            .char_indices()
            .find(|&(i, c)| {
                !(c.is_ascii_digit() || c == '.' || c == 'e' || c == 'E' || (c == '-' && i == 0))
            })
            .map_or(rest.len(), |(i, _)| i);
        let number: f64 = rest[..len].parse().map_err(|_| self.error("a number"))?;
        self.at += len;
        let value = serde_json::Number::from_f64(number).map_or(Value::Null, Value::Number);
        Ok(Expr::Literal(value))
    }

    fn name(&mut self) -> &str {
        let rest = &self.text[self.at..];
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        self.at += len;
        &rest[..len]
    }

    fn path(&mut self) -> Result<Expr, String> {
        let first = self.name().to_owned();
        match first.as_str() {
            "true" => return Ok(Expr::Literal(Value::Bool(true))),
            "false" => return Ok(Expr::Literal(Value::Bool(false))),
            "null" => return Ok(Expr::Literal(Value::Null)),
            _ => {}
        }
        let mut steps = Vec::new();
        if first != "value" && first != "output" {
            steps.push(Step::Field(first));
        }
        loop {
            let rest = &self.text[self.at..];
            if rest.starts_with('.') {
                self.at += 1;
                let name = self.name().to_owned();
                if name.is_empty() {
                    return Err(self.error("a field name after `.`"));
                }
                steps.push(Step::Field(name));
            } else if rest.starts_with('[') {
                self.at += 1;
                let digits = self.text[self.at..]
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(self.text.len() - self.at);
                let index = self.text[self.at..self.at + digits]
                    .parse()
                    .map_err(|_| self.error("an index"))?;
                self.at += digits;
                if !self.text[self.at..].starts_with(']') {
                    return Err(self.error("`]`"));
                }
                self.at += 1;
                steps.push(Step::Index(index));
            } else {
                return Ok(Expr::Path(steps));
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check(condition: &str, value: Value) -> Result<bool, String> {
        Condition::parse(condition)?.eval(Some(&value))
    }

    #[test]
    fn comparisons_read_fields_of_the_value() {
        let v = json!({"lines": 1500, "status": "ok", "items": [1, 2], "deep": {"x": true}});
        assert_eq!(check("lines > 1000", v.clone()), Ok(true));
        assert_eq!(check("lines <= 1000", v.clone()), Ok(false));
        assert_eq!(
            check("status == 'ok' && items[1] == 2", v.clone()),
            Ok(true)
        );
        assert_eq!(check("deep.x || false", v.clone()), Ok(true));
        assert_eq!(check("!(status != \"ok\")", v.clone()), Ok(true));
        assert_eq!(check("missing == null", v.clone()), Ok(true));
        assert_eq!(check("items", v.clone()), Ok(true));
        assert_eq!(check("value > -2.5e1", json!(3)), Ok(true));
        assert_eq!(check("output == 'yes'", json!("yes")), Ok(true));
    }

    #[test]
    fn ordering_mismatched_values_names_both_sides() {
        let error = check("lines > 1000", json!({})).unwrap_err();
        assert!(error.contains("null (a missing field?)"), "{error}");
        assert!(error.contains("the number 1000"), "{error}");
    }

    #[test]
    fn syntax_errors_say_where_and_what_was_expected() {
        assert_eq!(
            Condition::parse("lines >").unwrap_err(),
            "at column 8: expected a value, a field name or `(`, found the end"
        );
        assert!(Condition::parse("(a").unwrap_err().contains("`)`"));
        assert!(Condition::parse("a b").unwrap_err().contains("column 3"));
        assert!(Condition::parse("'open").unwrap_err().contains("closing"));
        let deep = format!("{}a{}", "(".repeat(100), ")".repeat(100));
        assert!(Condition::parse(&deep).unwrap_err().contains("deeper"));
    }
}
