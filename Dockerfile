# Agora in a container: a multi-stage build (the toolchain stays in the build stage), run as
# an unprivileged user, health-checked on the ops endpoint. Configuration as in config.toml:
# AGORA_* environment variables, secrets as files under /run/secrets (see docker-compose.yml).
#
#   docker build -t agora .
#   docker run -e AGORA_DISCORD__TOKEN=... -v agora-data:/var/lib/agora agora

FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin agora

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/agora --create-home agora
COPY --from=build /src/target/release/agora /usr/local/bin/agora
COPY config.toml /etc/agora/config.toml
WORKDIR /var/lib/agora
USER agora
# The ops endpoint must be reachable from outside the container (Prometheus, the healthcheck);
# the embedded SQLite database lives on the volume unless AGORA_DATABASE__URL says postgres://.
ENV AGORA_OPS__LISTEN=0.0.0.0:9090 \
    AGORA_DATABASE__URL=sqlite:///var/lib/agora/agora.db \
    AGORA_LOG__FORMAT=json
VOLUME ["/var/lib/agora"]
EXPOSE 9090
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:9090/healthz || exit 1
# SIGTERM: stop intake, finish in-flight work, post "shutting down", save the gateway session.
STOPSIGNAL SIGTERM
ENTRYPOINT ["agora", "--config", "/etc/agora/config.toml"]
CMD ["run"]
