//! How fast the sim emits gateway events to one shard: a flood of MESSAGE_CREATE to one
//! connected raw client (which only counts frames and decompresses them), in each
//! transport compression. Run: `cargo bench -p agora-sim --bench flood [-- COUNT]`.

use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use agora_sim::gateway::flood::FloodRequest;
use agora_sim::{Sim, SimConfig};

const INTENTS: u64 = (1 << 0) | (1 << 9) | (1 << 15);

fn main() {
    let count: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        println!("flood of {count} MESSAGE_CREATE to one shard");
        for compress in [None, Some("zlib-stream"), Some("zstd-stream")] {
            let (seconds, received) = flood_once(count, compress).await;
            println!(
                "{:<12} sent {count} in {seconds:.2} s = {:>8.0} events/s; client received {received}",
                compress.unwrap_or("plain"),
                count as f64 / seconds
            );
        }
    });
}

async fn flood_once(count: u64, compress: Option<&'static str>) -> (f64, u64) {
    let sim = Sim::start(SimConfig::demo()).await.expect("sim");
    let mut url = format!("{}/?v=10&encoding=json", sim.gateway_url());
    if let Some(c) = compress {
        url.push_str(&format!("&compress={c}"));
    }
    let (mut socket, _) = tokio_tungstenite::connect_async(&url)
        .await
        .expect("connect");
    let identify = json!({"op": 2, "d": {"token": sim.token(), "intents": INTENTS, "properties": {"os": "linux", "browser": "bench", "device": "bench"}}});
    socket
        .send(Message::Text(identify.to_string().into()))
        .await
        .expect("identify");
    let mut zlib = flate2::Decompress::new(true);
    let mut zstd = zstd::stream::raw::Decoder::new().expect("zstd");
    let mut scratch = vec![0u8; 1 << 20];
    // READY + GUILD_CREATE first.
    let mut frames = 0u64;
    let reader = tokio::spawn(async move {
        let mut received = 0u64;
        while let Ok(Some(Ok(frame))) =
            tokio::time::timeout(Duration::from_secs(10), socket.next()).await
        {
            match frame {
                Message::Binary(bytes) => {
                    if compress == Some("zlib-stream") {
                        let _ =
                            zlib.decompress(&bytes, &mut scratch, flate2::FlushDecompress::Sync);
                    } else {
                        use zstd::stream::raw::{InBuffer, Operation, OutBuffer};
                        let mut input = InBuffer::around(&bytes[..]);
                        while input.pos() < bytes.len() {
                            let mut output = OutBuffer::around(&mut scratch[..]);
                            if zstd.run(&mut input, &mut output).is_err() {
                                break;
                            }
                        }
                    }
                }
                Message::Text(_) => {}
                _ => continue,
            }
            frames += 1;
            if frames > 2 {
                received += 1;
                if received == count {
                    break;
                }
            }
        }
        received
    });
    // Wait for the session before flooding.
    while sim.gateway().connected_sessions(None).is_empty() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let started = Instant::now();
    let report = sim
        .flood(FloodRequest {
            event: "MESSAGE_CREATE".into(),
            count,
            rate_per_s: None,
            guild_id: None,
            spacing_ms: None,
        })
        .await
        .expect("flood");
    let seconds = started.elapsed().as_secs_f64().max(report.seconds);
    let received = reader.await.unwrap_or(0);
    (seconds, received)
}
