# The portal as one static binary in a small non-root container.
#
#   docker build -t sealportal .
#   docker run -d -p 8080:8080 -v sealportal-data:/data sealportal
#   docker run --rm -v sealportal-data:/data sealportal seed   # demo accounts,
#                                   with the portal stopped (bbolt locks the file)
#
# The database and its keys.json live in the volume /data: back up both, and
# keep the keys apart from the database backups (see the README).
#
# The final stage is Alpine rather than distroless because the HEALTHCHECK
# needs an HTTP client: Alpine's busybox wget is one, distroless has none, and
# the binary has no health-check subcommand.

ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
# Dependencies first, so that a change of code reuses this layer.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Static binary (no libc needed at run time); templ code and assets are
# committed and embedded, so nothing is generated here.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/sealportal .

FROM alpine:3.20
# A fixed, unprivileged uid/gid (also what Kubernetes' runAsNonRoot checks),
# and a data folder only it can read: it will hold keys.json.
RUN addgroup -S -g 10001 portal \
 && adduser -S -D -H -u 10001 -G portal -h /data -s /sbin/nologin portal \
 && mkdir -p /data \
 && chown portal:portal /data \
 && chmod 0700 /data
COPY --from=build /out/sealportal /usr/local/bin/sealportal
# Listening on every interface is production: the container refuses to start
# without its canonical address, e.g. docker run -e PORTAL_PUBLIC_URL=https://portal.example.gov.cn
ENV PORTAL_DATA=/data/portal.db \
    PORTAL_ADDR=:8080
VOLUME /data
EXPOSE 8080
USER 10001:10001
# The port is taken from PORTAL_ADDR, so overriding it keeps the check right.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD wget -q -O /dev/null "http://127.0.0.1:${PORTAL_ADDR##*:}/healthz" || exit 1
ENTRYPOINT ["/usr/local/bin/sealportal"]
CMD ["serve"]
