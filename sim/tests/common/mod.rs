//! Test harness for agora-sim: a raw gateway client (tokio-tungstenite, no Discord
//! library) and a raw REST client (reqwest), so the sim is checked by what it puts on
//! the wire.
#![allow(dead_code)]

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use agora_sim::{Sim, SimConfig};

pub const ALL_INTENTS: u64 = (1 << 0)
    | (1 << 1)
    | (1 << 2)
    | (1 << 3)
    | (1 << 7)
    | (1 << 8)
    | (1 << 9)
    | (1 << 10)
    | (1 << 12)
    | (1 << 13)
    | (1 << 15);

/// A demo sim that takes IDENTIFYs without a window (these tests identify many times in a
/// row; the limits have tests of their own).
pub async fn demo_sim() -> Sim {
    Sim::start(many_identifies(SimConfig::demo()))
        .await
        .expect("sim starts")
}

/// `config` without an IDENTIFY window.
pub fn many_identifies(mut config: SimConfig) -> SimConfig {
    config.gateway.identify_window = std::time::Duration::ZERO;
    config
}

pub async fn sim_with(config: SimConfig) -> Sim {
    Sim::start(config).await.expect("sim starts")
}

/// What the gateway sent: a payload, or a close with its code.
#[derive(Debug)]
pub enum Received {
    Payload(Value),
    Closed(Option<u16>),
}

/// A hand-rolled gateway client.
pub struct RawGateway {
    pub socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    compression: Decoder,
    pub last_seq: Option<u64>,
    /// How many compressed (binary) frames arrived.
    pub binary_frames: usize,
}

enum Decoder {
    None,
    Zlib(flate2::Decompress, Vec<u8>),
    Zstd(zstd::stream::raw::Decoder<'static>),
}

impl RawGateway {
    /// Connects to `{gateway}/?v=10&encoding=json[&compress=…]` and reads HELLO.
    pub async fn connect(sim: &Sim, compress: Option<&str>) -> (Self, Value) {
        let mut url = format!("{}/?v=10&encoding=json", sim.gateway_url());
        if let Some(c) = compress {
            url.push_str(&format!("&compress={c}"));
        }
        Self::connect_url(&url, compress).await
    }

    /// Connects without reading HELLO (for connections the gateway refuses).
    pub async fn connect_without_hello(url: &str) -> Self {
        let (socket, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("websocket connects");
        Self {
            socket,
            compression: Decoder::None,
            last_seq: None,
            binary_frames: 0,
        }
    }

    pub async fn connect_url(url: &str, compress: Option<&str>) -> (Self, Value) {
        let (socket, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("websocket connects");
        let compression = match compress {
            Some("zlib-stream") => Decoder::Zlib(flate2::Decompress::new(true), Vec::new()),
            Some("zstd-stream") => {
                Decoder::Zstd(zstd::stream::raw::Decoder::new().expect("zstd decoder"))
            }
            _ => Decoder::None,
        };
        let mut gateway = Self {
            socket,
            compression,
            last_seq: None,
            binary_frames: 0,
        };
        let hello = gateway.expect_payload().await;
        assert_eq!(hello["op"], 10, "first frame is HELLO: {hello}");
        (gateway, hello)
    }

    pub async fn send(&mut self, payload: Value) {
        self.socket
            .send(Message::Text(payload.to_string().into()))
            .await
            .expect("send");
    }

    pub async fn identify(&mut self, token: &str, intents: u64, shard: Option<[u32; 2]>) {
        let mut d = json!({
            "token": token,
            "intents": intents,
            "properties": {"os": "linux", "browser": "raw-test", "device": "raw-test"},
        });
        if let Some(shard) = shard {
            d["shard"] = json!(shard);
        }
        self.send(json!({"op": 2, "d": d})).await;
    }

    pub async fn heartbeat(&mut self) {
        let seq = self.last_seq;
        self.send(json!({"op": 1, "d": seq})).await;
    }

    /// The next thing the gateway sent, within 5 s.
    pub async fn next(&mut self) -> Received {
        self.next_within(Duration::from_secs(5))
            .await
            .expect("the gateway sent something within 5 s")
    }

    pub async fn next_within(&mut self, timeout: Duration) -> Option<Received> {
        loop {
            let frame = tokio::time::timeout(timeout, self.socket.next())
                .await
                .ok()?;
            let text = match frame {
                None => return Some(Received::Closed(None)),
                Some(Err(_)) => return Some(Received::Closed(None)),
                Some(Ok(Message::Close(frame))) => {
                    return Some(Received::Closed(frame.map(|f| u16::from(f.code))))
                }
                Some(Ok(Message::Text(text))) => text.to_string(),
                Some(Ok(Message::Binary(bytes))) => {
                    self.binary_frames += 1;
                    self.decompress(&bytes)
                }
                Some(Ok(_)) => continue,
            };
            let payload: Value = serde_json::from_str(&text).expect("gateway frames are JSON");
            if let Some(seq) = payload["s"].as_u64() {
                self.last_seq = Some(seq);
            }
            return Some(Received::Payload(payload));
        }
    }

    fn decompress(&mut self, bytes: &[u8]) -> String {
        match &mut self.compression {
            Decoder::None => panic!("binary frame without compression"),
            Decoder::Zlib(inflater, buffer) => {
                buffer.extend_from_slice(bytes);
                assert!(
                    buffer.ends_with(&[0, 0, 0xff, 0xff]),
                    "zlib-stream frames end with a sync flush"
                );
                let mut out = Vec::with_capacity(buffer.len() * 8 + 1024);
                let input = std::mem::take(buffer);
                let mut consumed = 0;
                while consumed < input.len() {
                    out.reserve(64 * 1024);
                    let before_in = inflater.total_in();
                    inflater
                        .decompress_vec(&input[consumed..], &mut out, flate2::FlushDecompress::Sync)
                        .expect("valid zlib stream");
                    consumed += (inflater.total_in() - before_in) as usize;
                }
                String::from_utf8(out).expect("utf-8")
            }
            Decoder::Zstd(decoder) => {
                use zstd::stream::raw::{InBuffer, Operation, OutBuffer};
                let mut input = InBuffer::around(bytes);
                let mut out = Vec::new();
                let mut chunk = vec![0u8; 256 * 1024];
                loop {
                    let mut output = OutBuffer::around(&mut chunk[..]);
                    decoder
                        .run(&mut input, &mut output)
                        .expect("valid zstd stream");
                    let written = output.pos();
                    out.extend_from_slice(&chunk[..written]);
                    if input.pos() == bytes.len() && written < chunk.len() {
                        break;
                    }
                }
                String::from_utf8(out).expect("utf-8")
            }
        }
    }

    /// The next payload (panics on a close).
    pub async fn expect_payload(&mut self) -> Value {
        match self.next().await {
            Received::Payload(payload) => payload,
            Received::Closed(code) => {
                panic!("expected a payload, the gateway closed with {code:?}")
            }
        }
    }

    /// Reads payloads until a dispatch named `name` arrives (skipping others), answering
    /// heartbeat requests along the way.
    pub async fn expect_dispatch(&mut self, name: &str) -> Value {
        loop {
            let payload = self.expect_payload().await;
            if payload["op"] == 0 && payload["t"] == name {
                return payload;
            }
        }
    }

    /// Expects the connection to close, returning the close code.
    pub async fn expect_close(&mut self) -> Option<u16> {
        loop {
            match self.next().await {
                Received::Closed(code) => return code,
                Received::Payload(_) => continue,
            }
        }
    }

    /// Identify and read READY plus the guild creates; returns READY's `d`.
    pub async fn ready(sim: &Sim, intents: u64) -> (Self, Value) {
        let (mut gateway, _) = Self::connect(sim, None).await;
        gateway.identify(sim.token(), intents, None).await;
        let ready = gateway.expect_dispatch("READY").await;
        (gateway, ready["d"].clone())
    }

    pub async fn close(mut self) {
        let _ = self
            .socket
            .close(Some(tokio_tungstenite::tungstenite::protocol::CloseFrame {
                code: CloseCode::Normal,
                reason: "".into(),
            }))
            .await;
    }
}

/// A REST client that talks to the sim as a bot does.
pub struct Rest {
    pub client: reqwest::Client,
    pub base: String,
    pub token: String,
}

/// A REST answer: status, headers and JSON body (Null for 204).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    /// The `_errors[0].code` at a path of Discord's nested `errors` object.
    pub fn field_error(&self, path: &[&str]) -> Option<String> {
        let mut node = &self.body["errors"];
        for key in path {
            node = &node[*key];
        }
        node["_errors"][0]["code"].as_str().map(str::to_string)
    }
}

impl Rest {
    pub fn new(sim: &Sim) -> Self {
        Self {
            client: reqwest::Client::new(),
            base: format!("{}/api/v10", sim.http_url()),
            token: sim.token().to_string(),
        }
    }

    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        self.call_with_token(method, path, body, Some(&self.token))
            .await
    }

    pub async fn call_with_token(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> Answer {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bot {token}"));
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the sim answers");
        Self::answer(response).await
    }

    pub async fn answer(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Answer {
            status,
            headers,
            body,
        }
    }
}

/// The control API.
pub struct Control {
    pub client: reqwest::Client,
    pub base: String,
}

impl Control {
    pub fn new(sim: &Sim) -> Self {
        Self {
            client: reqwest::Client::new(),
            base: sim.control_url(),
        }
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let response = self
            .client
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .expect("control answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}{}", self.base, path))
            .json(&body)
            .send()
            .await
            .expect("control answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn delete(&self, path: &str) -> (u16, Value) {
        let response = self
            .client
            .delete(format!("{}{}", self.base, path))
            .send()
            .await
            .expect("control answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

/// Registers one guild command for the demo guild through REST, as a bot would.
pub async fn register_guild_commands(sim: &Sim, rest: &Rest, commands: Value) -> Answer {
    let guild = sim.demo().expect("demo").guild_id;
    rest.call(
        "PUT",
        &format!(
            "/applications/{}/guilds/{guild}/commands",
            sim.application_id()
        ),
        Some(commands),
    )
    .await
}
