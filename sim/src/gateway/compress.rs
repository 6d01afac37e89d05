//! STUB
#[derive(Debug, Clone, Copy)]
pub enum Compression { None, ZlibStream, ZstdStream }
#[derive(Debug)]
pub struct UnknownCompression;
impl Compression { pub fn from_query(_v: Option<&str>) -> Result<Self, UnknownCompression> { Ok(Compression::None) } }
pub struct GatewayEncoder;
pub enum EncodedFrame { Text(String), Binary(Vec<u8>) }
impl GatewayEncoder { pub fn new(_c: Compression) -> Self { GatewayEncoder } pub fn encode(&mut self, json: &str) -> EncodedFrame { EncodedFrame::Text(json.to_string()) } }
