//! The session both demo servers serve: every query, simple or extended, returns one row
//! with one int4 column `?column?` = 1, in the format the client asked for.

use pgproto_service::pgproto::message::backend::FieldDescription;
use pgproto_service::pgproto::message::Format;
use pgproto_service::pgproto::{List, PgStr};
use pgproto_service::{Column, Describe, Error, Executed, Params, Reply, Session};

/// OID of int4.
const INT4: u32 = 23;

const FIELDS: [FieldDescription<'static>; 1] = [FieldDescription {
    name: PgStr::from_static("?column?"),
    table_oid: 0,
    column_id: 0,
    type_oid: INT4,
    type_size: 4,
    type_modifier: -1,
    format: Format::Text,
}];

/// One row for every query.
#[derive(Default)]
pub struct OneRow {
    /// Result format of each open portal (a handful at most: a list beats hashing).
    portals: Vec<(u64, Format)>,
}

async fn row(reply: &mut Reply<'_>, format: Format) -> Result<(), Error> {
    let mut row = reply.data_row().await?;
    match format {
        Format::Binary => row.value(&1i32.to_be_bytes())?,
        _ => row.value(b"1")?,
    }
    row.finish()?;
    Ok(())
}

impl Session for OneRow {
    async fn query(&mut self, _sql: &str, reply: &mut Reply<'_>) -> Result<(), Error> {
        reply.row_description(&FIELDS)?;
        row(reply, Format::Text).await?;
        reply.command_complete("SELECT 1")
    }

    async fn parse(&mut self, _id: u64, _sql: &str, describe: &mut Describe) -> Result<(), Error> {
        describe.column("?column?", Column::new(INT4, 4));
        Ok(())
    }

    async fn bind(
        &mut self,
        portal: u64,
        _statement: u64,
        _params: Params<'_>,
        result_formats: List<'_, Format>,
    ) -> Result<(), Error> {
        self.portals.push((portal, result_formats.format_for(0)));
        Ok(())
    }

    async fn execute(
        &mut self,
        portal: u64,
        _max_rows: u32,
        reply: &mut Reply<'_>,
    ) -> Result<Executed, Error> {
        let format = self
            .portals
            .iter()
            .find_map(|(p, f)| (*p == portal).then_some(*f))
            .unwrap_or(Format::Text);
        row(reply, format).await?;
        Ok(Executed::Complete("SELECT 1".into()))
    }

    fn close_portal(&mut self, id: u64) {
        self.portals.retain(|(p, _)| *p != id);
    }
}
