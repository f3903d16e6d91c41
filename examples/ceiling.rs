//! The benchmark ceiling (bench/README.md): an axum server on the emulator's own stack (tokio,
//! hyper through axum) that answers every request with a fixed JSON body, so `wrk` against it
//! measures what the machine, the load generator and the HTTP stack alone allow.
//!
//!     cargo build --release --example ceiling && target/release/examples/ceiling 127.0.0.1:9999

use axum::Router;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9999".into());
    let app = Router::new().fallback(|| async {
        (
            [("content-type", "application/x-amz-json-1.1")],
            r#"{"Username":"alice","UserAttributes":[{"Name":"sub","Value":"00000000-0000-0000-0000-000000000000"}]}"#,
        )
    });
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, app).await
}
