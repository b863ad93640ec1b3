//! Field tables: each message and the meta list their fields once (name, type, accessor,
//! one-line doc). Structures are built and parsed from them, the report tool takes its
//! columns from the meta's table, and a test compares them with docs/messages.md.

use std::fmt;

use gst::glib;

/// Version of the message and meta schema; bumped on incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

/// A field's type in the structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Uint,
    Uint64,
    Double,
    Boolean,
    String,
    /// A `GstValueArray` of ints.
    IntArray,
    /// A `GstValueArray` of doubles.
    DoubleArray,
    /// A `GstValueArray` of structures.
    StructureArray,
}

impl FieldType {
    /// The name docs/messages.md gives the type.
    pub fn doc_name(self) -> &'static str {
        match self {
            FieldType::Uint => "guint",
            FieldType::Uint64 => "guint64",
            FieldType::Double => "double",
            FieldType::Boolean => "boolean",
            FieldType::String => "string",
            FieldType::IntArray => "array of ints",
            FieldType::DoubleArray => "array of doubles",
            FieldType::StructureArray => "array of structures",
        }
    }
}

/// A field's value.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Uint(u32),
    Uint64(u64),
    Double(f64),
    Boolean(bool),
    String(String),
    IntArray(Vec<i32>),
    DoubleArray(Vec<f64>),
    StructureArray(Vec<gst::Structure>),
}

impl FieldValue {
    fn to_send_value(&self) -> glib::SendValue {
        use glib::prelude::*;
        match self {
            FieldValue::Uint(v) => v.to_send_value(),
            FieldValue::Uint64(v) => v.to_send_value(),
            FieldValue::Double(v) => v.to_send_value(),
            FieldValue::Boolean(v) => v.to_send_value(),
            FieldValue::String(v) => v.to_send_value(),
            FieldValue::IntArray(v) => gst::Array::new(v.iter().copied()).to_send_value(),
            FieldValue::DoubleArray(v) => gst::Array::new(v.iter().copied()).to_send_value(),
            FieldValue::StructureArray(v) => gst::Array::new(v.iter().cloned()).to_send_value(),
        }
    }

    /// Reads `value` as `ty`; None when it has another type.
    fn read(value: &glib::SendValue, ty: FieldType) -> Option<FieldValue> {
        let array = || value.get::<gst::Array>().ok();
        Some(match ty {
            FieldType::Uint => FieldValue::Uint(value.get().ok()?),
            FieldType::Uint64 => FieldValue::Uint64(value.get().ok()?),
            FieldType::Double => FieldValue::Double(value.get().ok()?),
            FieldType::Boolean => FieldValue::Boolean(value.get().ok()?),
            FieldType::String => FieldValue::String(value.get().ok()?),
            FieldType::IntArray => FieldValue::IntArray(
                array()?
                    .iter()
                    .map(|v| v.get().ok())
                    .collect::<Option<_>>()?,
            ),
            FieldType::DoubleArray => FieldValue::DoubleArray(
                array()?
                    .iter()
                    .map(|v| v.get().ok())
                    .collect::<Option<_>>()?,
            ),
            FieldType::StructureArray => FieldValue::StructureArray(
                array()?
                    .iter()
                    .map(|v| v.get::<gst::Structure>().ok())
                    .collect::<Option<_>>()?,
            ),
        })
    }

    /// The value as JSON (arrays of structures as arrays of objects, their fields by name).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            FieldValue::Uint(v) => Value::from(*v),
            FieldValue::Uint64(v) => Value::from(*v),
            FieldValue::Double(v) => Value::from(*v),
            FieldValue::Boolean(v) => Value::from(*v),
            FieldValue::String(v) => Value::from(v.as_str()),
            FieldValue::IntArray(v) => Value::from(v.clone()),
            FieldValue::DoubleArray(v) => Value::from(v.clone()),
            FieldValue::StructureArray(v) => {
                Value::from(v.iter().map(|s| structure_json(s)).collect::<Vec<_>>())
            }
        }
    }
}

/// A structure's fields as a JSON object; values of a type JSON has no word for (nested
/// structures, fractions) as their serialised text.
pub fn structure_json(s: &gst::StructureRef) -> serde_json::Value {
    use gst::prelude::GstValueExt;
    use serde_json::Value;
    let value = |v: &glib::SendValue| -> Value {
        if let Ok(x) = v.get::<u64>() {
            Value::from(x)
        } else if let Ok(x) = v.get::<u32>() {
            Value::from(x)
        } else if let Ok(x) = v.get::<i64>() {
            Value::from(x)
        } else if let Ok(x) = v.get::<i32>() {
            Value::from(x)
        } else if let Ok(x) = v.get::<f64>() {
            Value::from(x)
        } else if let Ok(x) = v.get::<bool>() {
            Value::from(x)
        } else if let Ok(x) = v.get::<String>() {
            Value::from(x)
        } else {
            v.serialize()
                .map_or(Value::Null, |t| Value::from(t.as_str()))
        }
    };
    Value::Object(
        s.iter()
            .map(|(name, v)| (name.to_string(), value(v)))
            .collect(),
    )
}

/// Why a structure does not parse.
#[derive(Debug, Clone, PartialEq)]
pub enum SchemaError {
    /// Another structure name.
    Name {
        expected: &'static str,
        found: String,
    },
    /// A field that must be present is not.
    Missing(&'static str),
    /// A field has another type than its table says.
    WrongType {
        field: &'static str,
        expected: FieldType,
        found: String,
    },
    /// A field's value is not one it takes.
    Invalid { field: &'static str, why: String },
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemaError::Name { expected, found } => {
                write!(f, "structure {found}, expected {expected}")
            }
            SchemaError::Missing(field) => write!(f, "no field {field}"),
            SchemaError::WrongType {
                field,
                expected,
                found,
            } => write!(
                f,
                "field {field} is a {found}, expected {}",
                expected.doc_name()
            ),
            SchemaError::Invalid { field, why } => write!(f, "field {field}: {why}"),
        }
    }
}

impl std::error::Error for SchemaError {}

/// One field of a structure holding a `T`.
pub struct Field<T> {
    pub name: &'static str,
    pub ty: FieldType,
    /// Whether every structure has it.
    pub required: bool,
    /// One line for the docs.
    pub doc: &'static str,
    /// The value to write; None leaves the field out.
    pub get: fn(&T) -> Option<FieldValue>,
    /// Stores a value of type `ty` that was read.
    pub set: fn(&mut T, FieldValue) -> Result<(), String>,
}

/// Builds the structure `name` holding `value` ([`write`]).
pub fn build<T>(name: &str, fields: &[Field<T>], value: &T) -> gst::Structure {
    let mut s = gst::Structure::new_empty(name);
    write(&mut s, fields, value);
    s
}

/// Sets `schema-version`, then the table's fields that `value` has, on `s`.
pub fn write<T>(s: &mut gst::StructureRef, fields: &[Field<T>], value: &T) {
    s.set("schema-version", SCHEMA_VERSION);
    for f in fields {
        if let Some(v) = (f.get)(value) {
            s.set_value(f.name, v.to_send_value());
        }
    }
}

/// Parses the structure `name` into a `T`: every field of the table that is present must
/// have its type and a value it takes, and required ones must be present.
pub fn parse<T: Default>(
    s: &gst::StructureRef,
    name: &'static str,
    fields: &[Field<T>],
) -> Result<T, SchemaError> {
    if s.name() != name {
        return Err(SchemaError::Name {
            expected: name,
            found: s.name().to_string(),
        });
    }
    read(s, fields)
}

/// Reads the table's fields from `s` into a `T` (the structure's name is not checked).
pub fn read<T: Default>(s: &gst::StructureRef, fields: &[Field<T>]) -> Result<T, SchemaError> {
    let mut out = T::default();
    for f in fields {
        let Ok(value) = s.value(f.name) else {
            if f.required {
                return Err(SchemaError::Missing(f.name));
            }
            continue;
        };
        let v = FieldValue::read(value, f.ty).ok_or_else(|| SchemaError::WrongType {
            field: f.name,
            expected: f.ty,
            found: value.type_().name().to_string(),
        })?;
        (f.set)(&mut out, v).map_err(|why| SchemaError::Invalid { field: f.name, why })?;
    }
    Ok(out)
}

/// Unwraps a [`FieldValue`] of the variant a table's `set` was given.
macro_rules! value_as {
    ($v:expr, $variant:ident) => {
        match $v {
            $crate::schema::FieldValue::$variant(x) => x,
            other => unreachable!("parse checked the type: {other:?}"),
        }
    };
}
pub(crate) use value_as;

/// A field of member `$m` (a path) of plain type (`Uint`, `Double`, ...), always present.
macro_rules! required {
    ($t:ty, $name:literal, $($m:ident).+, $variant:ident, $doc:literal) => {
        $crate::schema::Field::<$t> {
            name: $name,
            ty: $crate::schema::FieldType::$variant,
            required: true,
            doc: $doc,
            get: |v| Some($crate::schema::FieldValue::$variant(v.$($m).+)),
            set: |v, x| {
                v.$($m).+ = $crate::schema::value_as!(x, $variant);
                Ok(())
            },
        }
    };
}

/// A field of member `$m: Option<_>` (a path), left out when None.
macro_rules! optional {
    ($t:ty, $name:literal, $($m:ident).+, $variant:ident, $doc:literal) => {
        $crate::schema::Field::<$t> {
            name: $name,
            ty: $crate::schema::FieldType::$variant,
            required: false,
            doc: $doc,
            get: |v| v.$($m).+.map($crate::schema::FieldValue::$variant),
            set: |v, x| {
                v.$($m).+ = Some($crate::schema::value_as!(x, $variant));
                Ok(())
            },
        }
    };
}

/// A string field of member `$m`, an enum with `as_str` and `parse`.
macro_rules! keyword {
    ($t:ty, $name:literal, $($m:ident).+, $kind:ty, $doc:literal) => {
        $crate::schema::Field::<$t> {
            name: $name,
            ty: $crate::schema::FieldType::String,
            required: true,
            doc: $doc,
            get: |v| Some($crate::schema::FieldValue::String(v.$($m).+.as_str().to_string())),
            set: |v, x| {
                let text = $crate::schema::value_as!(x, String);
                v.$($m).+ = <$kind>::parse(&text).ok_or_else(|| format!("unknown value {text:?}"))?;
                Ok(())
            },
        }
    };
}
pub(crate) use {keyword, optional, required};
