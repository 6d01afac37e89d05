//! Checking a proposed emoji in memory, as Discord would take it: a name of 2–32 letters,
//! digits and underscores; a file of at most 256 KiB whose content (not its name) is PNG,
//! JPEG or GIF (animated too), 32–256 px and square. Nothing touches the file system; each
//! refusal says exactly what is wrong.

use std::io::Cursor;

use image::{ImageFormat, ImageReader};

/// Discord's limit on an emoji's file.
pub const MAX_BYTES: usize = 256 * 1024;
pub const MIN_SIDE: u32 = 32;
pub const MAX_SIDE: u32 = 256;

/// What is wrong with a proposed emoji.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmojiProblem {
    /// Shorter than 2 or longer than 32 characters.
    NameLength {
        length: usize,
    },
    /// A character other than `[A-Za-z0-9_]` (the first one found).
    NameCharacter {
        found: char,
    },
    TooLarge {
        bytes: usize,
    },
    /// The content is no image at all.
    NotAnImage,
    /// An image, but not one Discord takes as an emoji (WebP, BMP, …).
    UnsupportedFormat {
        format: &'static str,
    },
    /// The file's name says one type, its content another.
    WrongExtension {
        extension: String,
        actual: &'static str,
    },
    /// The file's name has an extension of no accepted image type.
    UnknownExtension {
        extension: String,
    },
    /// It starts like an image but cannot be read.
    Damaged {
        format: &'static str,
    },
    TooSmall {
        width: u32,
        height: u32,
    },
    TooBig {
        width: u32,
        height: u32,
    },
    NotSquare {
        width: u32,
        height: u32,
    },
}

/// An image that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedImage {
    pub format: &'static str,
    pub mime: &'static str,
    pub animated: bool,
    pub side: u32,
}

impl CheckedImage {
    /// The image as Discord's emoji upload takes it.
    pub fn data_uri(&self, bytes: &[u8]) -> String {
        use base64::Engine as _;
        format!(
            "data:{};base64,{}",
            self.mime,
            base64::engine::general_purpose::STANDARD.encode(bytes)
        )
    }
}

/// Checks an emoji's name.
pub fn check_name(name: &str) -> Result<(), EmojiProblem> {
    let length = name.chars().count();
    if !(2..=32).contains(&length) {
        return Err(EmojiProblem::NameLength { length });
    }
    match name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        Some(found) => Err(EmojiProblem::NameCharacter { found }),
        None => Ok(()),
    }
}

fn describe(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Png => "PNG",
        ImageFormat::Jpeg => "JPEG",
        ImageFormat::Gif => "GIF",
        ImageFormat::WebP => "WebP",
        ImageFormat::Bmp => "BMP",
        ImageFormat::Tiff => "TIFF",
        ImageFormat::Ico => "ICO",
        ImageFormat::Avif => "AVIF",
        _ => "an image type Discord does not take for emojis",
    }
}

/// The type a file name's extension claims: `Ok(None)` without an extension.
fn claimed(filename: &str) -> Result<Option<ImageFormat>, EmojiProblem> {
    let Some((_, extension)) = filename.rsplit_once('.') else {
        return Ok(None);
    };
    match extension.to_ascii_lowercase().as_str() {
        "png" => Ok(Some(ImageFormat::Png)),
        "jpg" | "jpeg" => Ok(Some(ImageFormat::Jpeg)),
        "gif" => Ok(Some(ImageFormat::Gif)),
        _ => Err(EmojiProblem::UnknownExtension {
            extension: extension.chars().take(16).collect(),
        }),
    }
}

/// Checks an emoji's file, named `filename`, from its bytes.
pub fn check_image(filename: &str, bytes: &[u8]) -> Result<CheckedImage, EmojiProblem> {
    if bytes.len() > MAX_BYTES {
        return Err(EmojiProblem::TooLarge { bytes: bytes.len() });
    }
    let format = image::guess_format(bytes).map_err(|_| EmojiProblem::NotAnImage)?;
    let (label, mime) = match format {
        ImageFormat::Png => ("PNG", "image/png"),
        ImageFormat::Jpeg => ("JPEG", "image/jpeg"),
        ImageFormat::Gif => ("GIF", "image/gif"),
        other => {
            return Err(EmojiProblem::UnsupportedFormat {
                format: describe(other),
            })
        }
    };
    match claimed(filename)? {
        Some(named) if named != format => {
            let extension = filename
                .rsplit_once('.')
                .map(|(_, extension)| extension.to_owned())
                .unwrap_or_default();
            return Err(EmojiProblem::WrongExtension {
                extension,
                actual: label,
            });
        }
        _ => {}
    }
    let damaged = || EmojiProblem::Damaged { format: label };
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|_| damaged())?;
    if width != height {
        return Err(EmojiProblem::NotSquare { width, height });
    }
    if width < MIN_SIDE {
        return Err(EmojiProblem::TooSmall { width, height });
    }
    if width > MAX_SIDE {
        return Err(EmojiProblem::TooBig { width, height });
    }
    let animated = format == ImageFormat::Gif && gif_frames(bytes).map_err(|_| damaged())? > 1;
    Ok(CheckedImage {
        format: label,
        mime,
        animated,
        side: width,
    })
}

/// How many frames a GIF has (counting stops at 2: more says nothing more).
fn gif_frames(bytes: &[u8]) -> Result<usize, image::ImageError> {
    use image::AnimationDecoder;
    let decoder = image::codecs::gif::GifDecoder::new(Cursor::new(bytes))?;
    let mut frames = 0;
    for frame in decoder.into_frames().take(2) {
        frame?;
        frames += 1;
    }
    Ok(frames)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgba, RgbaImage};

    fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
        let mut bytes = Vec::new();
        let image = image::DynamicImage::ImageRgba8(RgbaImage::from_pixel(
            width,
            height,
            Rgba([200, 30, 30, 255]),
        ));
        let image = if format == ImageFormat::Jpeg {
            image::DynamicImage::ImageRgb8(image.to_rgb8())
        } else {
            image
        };
        image
            .write_to(&mut Cursor::new(&mut bytes), format)
            .unwrap();
        bytes
    }

    fn animated_gif(side: u32) -> Vec<u8> {
        use image::codecs::gif::{GifEncoder, Repeat};
        use image::{Delay, Frame};
        let mut bytes = Vec::new();
        {
            let mut encoder = GifEncoder::new(&mut bytes);
            encoder.set_repeat(Repeat::Infinite).unwrap();
            for shade in [0u8, 255] {
                let frame = RgbaImage::from_pixel(side, side, Rgba([shade, 0, 0, 255]));
                encoder
                    .encode_frame(Frame::from_parts(
                        frame,
                        0,
                        0,
                        Delay::from_numer_denom_ms(100, 1),
                    ))
                    .unwrap();
            }
        }
        bytes
    }

    #[test]
    fn names_are_two_to_thirty_two_letters_digits_or_underscores() {
        assert!(check_name("party_parrot2").is_ok());
        assert_eq!(check_name("a"), Err(EmojiProblem::NameLength { length: 1 }));
        assert_eq!(
            check_name(&"x".repeat(33)),
            Err(EmojiProblem::NameLength { length: 33 })
        );
        assert_eq!(
            check_name("party parrot"),
            Err(EmojiProblem::NameCharacter { found: ' ' })
        );
        assert_eq!(
            check_name("party🎉"),
            Err(EmojiProblem::NameCharacter { found: '🎉' })
        );
    }

    #[test]
    fn each_kind_of_file_is_judged_by_its_content() {
        let png = check_image("ok.png", &encoded(64, 64, ImageFormat::Png)).unwrap();
        assert_eq!((png.format, png.animated, png.side), ("PNG", false, 64));
        let jpeg = check_image("ok.JPG", &encoded(128, 128, ImageFormat::Jpeg)).unwrap();
        assert_eq!(jpeg.format, "JPEG");
        let gif = check_image("ok.gif", &animated_gif(48)).unwrap();
        assert_eq!((gif.format, gif.animated), ("GIF", true));
        let still = check_image("still.gif", &encoded(48, 48, ImageFormat::Gif)).unwrap();
        assert!(!still.animated);
        assert_eq!(
            check_image("lie.gif", &encoded(64, 64, ImageFormat::Png)),
            Err(EmojiProblem::WrongExtension {
                extension: "gif".into(),
                actual: "PNG"
            })
        );
        assert_eq!(
            check_image("notes.png", b"just some text, no picture"),
            Err(EmojiProblem::NotAnImage)
        );
        assert_eq!(
            check_image("wide.png", &encoded(64, 32, ImageFormat::Png)),
            Err(EmojiProblem::NotSquare {
                width: 64,
                height: 32
            })
        );
        assert_eq!(
            check_image("tiny.png", &encoded(16, 16, ImageFormat::Png)),
            Err(EmojiProblem::TooSmall {
                width: 16,
                height: 16
            })
        );
        assert_eq!(
            check_image("huge.png", &encoded(300, 300, ImageFormat::Png)),
            Err(EmojiProblem::TooBig {
                width: 300,
                height: 300
            })
        );
        assert_eq!(
            check_image("big.png", &vec![0u8; MAX_BYTES + 1]),
            Err(EmojiProblem::TooLarge {
                bytes: MAX_BYTES + 1
            })
        );
        assert_eq!(
            check_image("ok.bmp", &encoded(64, 64, ImageFormat::Png)),
            Err(EmojiProblem::UnknownExtension {
                extension: "bmp".into()
            })
        );
        let mut cut = encoded(64, 64, ImageFormat::Png);
        cut.truncate(20);
        assert_eq!(
            check_image("cut.png", &cut),
            Err(EmojiProblem::Damaged { format: "PNG" })
        );
    }
}
