//! [`Reply`]: where the application writes a request's results. Frames are encoded in place into
//! the connection's one output buffer; a large result is sent as it grows, so rows stream to the
//! client instead of piling up in memory.

use core::future::Future;
use core::pin::Pin;
use std::io;

use bytes::BytesMut;
use pgproto::backend::{ServerConnection, ServerError};
use pgproto::message::backend::{DataRowWriter, FieldDescription};
use pgproto::message::Format;

use crate::handler::Error;
use crate::transport::Transport;

/// Output is sent once it reaches this many bytes, even mid-result.
pub(crate) const FLUSH_AT: usize = 32 * 1024;

/// A transport seen only as somewhere to write (object-safe, so [`Reply`] has no type
/// parameter). Boxing happens once per flushed batch of at least [`FLUSH_AT`] bytes.
pub(crate) trait Sink {
    fn send<'a>(
        &'a mut self,
        data: &'a mut BytesMut,
    ) -> Pin<Box<dyn Future<Output = io::Result<()>> + 'a>>;
}

impl<T: Transport> Sink for T {
    fn send<'a>(
        &'a mut self,
        data: &'a mut BytesMut,
    ) -> Pin<Box<dyn Future<Output = io::Result<()>> + 'a>> {
        Box::pin(self.write_all(data))
    }
}

/// The results of one request, written to the client.
pub struct Reply<'r> {
    pub(crate) conn: &'r mut ServerConnection,
    pub(crate) out: &'r mut BytesMut,
    pub(crate) io: &'r mut dyn Sink,
    /// Set by [`Reply::copy_in`]: the request continues with the client's COPY data.
    pub(crate) copy_in: bool,
}

impl core::fmt::Debug for Reply<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Reply")
            .field("buffered", &self.out.len())
            .finish_non_exhaustive()
    }
}

impl Reply<'_> {
    /// Sends what is buffered now.
    pub async fn flush(&mut self) -> io::Result<()> {
        if !self.out.is_empty() {
            self.io.send(self.out).await?;
        }
        Ok(())
    }

    async fn flush_if_full(&mut self) -> io::Result<()> {
        if self.out.len() >= FLUSH_AT {
            self.flush().await?;
        }
        Ok(())
    }

    /// The result's columns (RowDescription) in a simple query.
    pub fn row_description(&mut self, fields: &[FieldDescription<'_>]) -> Result<(), Error> {
        Ok(self.conn.row_description(fields, self.out)?)
    }

    /// Starts a result row, written in place: add each column, then `finish()` it.
    pub async fn data_row(&mut self) -> Result<DataRowWriter<'_, BytesMut>, Error> {
        self.flush_if_full().await?;
        Ok(self.conn.data_row(self.out)?)
    }

    /// Ends one statement with its command tag (`SELECT 3`, `INSERT 0 1`, …).
    pub fn command_complete(&mut self, tag: &str) -> Result<(), Error> {
        Ok(self.conn.command_complete(tag, self.out)?)
    }

    /// Answers an empty statement in a simple query.
    pub fn empty_query(&mut self) -> Result<(), Error> {
        Ok(self.conn.empty_query(self.out)?)
    }

    /// A NoticeResponse (a notice, warning or info).
    pub fn notice(&mut self, notice: &ServerError) -> Result<(), Error> {
        Ok(self.conn.notice(notice, self.out)?)
    }

    /// A ParameterStatus: a reported setting changed.
    pub fn parameter_status(&mut self, name: &str, value: &str) -> Result<(), Error> {
        Ok(self.conn.parameter_status(name, value, self.out)?)
    }

    /// Starts COPY TO STDOUT; then [`Reply::copy_data`] and [`Reply::copy_done`], and the
    /// statement's tag (`COPY n`).
    pub fn copy_out(&mut self, format: Format, columns: &[Format]) -> Result<(), Error> {
        Ok(self.conn.copy_out(format, columns, self.out)?)
    }

    /// A chunk of COPY TO STDOUT data.
    pub async fn copy_data(&mut self, data: &[u8]) -> Result<(), Error> {
        self.flush_if_full().await?;
        Ok(self.conn.copy_data(data, self.out)?)
    }

    /// Ends COPY TO STDOUT data.
    pub fn copy_done(&mut self) -> Result<(), Error> {
        Ok(self.conn.copy_done(self.out)?)
    }

    /// Starts COPY FROM STDIN and returns: the client's data then arrives through
    /// [`crate::Session::copy_data`], and [`crate::Session::copy_done`] ends it. It must be the
    /// last thing the query or Execute does.
    pub fn copy_in(&mut self, format: Format, columns: &[Format]) -> Result<(), Error> {
        self.conn.copy_in(format, columns, self.out)?;
        self.copy_in = true;
        Ok(())
    }
}
