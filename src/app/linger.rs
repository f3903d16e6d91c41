//! Lingering close: after the server's last answer on a connection, read and discard what the
//! client is still sending before closing.
//!
//! hyper answers an oversize request (a URI over 64 KiB: 414, a head over its read buffer: 431,
//! a JSON 1.1 body over 1 MiB: 413) before it has read the whole request, then shuts the
//! connection down. Closing a socket with unread data makes the kernel send a reset, which can
//! destroy the answer in the client's receive buffer before the client reads it (hyper does not
//! linger: hyperium/hyper#2384). RFC 9112 section 9.6 ("Tear-down") describes the remedy used
//! here: half-close (FIN after the answer), keep reading until the client closes too, then close.
//! The drain is bounded in time and bytes, so a client that never stops cannot hold the task.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, Sleep};

/// How long, and how much, a closing connection reads from the client at most, and how long it
/// waits for more when the client sends nothing (so an idle keep-alive client, which closes only
/// when it next uses the connection, delays a graceful shutdown by no more than that).
const LINGER_TIME: Duration = Duration::from_secs(2);
const LINGER_BYTES: usize = 8 * 1024 * 1024;
const LINGER_IDLE: Duration = Duration::from_millis(250);

/// A TCP listener whose connections linger on close; for `axum::serve`.
pub(crate) struct LingeringListener(pub TcpListener);

impl axum::serve::Listener for LingeringListener {
    type Io = Lingering<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // axum's own accept loop (it waits on EMFILE and the like instead of spinning).
        let (io, addr) = axum::serve::Listener::accept(&mut self.0).await;
        (Lingering::new(io), addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// An IO whose `poll_shutdown` half-closes, then reads until the peer's end of stream (or the
/// bounds above) before it reports the shutdown done.
pub(crate) struct Lingering<T> {
    inner: T,
    drain: Option<Drain>,
}

struct Drain {
    /// The earlier of "LINGER_IDLE after the last data" and `until`.
    deadline: Pin<Box<Sleep>>,
    until: Instant,
    left: usize,
}

impl<T> Lingering<T> {
    pub(crate) fn new(inner: T) -> Self {
        Self { inner, drain: None }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Lingering<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin> AsyncWrite for Lingering<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.drain.is_none() {
            ready!(Pin::new(&mut this.inner).poll_shutdown(cx))?;
            let now = Instant::now();
            this.drain = Some(Drain {
                deadline: Box::pin(tokio::time::sleep_until(now + LINGER_IDLE)),
                until: now + LINGER_TIME,
                left: LINGER_BYTES,
            });
        }
        let Some(drain) = this.drain.as_mut() else {
            return Poll::Ready(Ok(()));
        };
        let mut scratch = [0u8; 8192];
        loop {
            if drain.left == 0 || drain.deadline.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Ok(()));
            }
            let mut buf = ReadBuf::new(&mut scratch);
            match Pin::new(&mut this.inner).poll_read(cx, &mut buf) {
                Poll::Pending => return Poll::Pending,
                // The client's end of stream, or its reset: nothing left to protect.
                Poll::Ready(Err(_)) => return Poll::Ready(Ok(())),
                Poll::Ready(Ok(())) if buf.filled().is_empty() => return Poll::Ready(Ok(())),
                Poll::Ready(Ok(())) => {
                    drain.left = drain.left.saturating_sub(buf.filled().len());
                    let next = (Instant::now() + LINGER_IDLE).min(drain.until);
                    drain.deadline.as_mut().reset(next);
                }
            }
        }
    }
}
