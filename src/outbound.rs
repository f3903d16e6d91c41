//! The emulator's own outgoing HTTP/1.1 calls: Lambda triggers and webhooks, and an OIDC
//! identity provider's discovery, token and JWKS endpoints. Plain `http://` only, with the hyper
//! that axum already builds: these peers are local emulators, test servers and other pools of
//! this emulator, and no TLS stack is compiled in for them.

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;

/// An `http://` URL taken apart.
#[derive(Debug, PartialEq, Eq)]
pub struct HttpUrl {
    pub host: String,
    pub port: u16,
    /// `host[:port]` as written, for the Host header.
    pub authority: String,
    pub path_and_query: String,
}

/// Parses an `http://` URL. TLS is not spoken: trigger endpoints are local emulators and test
/// servers.
pub fn parse_url(url: &str) -> Result<HttpUrl, String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("{url} is not an http:// URL"))?;
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) if rest[i..].starts_with('/') => (&rest[..i], rest[i..].to_string()),
        Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
        None => (rest, "/".to_string()),
    };
    let bad_port = || format!("{url} has an invalid port");
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6
            .split_once(']')
            .ok_or_else(|| format!("{url} has an invalid host"))?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().map_err(|_| bad_port())?,
            None if after.is_empty() => 80,
            None => return Err(bad_port()),
        };
        (h.to_string(), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.parse().map_err(|_| bad_port())?),
            None => (authority.to_string(), 80),
        }
    };
    if host.is_empty() {
        return Err(format!("{url} has no host"));
    }
    Ok(HttpUrl {
        host,
        port,
        authority: authority.to_string(),
        path_and_query: path,
    })
}

/// Checks a configured URL up front, so a typo is reported where it was written.
pub fn check_url(url: &str) -> Result<(), String> {
    parse_url(url).map(|_| ())
}

/// What a peer answered.
pub struct Answer {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
}

/// One request on a fresh connection; the body read up to `max_bytes`. The caller bounds the
/// time it may take. Err is a sentence naming the peer.
pub async fn request(
    method: &str,
    url: &HttpUrl,
    headers: &[(&str, String)],
    body: Vec<u8>,
    max_bytes: usize,
) -> Result<Answer, String> {
    let stream = tokio::net::TcpStream::connect((url.host.as_str(), url.port))
        .await
        .map_err(|e| format!("cannot connect to {}: {e}", url.authority))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let mut request = hyper::Request::builder()
        .method(method)
        .uri(url.path_and_query.as_str())
        .header("host", url.authority.as_str())
        .header(
            "user-agent",
            concat!("cognito-emulator/", env!("CARGO_PKG_VERSION")),
        );
    for (name, value) in headers {
        request = request.header(*name, value.as_str());
    }
    let request = request
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| format!("no answer from {}: {e}", url.authority))?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = Limited::new(response.into_body(), max_bytes)
        .collect()
        .await
        .map_err(|e| format!("reading the answer from {}: {e}", url.authority))?
        .to_bytes();
    Ok(Answer {
        status,
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = parse_url("http://127.0.0.1:3001").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (u.host.as_str(), u.port, u.path_and_query.as_str()),
            ("127.0.0.1", 3001, "/")
        );
        let u = parse_url("http://hooks.local/define?x=1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((u.port, u.path_and_query.as_str()), (80, "/define?x=1"));
        let u = parse_url("http://[::1]:9000/a").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((u.host.as_str(), u.port), ("::1", 9000));
        assert!(parse_url("https://x").is_err());
        assert!(parse_url("http://:80/").is_err());
        assert!(parse_url("http://x:port/").is_err());
    }
}
