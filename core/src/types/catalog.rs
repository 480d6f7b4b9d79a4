//! The built-in type catalog: PostgreSQL 15's `pg_type` rows as constant data, found by OID or name.

use super::pg_type::{BY_NAME, RANGES, TYPES};
use super::Oid;

/// What a type is (`pg_type.typtype`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TypeKind {
    /// `b`: a base type (arrays are base types with an element).
    Base,
    /// `c`: a composite (row) type.
    Composite,
    /// `d`: a domain over another type.
    Domain,
    /// `e`: an enum.
    Enum,
    /// `p`: a pseudo-type (`any`, `record`, `void`, …), never stored.
    Pseudo,
    /// `r`: a range type.
    Range,
    /// `m`: a multirange type.
    Multirange,
}

impl TypeKind {
    /// The `pg_type.typtype` letter.
    pub const fn letter(self) -> u8 {
        match self {
            Self::Base => b'b',
            Self::Composite => b'c',
            Self::Domain => b'd',
            Self::Enum => b'e',
            Self::Pseudo => b'p',
            Self::Range => b'r',
            Self::Multirange => b'm',
        }
    }
}

/// One row of `pg_type`, with the columns drivers and catalog queries read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Type {
    /// `oid`.
    pub oid: Oid,
    /// `typname`, as PostgreSQL spells it internally (`int4`, `_int4`, `bpchar`).
    pub name: &'static str,
    /// `typlen`: bytes of a fixed-size value, -1 for varlena, -2 for a C string.
    pub len: i16,
    /// `typbyval`.
    pub by_val: bool,
    /// `typtype`.
    pub kind: TypeKind,
    /// `typcategory` (`A` array, `N` numeric, `S` string, `D` date/time, …).
    pub category: u8,
    /// `typispreferred`.
    pub preferred: bool,
    /// `typdelim`: the array element delimiter (`,`, or `;` for `box`).
    pub delim: u8,
    /// `typrelid`: the relation of a composite type, else 0.
    pub relid: Oid,
    /// `typsubscript`: the subscripting handler, `-` for none.
    pub subscript: &'static str,
    /// `typelem`: the element type of an array (or of a fixed-length type like `name`), else 0.
    pub elem: Oid,
    /// `typarray`: this type's array type, else 0.
    pub array: Oid,
    /// `typinput`.
    pub input: &'static str,
    /// `typoutput`.
    pub output: &'static str,
    /// `typreceive`.
    pub receive: &'static str,
    /// `typsend`.
    pub send: &'static str,
    /// `typmodin`, `-` for none.
    pub modin: &'static str,
    /// `typmodout`, `-` for none.
    pub modout: &'static str,
    /// `typalign`.
    pub align: u8,
    /// `typstorage`.
    pub storage: u8,
    /// `typcollation`.
    pub collation: Oid,
}

impl Type {
    /// The built-in type with this OID.
    pub fn by_oid(oid: Oid) -> Option<&'static Type> {
        TYPES
            .binary_search_by_key(&oid, |t| t.oid)
            .ok()
            .map(|i| &TYPES[i])
    }

    /// The built-in type with this `typname` (`int4`, `_text`), exactly as in `pg_type`.
    pub fn by_name(name: &str) -> Option<&'static Type> {
        BY_NAME
            .binary_search_by(|&i| TYPES[usize::from(i)].name.cmp(name))
            .ok()
            .map(|i| &TYPES[usize::from(BY_NAME[i])])
    }

    /// The built-in type a SQL type name means: a `typname`, or one of the SQL standard's
    /// spellings PostgreSQL's grammar maps to it (`integer`, `double precision`,
    /// `character varying`, `timestamp with time zone`, …), in any case, with a trailing `[]`
    /// for its array type.
    pub fn by_sql_name(name: &str) -> Option<&'static Type> {
        let name = name.trim();
        if let Some(elem) = name.strip_suffix("[]") {
            return Self::by_sql_name(elem).and_then(|t| Self::by_oid(t.array));
        }
        let mut lower = [0u8; 64];
        let len = name.len();
        if len > lower.len() {
            return None;
        }
        for (d, s) in lower.iter_mut().zip(name.bytes()) {
            *d = s.to_ascii_lowercase();
        }
        let lower = core::str::from_utf8(&lower[..len]).ok()?;
        let canonical = SQL_NAMES
            .iter()
            .find(|(sql, _)| *sql == lower)
            .map_or(lower, |(_, typname)| typname);
        Self::by_name(canonical)
    }

    /// The types of this catalog, by OID.
    pub fn all() -> &'static [Type] {
        &TYPES
    }

    /// The element type, for an array type.
    pub fn element(&self) -> Option<&'static Type> {
        (self.category == b'A')
            .then(|| Self::by_oid(self.elem))
            .flatten()
    }

    /// The subtype of a range type, or of a multirange type's ranges.
    pub fn range_subtype(&self) -> Option<&'static Type> {
        RANGES
            .iter()
            .find(|(range, _, multi)| *range == self.oid || *multi == self.oid)
            .and_then(|(_, sub, _)| Self::by_oid(*sub))
    }

    /// The range type of a multirange type.
    pub fn multirange_range(&self) -> Option<&'static Type> {
        RANGES
            .iter()
            .find(|(_, _, multi)| *multi == self.oid)
            .and_then(|(range, _, _)| Self::by_oid(*range))
    }

    /// The name `format_type` gives it without a type modifier (`integer`, `character varying`,
    /// `timestamp with time zone`, `integer[]`, `"char"`).
    pub fn sql_name(&self) -> SqlName<'_> {
        SqlName(self)
    }
}

/// SQL spellings PostgreSQL's grammar turns into a built-in `typname`.
const SQL_NAMES: &[(&str, &str)] = &[
    ("integer", "int4"),
    ("int", "int4"),
    ("smallint", "int2"),
    ("bigint", "int8"),
    ("real", "float4"),
    ("float", "float8"),
    ("double precision", "float8"),
    ("decimal", "numeric"),
    ("dec", "numeric"),
    ("boolean", "bool"),
    ("character varying", "varchar"),
    ("char varying", "varchar"),
    ("character", "bpchar"),
    ("char", "bpchar"),
    ("\"char\"", "char"),
    ("timestamp without time zone", "timestamp"),
    ("timestamp with time zone", "timestamptz"),
    ("time without time zone", "time"),
    ("time with time zone", "timetz"),
    ("bit varying", "varbit"),
    ("serial", "int4"),
    ("serial4", "int4"),
    ("smallserial", "int2"),
    ("serial2", "int2"),
    ("bigserial", "int8"),
    ("serial8", "int8"),
];

/// The names `format_type` prints for built-in types whose `typname` differs.
const FORMAT_NAMES: &[(&str, &str)] = &[
    ("int2", "smallint"),
    ("int4", "integer"),
    ("int8", "bigint"),
    ("float4", "real"),
    ("float8", "double precision"),
    ("bool", "boolean"),
    ("varchar", "character varying"),
    ("bpchar", "character"),
    ("char", "\"char\""),
    ("any", "\"any\""),
    ("timestamp", "timestamp without time zone"),
    ("timestamptz", "timestamp with time zone"),
    ("time", "time without time zone"),
    ("timetz", "time with time zone"),
    ("varbit", "bit varying"),
];

/// A type's name as `format_type` prints it; see [`Type::sql_name`].
#[derive(Debug, Clone, Copy)]
pub struct SqlName<'a>(&'a Type);

impl core::fmt::Display for SqlName<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let elem = (self.0.elem != 0 && self.0.name.starts_with('_'))
            .then(|| Type::by_oid(self.0.elem))
            .flatten();
        let (ty, brackets) = match elem {
            Some(elem) => (elem, "[]"),
            None => (self.0, ""),
        };
        let name = FORMAT_NAMES
            .iter()
            .find(|(typname, _)| *typname == ty.name)
            .map_or(ty.name, |(_, sql)| sql);
        write!(f, "{name}{brackets}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::oid;
    use crate::types::test_prelude::*;

    #[test]
    fn lookups() {
        assert_eq!(Type::by_oid(oid::INT4).map(|t| t.name), Some("int4"));
        assert_eq!(Type::by_name("_int4").map(|t| t.oid), Some(oid::INT4_ARRAY));
        assert_eq!(Type::by_sql_name("Integer[]").map(|t| t.oid), Some(1007));
        assert_eq!(
            Type::by_sql_name("DOUBLE PRECISION").map(|t| t.oid),
            Some(oid::FLOAT8)
        );
        assert!(Type::by_name("nosuchtype").is_none());
        assert!(Type::by_oid(1).is_none());
        for t in Type::all() {
            assert_eq!(Type::by_name(t.name).map(|x| x.oid), Some(t.oid));
            assert_eq!(Type::by_oid(t.oid).map(|x| x.name), Some(t.name));
        }
    }

    #[test]
    fn format_type_names() {
        let name = |o| format!("{}", Type::by_oid(o).unwrap().sql_name());
        assert_eq!(name(oid::INT4_ARRAY), "integer[]");
        assert_eq!(name(oid::TEXT_ARRAY), "text[]");
        assert_eq!(name(oid::CHAR), "\"char\"");
        assert_eq!(name(oid::TIMESTAMPTZ), "timestamp with time zone");
        assert_eq!(
            Type::by_oid(oid::INT4RANGE)
                .unwrap()
                .range_subtype()
                .map(|t| t.oid),
            Some(oid::INT4)
        );
        assert_eq!(
            Type::by_oid(oid::INT4MULTIRANGE)
                .unwrap()
                .multirange_range()
                .map(|t| t.oid),
            Some(oid::INT4RANGE)
        );
        assert_eq!(
            Type::by_oid(oid::INT4_ARRAY)
                .unwrap()
                .element()
                .map(|t| t.oid),
            Some(oid::INT4)
        );
        assert!(Type::by_oid(oid::NAME).unwrap().element().is_none());
    }
}
