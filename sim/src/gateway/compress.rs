//! Discord's gateway transport compression: one `zlib-stream` or `zstd-stream` context per connection.
//!
//! A client asks for transport compression with the `compress` query parameter of the
//! gateway URL (`docs/events/gateway.mdx`, "Transport Compression"). Each connection then
//! gets one [`GatewayEncoder`] that keeps its compression context for the connection's
//! whole life, and every gateway message becomes one WebSocket frame:
//!
//! - no compression: a text frame with the JSON;
//! - `zlib-stream`: a binary frame holding the next piece of one zlib stream (zlib header
//!   in the first frame only), ended with a `Z_SYNC_FLUSH`, so every frame ends with
//!   `00 00 ff ff` and a client with one inflate context can decode it right away;
//! - `zstd-stream`: a binary frame holding the next piece of one zstd frame that is never
//!   ended, flushed (`ZSTD_e_flush`) so the client's one decompression context can decode
//!   the whole message from this frame alone.
//!
//! This framing was checked against twilight-gateway 0.18's own decompressors
//! (`src/compression/zlib.rs`, `src/compression/zstd.rs`): the tests below run the same
//! loops on our frames and get each JSON back exactly.
//!
//! An unknown `compress` value: Discord documents only the two values above and no answer
//! to any other. The sim refuses it rather than silently sending plain text (which would
//! hide the client's bug, since most clients accept text frames anyway): right after the
//! upgrade it closes with [`UnknownCompression::close_code`], 4002 "Decode error", the
//! documented code for "the gateway could not decode what you sent" (here, the connection
//! parameters). Clients treat 4002 as reconnectable, so a misconfigured client shows up as
//! repeated closes rather than a silent hang.
//! Payload compression (`"compress": true` in IDENTIFY) is a different feature and is not
//! handled here.

use flate2::{Compress, FlushCompress};
use zstd::stream::raw::{CParameter, Encoder as ZstdEncoder, InBuffer, Operation, OutBuffer};

/// The last four bytes of every `zlib-stream` frame (an empty stored block of a sync flush).
pub const ZLIB_SUFFIX: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// zstd window size (log2) of the sim's streams: 256 KiB, as in the frame header of the
/// HELLO Discord sent that twilight-gateway keeps as a test fixture.
const ZSTD_WINDOW_LOG: u32 = 18;

/// zstd compression level: zstd's default.
const ZSTD_LEVEL: i32 = 3;

/// Spare room added to an output buffer each time it fills up.
const MIN_GROWTH: usize = 1024;

/// Transport compression a connection asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    /// No `compress` parameter: text frames.
    #[default]
    None,
    /// `compress=zlib-stream`.
    ZlibStream,
    /// `compress=zstd-stream`.
    ZstdStream,
}

/// A `compress` query value Discord does not offer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown gateway transport compression {value:?} (expected zlib-stream or zstd-stream)")]
pub struct UnknownCompression {
    /// The value the client sent.
    pub value: String,
}

impl UnknownCompression {
    /// Gateway close code to end the connection with: 4002, "Decode error".
    pub fn close_code(&self) -> u16 {
        4002
    }
}

impl Compression {
    /// Reads the `compress` query parameter: absent → `None`; `zlib-stream`, `zstd-stream`;
    /// anything else (including an empty value) is an error.
    pub fn from_query(value: Option<&str>) -> Result<Self, UnknownCompression> {
        match value {
            None => Ok(Compression::None),
            Some("zlib-stream") => Ok(Compression::ZlibStream),
            Some("zstd-stream") => Ok(Compression::ZstdStream),
            Some(other) => Err(UnknownCompression {
                value: other.to_string(),
            }),
        }
    }

    /// The query value (`None` for no compression).
    pub fn as_query(self) -> Option<&'static str> {
        match self {
            Compression::None => None,
            Compression::ZlibStream => Some("zlib-stream"),
            Compression::ZstdStream => Some("zstd-stream"),
        }
    }
}

/// One WebSocket frame to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EncodedFrame {
    Text(String),
    Binary(Vec<u8>),
}

/// A connection's encoder: turns each gateway message into its frame, keeping the
/// compression stream going from one message to the next. One per connection, never shared.
pub struct GatewayEncoder {
    kind: EncoderKind,
}

enum EncoderKind {
    Plain,
    Zlib(Box<Compress>),
    Zstd(Box<ZstdEncoder<'static>>),
}

impl std::fmt::Debug for GatewayEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayEncoder")
            .field("compression", &self.compression())
            .finish()
    }
}

impl GatewayEncoder {
    pub fn new(compression: Compression) -> Self {
        let kind = match compression {
            Compression::None => EncoderKind::Plain,
            // zlib format (RFC 1950 header), not raw deflate: `zlib_header` true.
            Compression::ZlibStream => EncoderKind::Zlib(Box::new(Compress::new(
                flate2::Compression::default(),
                true,
            ))),
            Compression::ZstdStream => {
                // Creating a context fails only when memory cannot be allocated, and the
                // level and window log are constants inside zstd's valid ranges.
                let mut encoder =
                    ZstdEncoder::new(ZSTD_LEVEL).expect("zstd context with a valid level");
                encoder
                    .set_parameter(CParameter::WindowLog(ZSTD_WINDOW_LOG))
                    .expect("zstd window log 18 is within 10..=31");
                EncoderKind::Zstd(Box::new(encoder))
            }
        };
        Self { kind }
    }

    /// The compression this encoder applies.
    pub fn compression(&self) -> Compression {
        match self.kind {
            EncoderKind::Plain => Compression::None,
            EncoderKind::Zlib(_) => Compression::ZlibStream,
            EncoderKind::Zstd(_) => Compression::ZstdStream,
        }
    }

    /// The frame for one gateway message.
    pub fn encode(&mut self, json: &str) -> EncodedFrame {
        match &mut self.kind {
            EncoderKind::Plain => EncodedFrame::Text(json.to_string()),
            EncoderKind::Zlib(compress) => {
                EncodedFrame::Binary(zlib_sync(compress, json.as_bytes()))
            }
            EncoderKind::Zstd(encoder) => {
                EncodedFrame::Binary(zstd_flush(encoder, json.as_bytes()))
            }
        }
    }
}

/// Compresses `input` into the stream and sync-flushes it: the result ends with
/// [`ZLIB_SUFFIX`].
fn zlib_sync(compress: &mut Compress, input: &[u8]) -> Vec<u8> {
    let mut output = Vec::with_capacity(input.len() / 2 + MIN_GROWTH);
    let start_in = compress.total_in();
    loop {
        let consumed = (compress.total_in() - start_in) as usize;
        // `compress_vec` fails only on a stream in an invalid state (a bug of flate2's
        // backend), never because of the input, and this stream is only ever used here.
        compress
            .compress_vec(&input[consumed..], &mut output, FlushCompress::Sync)
            .expect("deflate of an in-memory buffer cannot fail");
        let consumed = (compress.total_in() - start_in) as usize;
        // The flush is complete once all input is in and deflate left spare room.
        if consumed == input.len() && output.len() < output.capacity() {
            return output;
        }
        output.reserve(output.capacity().max(MIN_GROWTH));
    }
}

/// Writes `input` into the zstd stream and flushes it (`ZSTD_e_flush`): the result holds
/// whole blocks only, so it decodes completely without ending the frame.
fn zstd_flush(encoder: &mut ZstdEncoder<'static>, input: &[u8]) -> Vec<u8> {
    let mut output: Vec<u8> = Vec::with_capacity(input.len() / 2 + MIN_GROWTH);
    let mut source = InBuffer::around(input);
    // zstd fails here only on a corrupted context or a parameter error, neither of which
    // an in-memory stream with constant parameters can reach.
    while source.pos() < input.len() {
        if output.len() == output.capacity() {
            output.reserve(output.capacity().max(MIN_GROWTH));
        }
        let filled = output.len();
        let mut sink = OutBuffer::around_pos(&mut output, filled);
        encoder
            .run(&mut source, &mut sink)
            .expect("zstd compression of an in-memory buffer");
    }
    loop {
        if output.len() == output.capacity() {
            output.reserve(output.capacity().max(MIN_GROWTH));
        }
        let filled = output.len();
        let mut sink = OutBuffer::around_pos(&mut output, filled);
        let left = encoder
            .flush(&mut sink)
            .expect("zstd flush of an in-memory buffer");
        if left == 0 {
            return output;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zstd::zstd_safe;

    /// twilight-gateway 0.18's zlib decompressor (`src/compression/zlib.rs`), line for line:
    /// one `Decompress` for the connection, frames buffered until they end with the suffix.
    struct TwilightZlib {
        buffer: Box<[u8]>,
        decompress: flate2::Decompress,
        partial: Vec<u8>,
    }

    impl TwilightZlib {
        fn new() -> Self {
            Self {
                buffer: vec![0; 32 * 1024].into_boxed_slice(),
                decompress: flate2::Decompress::new(true),
                partial: Vec::new(),
            }
        }

        fn decompress(&mut self, message: &[u8]) -> Option<String> {
            let message = if self.partial.is_empty() {
                if !message.ends_with(&ZLIB_SUFFIX) {
                    self.partial.extend_from_slice(message);
                    return None;
                }
                message
            } else {
                self.partial.extend_from_slice(message);
                if !message.ends_with(&ZLIB_SUFFIX) {
                    return None;
                }
                &self.partial
            };
            let total_in = self.decompress.total_in();
            let mut processed = 0;
            let mut decompressed = Vec::new();
            loop {
                let total_out = self.decompress.total_out();
                self.decompress
                    .decompress(
                        &message[processed..],
                        &mut self.buffer,
                        flate2::FlushDecompress::Sync,
                    )
                    .unwrap();
                processed = (self.decompress.total_in() - total_in) as usize;
                let produced = (self.decompress.total_out() - total_out) as usize;
                decompressed.extend_from_slice(&self.buffer[..produced]);
                if processed == message.len() {
                    break;
                }
            }
            self.partial.clear();
            Some(String::from_utf8(decompressed).unwrap())
        }
    }

    /// twilight-gateway 0.18's zstd decompressor (`src/compression/zstd.rs`), line for line:
    /// one `DCtx` for the connection, each frame decompressed until its input is used up.
    struct TwilightZstd {
        buffer: Box<[u8]>,
        ctx: zstd_safe::DCtx<'static>,
    }

    impl TwilightZstd {
        fn new() -> Self {
            Self {
                buffer: vec![0; 32 * 1024].into_boxed_slice(),
                ctx: zstd_safe::DCtx::create(),
            }
        }

        fn decompress(&mut self, message: &[u8]) -> String {
            let mut input = zstd_safe::InBuffer::around(message);
            let mut decompressed = Vec::new();
            loop {
                let mut output = zstd_safe::OutBuffer::around(self.buffer.as_mut());
                self.ctx
                    .decompress_stream(&mut output, &mut input)
                    .map_err(zstd_safe::get_error_name)
                    .unwrap();
                decompressed.extend_from_slice(output.as_slice());
                if input.pos == input.src.len() && output.pos() != output.capacity() {
                    break;
                }
            }
            String::from_utf8(decompressed).unwrap()
        }
    }

    fn messages() -> Vec<String> {
        let big_content = "x".repeat(200 * 1024);
        vec![
            r#"{"op":10,"d":{"heartbeat_interval":41250},"s":null,"t":null}"#.to_string(),
            r#"{"op":11,"d":null,"s":null,"t":null}"#.to_string(),
            format!(r#"{{"op":0,"t":"MESSAGE_CREATE","s":2,"d":{{"content":"{big_content}"}}}}"#),
            r#"{"op":0,"t":"TYPING_START","s":3,"d":{"channel_id":"1"}}"#.to_string(),
            // Incompressible-ish 200 KB: every byte of the window changes.
            format!(
                r#"{{"op":0,"t":"X","s":4,"d":"{}"}}"#,
                (0..200 * 1024u32)
                    .map(|i| char::from(b'a' + (i.wrapping_mul(2_654_435_761) >> 27) as u8 % 26))
                    .collect::<String>()
            ),
            r#"{"op":0,"t":"RESUMED","s":5,"d":{}}"#.to_string(),
        ]
    }

    fn binary(frame: EncodedFrame) -> Vec<u8> {
        match frame {
            EncodedFrame::Binary(bytes) => bytes,
            EncodedFrame::Text(text) => panic!("expected a binary frame, got text {text:.40}"),
        }
    }

    #[test]
    fn reads_the_compress_query_parameter() {
        assert_eq!(Compression::from_query(None), Ok(Compression::None));
        assert_eq!(
            Compression::from_query(Some("zlib-stream")),
            Ok(Compression::ZlibStream)
        );
        assert_eq!(
            Compression::from_query(Some("zstd-stream")),
            Ok(Compression::ZstdStream)
        );
        for bad in ["", "zlib", "ZLIB-STREAM", "true", "zstd"] {
            let error = Compression::from_query(Some(bad)).unwrap_err();
            assert_eq!(error.value, bad);
            assert_eq!(error.close_code(), 4002);
        }
        for compression in [Compression::ZlibStream, Compression::ZstdStream] {
            assert_eq!(
                Compression::from_query(compression.as_query()),
                Ok(compression)
            );
        }
    }

    #[test]
    fn no_compression_sends_text_frames() {
        let mut encoder = GatewayEncoder::new(Compression::None);
        assert_eq!(encoder.compression(), Compression::None);
        assert_eq!(
            encoder.encode(r#"{"op":11}"#),
            EncodedFrame::Text(r#"{"op":11}"#.to_string())
        );
    }

    #[test]
    fn zlib_stream_frames_decode_one_by_one_with_twilights_inflater() {
        let mut encoder = GatewayEncoder::new(Compression::ZlibStream);
        assert_eq!(encoder.compression(), Compression::ZlibStream);
        let mut inflater = TwilightZlib::new();
        for (index, json) in messages().iter().enumerate() {
            let frame = binary(encoder.encode(json));
            assert!(
                frame.ends_with(&ZLIB_SUFFIX),
                "frame {index} lacks 00 00 ff ff"
            );
            if index == 0 {
                // zlib (RFC 1950) header, not raw deflate: CMF 0x78, and CMF*256+FLG % 31 == 0.
                assert_eq!(frame[0], 0x78);
                assert_eq!((u16::from(frame[0]) << 8 | u16::from(frame[1])) % 31, 0);
            }
            assert_eq!(inflater.decompress(&frame).as_deref(), Some(json.as_str()));
        }
    }

    #[test]
    fn zlib_stream_is_one_stream_across_frames() {
        // The same message twice: the second frame refers back to the first, so it is much
        // smaller and cannot be inflated by a fresh context.
        let json = messages()[0].repeat(4);
        let mut encoder = GatewayEncoder::new(Compression::ZlibStream);
        let first = binary(encoder.encode(&json));
        let second = binary(encoder.encode(&json));
        assert!(second.len() < first.len());
        let mut fresh = flate2::Decompress::new(true);
        let mut out = Vec::with_capacity(json.len() * 2);
        assert!(fresh
            .decompress_vec(&second, &mut out, flate2::FlushDecompress::Sync)
            .is_err());

        // A client that buffers everything and inflates once (the docs' Python example)
        // gets both messages back.
        let mut both = first.clone();
        both.extend_from_slice(&second);
        let mut inflate = flate2::Decompress::new(true);
        let mut out = Vec::with_capacity(json.len() * 3);
        inflate
            .decompress_vec(&both, &mut out, flate2::FlushDecompress::Sync)
            .unwrap();
        assert_eq!(out, format!("{json}{json}").as_bytes());
    }

    #[test]
    fn zstd_stream_frames_decode_one_by_one_with_twilights_decompressor() {
        let mut encoder = GatewayEncoder::new(Compression::ZstdStream);
        assert_eq!(encoder.compression(), Compression::ZstdStream);
        let mut decompressor = TwilightZstd::new();
        for (index, json) in messages().iter().enumerate() {
            let frame = binary(encoder.encode(json));
            if index == 0 {
                // Magic number, then the frame header Discord sends: no content size, no
                // checksum, single segment off (0x00), 256 KiB window (0x40).
                assert_eq!(&frame[..6], &[0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x40]);
            } else {
                assert_ne!(
                    &frame[..4],
                    &[0x28, 0xb5, 0x2f, 0xfd],
                    "frame {index} restarts"
                );
            }
            assert_eq!(decompressor.decompress(&frame), *json, "message {index}");
        }
    }

    #[test]
    fn zstd_stream_decodes_with_zstds_own_streaming_decoder() {
        use zstd::stream::raw::{Decoder, Operation};
        let mut encoder = GatewayEncoder::new(Compression::ZstdStream);
        let mut decoder = Decoder::new().unwrap();
        for json in messages() {
            let frame = binary(encoder.encode(&json));
            let mut input = InBuffer::around(&frame);
            let mut decoded = Vec::with_capacity(json.len() + 1);
            while input.pos() < frame.len() || decoded.len() < json.len() {
                let filled = decoded.len();
                if filled == decoded.capacity() {
                    decoded.reserve(1024);
                }
                let mut output = OutBuffer::around_pos(&mut decoded, filled);
                decoder.run(&mut input, &mut output).unwrap();
                if output.pos() == filled && input.pos() == frame.len() {
                    break;
                }
            }
            assert_eq!(String::from_utf8(decoded).unwrap(), json);
        }
    }

    #[test]
    fn each_connection_has_its_own_context() {
        let all = messages();
        let (hello, ack) = (&all[0], &all[1]);
        for compression in [Compression::ZlibStream, Compression::ZstdStream] {
            let mut busy = GatewayEncoder::new(compression);
            let _ = busy.encode(hello);
            let continued = binary(busy.encode(ack));
            // A new connection starts a new stream rather than continuing another's.
            let started = binary(GatewayEncoder::new(compression).encode(ack));
            assert_ne!(continued, started, "{compression:?}");
            assert_eq!(
                started,
                binary(GatewayEncoder::new(compression).encode(ack)),
                "{compression:?}"
            );
        }
    }
}
