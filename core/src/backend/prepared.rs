//! Prepared statements and portals as the connection keeps them: parameter types and result
//! descriptions, in storage that is reused from one unnamed statement or portal to the next.

use alloc::vec::Vec;

use crate::message::backend::{FieldDescription, NoData};
use crate::message::{put_count, tag, write_frame, Encode, Format};
use crate::{EncodeError, List, PgStr, WriteBuf};

/// A column of a stored description (its name lives in [`Description::names`]).
#[derive(Debug, Clone, Copy)]
#[allow(clippy::struct_field_names)] // named as the RowDescription fields they store
pub(crate) struct Column {
    pub(crate) name_end: usize,
    pub(crate) table_oid: u32,
    pub(crate) column_id: i16,
    pub(crate) type_oid: u32,
    pub(crate) type_size: i16,
    pub(crate) type_modifier: i32,
    pub(crate) format: Format,
}

/// Result columns kept for Describe, in storage that is reused rather than reallocated.
#[derive(Debug, Clone, Default)]
pub(crate) struct Description {
    pub(crate) returns_rows: bool,
    names: Vec<u8>,
    pub(crate) columns: Vec<Column>,
}

impl Description {
    pub(crate) fn set(&mut self, fields: Option<&[FieldDescription<'_>]>) {
        self.names.clear();
        self.columns.clear();
        self.returns_rows = fields.is_some();
        for f in fields.unwrap_or_default() {
            self.names.extend_from_slice(f.name.as_bytes());
            self.columns.push(Column {
                name_end: self.names.len(),
                table_oid: f.table_oid,
                column_id: f.column_id,
                type_oid: f.type_oid,
                type_size: f.type_size,
                type_modifier: f.type_modifier,
                format: Format::Text,
            });
        }
    }

    pub(crate) fn copy_from(&mut self, other: &Description) {
        self.returns_rows = other.returns_rows;
        self.names.clone_from(&other.names);
        self.columns.clone_from(&other.columns);
    }

    fn fields(&self) -> impl Iterator<Item = FieldDescription<'_>> + '_ {
        let mut start = 0;
        self.columns.iter().map(move |c| {
            let name = PgStr::new(self.names.get(start..c.name_end).unwrap_or_default())
                .unwrap_or_default();
            start = c.name_end;
            FieldDescription {
                name,
                table_oid: c.table_oid,
                column_id: c.column_id,
                type_oid: c.type_oid,
                type_size: c.type_size,
                type_modifier: c.type_modifier,
                format: c.format,
            }
        })
    }

    /// RowDescription, or NoData for a statement without result rows.
    pub(crate) fn write<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), EncodeError> {
        if !self.returns_rows {
            return NoData.encode(out);
        }
        let body_len = 2 + self.fields().map(|f| f.name.len() + 19).sum::<usize>();
        write_frame(out, Some(tag::ROW_DESCRIPTION), body_len, |b| {
            put_count(b, self.columns.len())?;
            for f in self.fields() {
                List::new(core::slice::from_ref(&f)).write_items(b)?;
            }
            Ok(())
        })
    }
}

/// A prepared statement.
#[derive(Debug, Clone, Default)]
pub(crate) struct Statement {
    pub(crate) id: u64,
    pub(crate) param_types: Vec<u32>,
    pub(crate) description: Description,
}

/// A portal: a bound statement, with its result formats applied.
#[derive(Debug, Clone, Default)]
pub(crate) struct Portal {
    pub(crate) id: u64,
    pub(crate) description: Description,
}
