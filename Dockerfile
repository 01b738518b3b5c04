# The Berth host daemon as an image.
#
#   docker build -t berth .                                   # builds the jar with Maven, then the image
#   ./mvnw -B -DskipTests -pl daemon -am package && \
#     docker build --target prebuilt -t berth .               # from daemon/target/berth-proxy.jar, no Maven stage
#
#   docker run -d --name berth --restart unless-stopped --net=host --pid=host --cap-add NET_ADMIN \
#     -v /var/run/docker.sock:/var/run/docker.sock berth --iptables \
#     --base-role-arn arn:aws:iam::123456789012:role/ --default-role app-default
#
# Build arguments (all optional):
#   BASE              runtime base: a Java 17+ runtime with `java` on PATH and /bin/sh, bash
#   BUILD_BASE        the Maven stage's base: a JDK 17 (the Maven wrapper fetches Maven)
#   PACKAGES          apt packages added to BASE for --iptables (iptables, ip6tables, nft, ip);
#                     empty when BASE already has them, or to leave them out (then no --iptables)
#   IPTABLES_BACKEND  nft or legacy: must be the host's (`iptables --version` on the host says which),
#                     or Berth's rules end up in other kernel tables than Docker's
#
# The launcher (bin/berth-proxy) is the entrypoint, so the image runs the jar with the same JVM flags
# as a host does; BERTH_JAVA_OPTS adds flags (last, so they win), every daemon option is also an
# environment variable (berth --help). AWS credentials come from the SDK's default chain: on EC2 the
# instance profile, through the real metadata service (the host network).

ARG BASE=eclipse-temurin:17-jre-jammy
ARG BUILD_BASE=eclipse-temurin:17-jdk-jammy

# ---- the runtime, shared by both ways of building
FROM ${BASE} AS runtime
ARG PACKAGES="iptables nftables iproute2"
ARG IPTABLES_BACKEND=nft
RUN set -e; \
    if [ -n "$PACKAGES" ]; then \
      apt-get update; \
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $PACKAGES; \
      rm -rf /var/lib/apt/lists/*; \
      if [ "$IPTABLES_BACKEND" = legacy ]; then \
        update-alternatives --set iptables /usr/sbin/iptables-legacy; \
        update-alternatives --set ip6tables /usr/sbin/ip6tables-legacy; \
      fi; \
    fi
COPY bin/berth-proxy /usr/lib/berth/bin/berth-proxy
ENV BERTH_JAR=/usr/lib/berth/berth-proxy.jar
ENTRYPOINT ["/usr/lib/berth/bin/berth-proxy"]

# ---- `docker build --target prebuilt`: the jar the host already built (no network, no Maven)
FROM runtime AS prebuilt
COPY daemon/target/berth-proxy.jar /usr/lib/berth/berth-proxy.jar

# ---- the Maven build (tests need the Docker lab, so they run in scripts/test, not here)
FROM ${BUILD_BASE} AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -ntp -DskipTests -pl daemon -am package

# ---- the default: built from source
FROM runtime
COPY --from=build /src/daemon/target/berth-proxy.jar /usr/lib/berth/berth-proxy.jar
