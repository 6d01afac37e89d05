//! Downloading a file someone attached to a command (Discord's CDN, or agora-sim's), with
//! a size limit checked before and while reading: a file larger than the caller takes is
//! refused without being held in memory.

use std::time::Duration;

use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// How long a download may take in all.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(20);

/// Why a download did not give the file.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error("the file is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("the address is not a file address: {0}")]
    BadAddress(String),
    #[error("the file could not be fetched: {0}")]
    Unreachable(String),
}

/// The bytes at `url`, when there are at most `limit` of them.
pub async fn download(url: &str, limit: usize) -> Result<Vec<u8>, DownloadError> {
    use hyper_rustls::ConfigBuilderExt;
    let uri: hyper::Uri = url.parse().map_err(|error: hyper::http::uri::InvalidUri| {
        DownloadError::BadAddress(error.to_string())
    })?;
    if !matches!(uri.scheme_str(), Some("https" | "http")) {
        return Err(DownloadError::BadAddress(url.to_owned()));
    }
    let tls = rustls::ClientConfig::builder()
        .try_with_platform_verifier()
        .map_err(|error| DownloadError::Unreachable(error.to_string()))?
        .with_no_client_auth();
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .build();
    let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build(connector);
    let fetch = async {
        let response = client
            .get(uri)
            .await
            .map_err(|error| DownloadError::Unreachable(error.to_string()))?;
        if !response.status().is_success() {
            return Err(DownloadError::Unreachable(format!(
                "HTTP {}",
                response.status()
            )));
        }
        let declared = response
            .headers()
            .get(hyper::header::CONTENT_LENGTH)
            .and_then(|length| length.to_str().ok())
            .and_then(|length| length.parse::<usize>().ok());
        if declared.is_some_and(|length| length > limit) {
            return Err(DownloadError::TooLarge { limit });
        }
        let body = Limited::new(response.into_body(), limit)
            .collect()
            .await
            .map_err(|error| {
                if error.is::<http_body_util::LengthLimitError>() {
                    DownloadError::TooLarge { limit }
                } else {
                    DownloadError::Unreachable(error.to_string())
                }
            })?;
        Ok(body.to_bytes().to_vec())
    };
    tokio::time::timeout(DOWNLOAD_TIMEOUT, fetch)
        .await
        .map_err(|_| DownloadError::Unreachable("it took too long".into()))?
}
