//! The queue of requests in flight, and which backend message ends which request.

use crate::message::backend::BackendMessage;
use crate::message::tag;

/// Identifies one request written through a [`super::ClientConnection`], in sending order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestId(pub u64);

/// What a request was, which decides the messages that answer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Query,
    Parse,
    Bind,
    DescribeStatement,
    DescribePortal,
    Execute,
    Close,
    Sync,
    FunctionCall,
}

impl Kind {
    /// Whether the server skips this request after an error earlier in its batch.
    pub(crate) fn skipped_after_error(self) -> bool {
        !matches!(self, Kind::Sync | Kind::Query | Kind::FunctionCall)
    }
}

/// A request in flight.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Request {
    pub(crate) id: RequestId,
    pub(crate) kind: Kind,
}

/// How a message relates to the request at the head of the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    /// Part of the answer; more follows.
    More,
    /// The last message of the answer.
    Done,
    /// The request failed: it is done, and the rest of its batch is skipped until Sync.
    Failed,
    /// Not a valid answer to this request.
    Invalid,
}

/// Messages of the COPY sub-protocol, which a Query or an Execute can start.
fn is_copy(t: u8) -> bool {
    matches!(
        t,
        tag::COPY_IN_RESPONSE
            | tag::COPY_OUT_RESPONSE
            | tag::COPY_BOTH_RESPONSE
            | tag::COPY_DATA
            | tag::COPY_DONE
    )
}

/// Routes message `m` (already known not to be asynchronous) for a request of `kind`.
pub(crate) fn route(kind: Kind, m: &BackendMessage<'_>) -> Route {
    let t = m.tag();
    match kind {
        Kind::Query => match t {
            tag::READY_FOR_QUERY => Route::Done,
            tag::ROW_DESCRIPTION
            | tag::DATA_ROW
            | tag::COMMAND_COMPLETE
            | tag::EMPTY_QUERY_RESPONSE
            | tag::ERROR_RESPONSE => Route::More,
            t if is_copy(t) => Route::More,
            _ => Route::Invalid,
        },
        Kind::FunctionCall => match t {
            tag::READY_FOR_QUERY => Route::Done,
            tag::FUNCTION_CALL_RESPONSE | tag::ERROR_RESPONSE => Route::More,
            _ => Route::Invalid,
        },
        Kind::Sync => match t {
            tag::READY_FOR_QUERY => Route::Done,
            // An error at Sync itself, e.g. a failed commit of the implicit transaction.
            tag::ERROR_RESPONSE => Route::More,
            _ => Route::Invalid,
        },
        _ if t == tag::ERROR_RESPONSE => Route::Failed,
        Kind::Parse if t == tag::PARSE_COMPLETE => Route::Done,
        Kind::Bind if t == tag::BIND_COMPLETE => Route::Done,
        Kind::Close if t == tag::CLOSE_COMPLETE => Route::Done,
        Kind::DescribeStatement if t == tag::PARAMETER_DESCRIPTION => Route::More,
        Kind::DescribeStatement | Kind::DescribePortal
            if t == tag::ROW_DESCRIPTION || t == tag::NO_DATA =>
        {
            Route::Done
        }
        Kind::Execute => match t {
            tag::COMMAND_COMPLETE | tag::EMPTY_QUERY_RESPONSE | tag::PORTAL_SUSPENDED => {
                Route::Done
            }
            tag::DATA_ROW => Route::More,
            t if is_copy(t) => Route::More,
            _ => Route::Invalid,
        },
        _ => Route::Invalid,
    }
}
