//! `/stats channel [channel]`: a tracked channel's messages per day as a PNG bar chart
//! (plotters, drawn off the actor's thread), with its totals and score in words.

use std::sync::Arc;

use chrono::NaiveDate;
use twilight_model::http::attachment::Attachment;
use twilight_model::id::marker::{ChannelMarker, GuildMarker};
use twilight_model::id::Id;

use super::counts::{self, Activity};
use super::{cache_trouble, private, Shared, TEXTS};
use crate::dispatcher::InteractionRequest;
use crate::kernel::reply::{clip, Reply, ReplyMessage};
use crate::t;

/// The chart's size in pixels.
pub const WIDTH: u32 = 900;
pub const HEIGHT: u32 = 450;
/// The chart's file name.
pub const FILE: &str = "channel-activity.png";

pub async fn run(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
    channel: Option<Id<ChannelMarker>>,
) -> Reply {
    let locale = request.language();
    let Some(channel) = channel else {
        return private(t!(locale, "stats-stale"));
    };
    let tracked = match shared.kernel.store.stats_channels(guild).await {
        Ok(tracked) => tracked,
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    if !tracked.iter().any(|tracked| tracked.id == channel) {
        return private(t!(
            locale,
            "stats-chart-not-tracked",
            channel = format!("<#{channel}>")
        ));
    }
    // What was counted this second shows too.
    let _ = super::flush(shared).await;
    let activity = match counts::read(&shared.counts, guild.get(), &[channel.get()]).await {
        Ok(mut activity) => activity.pop().unwrap_or_default(),
        Err(error) => return cache_trouble(locale, &error),
    };
    let today = shared.today();
    let days = shared
        .config
        .chart_days
        .clamp(7, shared.config.window_days.max(7));
    let series = daily_series(&activity, today, days);
    let in_period: i64 = series.iter().map(|(_, n)| n).sum();
    let summary = t!(
        locale,
        "stats-chart",
        channel = format!("<#{channel}>"),
        days = days,
        period = in_period,
        week = activity.recent(today, 7),
        total = activity.total,
        score = locale.decimal(&format!("{:.1}", activity.score(today)))
    );
    let title = t!(locale, "stats-chart-title", days = days);
    let drawn = tokio::task::spawn_blocking(move || render(&series, &title)).await;
    match drawn {
        Ok(Ok(png)) => {
            let mut file = Attachment::from_bytes(FILE.to_owned(), png, 0);
            file.description = Some(clip(&summary, 1024));
            let mut message = ReplyMessage::private(summary);
            message.attachments = vec![file];
            Reply::Message(message)
        }
        Ok(Err(error)) => {
            tracing::error!(%error, "could not draw the activity chart");
            private(t!(locale, "stats-chart-failed"))
        }
        Err(error) => {
            tracing::error!(%error, "the activity chart's drawing stopped");
            private(t!(locale, "stats-chart-failed"))
        }
    }
}

/// Every day of the `days` up to `today` with its messages (0 for quiet ones).
pub fn daily_series(activity: &Activity, today: i64, days: i64) -> Vec<(NaiveDate, i64)> {
    (today - days + 1..=today)
        .map(|day| {
            let date = chrono::DateTime::from_timestamp(day * 86_400, 0)
                .map(|at| at.date_naive())
                .unwrap_or_default();
            (date, activity.days.get(&day).copied().unwrap_or(0))
        })
        .collect()
}

/// Draws the series as a PNG of [`WIDTH`] × [`HEIGHT`].
pub fn render(series: &[(NaiveDate, i64)], title: &str) -> Result<Vec<u8>, String> {
    use image::ImageEncoder;

    if !crate::tickets::analytics::font_ready() {
        return Err("the embedded font could not be read".to_owned());
    }
    let mut pixels = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    draw(&mut pixels, series, title)?;
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(&pixels, WIDTH, HEIGHT, image::ExtendedColorType::Rgb8)
        .map_err(|error| error.to_string())?;
    Ok(png)
}

fn draw(pixels: &mut [u8], series: &[(NaiveDate, i64)], title: &str) -> Result<(), String> {
    use plotters::prelude::*;

    fn failed(error: impl std::fmt::Display) -> String {
        error.to_string()
    }
    const BARS: RGBColor = RGBColor(88, 101, 242);
    let family = crate::tickets::analytics::FAMILY;
    let root = BitMapBackend::with_buffer(pixels, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE).map_err(failed)?;
    let days = series.len().max(1);
    let top = series.iter().map(|(_, n)| *n).max().unwrap_or(0).max(0);
    let y_max = (top + top / 8 + 1).max(4);
    let mut chart = ChartBuilder::on(&root)
        .caption(title, (family, 24))
        .margin(20)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.5f64..(days as f64 - 0.5), 0i64..y_max)
        .map_err(failed)?;
    let dates: Vec<String> = series
        .iter()
        .map(|(date, _)| date.format("%m-%d").to_string())
        .collect();
    let day_label = |x: &f64| {
        let nearest = x.round();
        match dates.get(nearest as usize) {
            Some(date) if (x - nearest).abs() < 0.01 && nearest >= 0.0 => date.clone(),
            _ => String::new(),
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(days.min(15))
        .y_labels(10)
        .x_label_formatter(&day_label)
        .label_style((family, 15))
        .draw()
        .map_err(failed)?;
    chart
        .draw_series(series.iter().enumerate().map(|(index, (_, count))| {
            let x = index as f64;
            Rectangle::new([(x - 0.35, 0), (x + 0.35, *count)], BARS.filled())
        }))
        .map_err(failed)?;
    root.present().map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_is_a_png_with_every_day_and_a_bar_where_messages_were() {
        let activity = Activity {
            channel: 1,
            total: 12,
            days: [(20_000, 12)].into_iter().collect(),
            last_ms: None,
        };
        let series = daily_series(&activity, 20_001, 30);
        assert_eq!(series.len(), 30);
        assert_eq!(series[28].1, 12);
        assert_eq!(series[29].1, 0);
        let png = render(&series, "Messages per day").unwrap();
        let image = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
            .unwrap()
            .to_rgb8();
        assert_eq!((image.width(), image.height()), (WIDTH, HEIGHT));
        let blue = image
            .pixels()
            .filter(|pixel| pixel.0 == [88, 101, 242])
            .count();
        assert!(blue > 500, "the bar is drawn ({blue} pixels)");
    }
}
