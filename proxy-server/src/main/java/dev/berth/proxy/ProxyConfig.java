package dev.berth.proxy;

import dev.berth.proxy.http.ConnectionGuard;
import dev.berth.proxy.http.MetadataHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The daemon's resolved settings. The compact constructor rejects what cannot work, with a message
 * that names the option and the fix.
 *
 * @param listen where containers reach the proxy
 * @param adminListen where {@code /healthz}, {@code /readyz} and {@code /metrics} are served
 * @param dockerHost the Docker engine, e.g. {@code unix:///var/run/docker.sock}
 * @param upstream the real metadata service, or {@code null} when pass-through is disabled
 * @param upstreamCache how long the upstream's answers are kept and identical requests merged; zero forwards every request
 * @param defaultRole the role for containers that name none, or {@code null}
 * @param roleLabel the label that names a container's role
 * @param baseRoleArn the prefix for short role names, or {@code null}
 * @param allowedRoles the pattern every full role ARN must match
 * @param region the AWS region for STS, or {@code null} to take it from the environment
 * @param stsEndpoint the STS endpoint, or {@code null} for the region's default
 * @param sessionDuration how long each assumed-role session lasts
 * @param tokenRequired whether IMDSv2 tokens are required
 * @param perRoleSessions one STS session per role instead of one per container
 * @param local serve loopback callers from an embedded issuer, with no Docker engine or AWS account
 * @param maxConnections the most client connections held open at once
 * @param ioThreads how many event loops carry the server, the upstream client and the STS client
 * @param maxConnectionsPerCaller the most client connections one source address holds open at once
 * @param maxForwardedPerCaller the most pass-through requests of one source address in flight at once
 */
public record ProxyConfig(
    InetSocketAddress listen,
    InetSocketAddress adminListen,
    String dockerHost,
    URI upstream,
    Duration upstreamCache,
    String defaultRole,
    String roleLabel,
    String baseRoleArn,
    Pattern allowedRoles,
    String region,
    URI stsEndpoint,
    Duration sessionDuration,
    boolean tokenRequired,
    boolean perRoleSessions,
    boolean local,
    int maxConnections,
    int ioThreads,
    int maxConnectionsPerCaller,
    int maxForwardedPerCaller) {

  /** The shortest session that still leaves every document 30 minutes of validity, with room to refresh. */
  public static final Duration MIN_SESSION = Duration.ofMinutes(45);

  /** STS's longest role session. */
  public static final Duration MAX_SESSION = Duration.ofHours(12);

  /** The longest an upstream answer may be kept: dynamic metadata (spot notices, events) must stay fresh. */
  public static final Duration MAX_UPSTREAM_CACHE = Duration.ofMinutes(1);

  /** Connections one container may hold at once, by default. */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_CALLER = ConnectionGuard.DEFAULT_MAX_PER_CALLER;

  /** Pass-through requests one container may have in flight at once, by default. */
  public static final int DEFAULT_MAX_FORWARDED_PER_CALLER = MetadataHandler.DEFAULT_MAX_FORWARDED_PER_CALLER;

  public ProxyConfig {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(adminListen, "adminListen");
    Objects.requireNonNull(roleLabel, "roleLabel");
    Objects.requireNonNull(allowedRoles, "allowedRoles");
    Objects.requireNonNull(sessionDuration, "sessionDuration");
    Objects.requireNonNull(upstreamCache, "upstreamCache");
    if (upstreamCache.isNegative() || upstreamCache.compareTo(MAX_UPSTREAM_CACHE) > 0) {
      throw new IllegalArgumentException("--upstream-cache " + upstreamCache.toMillis()
          + "ms is outside 0..60s: dynamic metadata such as spot interruption notices must stay fresh; 0 forwards every request");
    }
    if (!local && (dockerHost == null || dockerHost.isBlank())) {
      throw new IllegalArgumentException("--docker-host is empty: give the engine's address, e.g. unix:///var/run/docker.sock");
    }
    if (sessionDuration.compareTo(MIN_SESSION) < 0 || sessionDuration.compareTo(MAX_SESSION) > 0) {
      throw new IllegalArgumentException("--session-duration " + sessionDuration.toMinutes()
          + "m is outside 45m..12h: Berth hands out credentials with at least 30 minutes left, and STS allows at most 12h");
    }
    if (ioThreads < 1 || ioThreads > 64) {
      throw new IllegalArgumentException("--io-threads must be 1..64, was " + ioThreads);
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("--max-connections must be at least 1, was " + maxConnections);
    }
    if (maxConnectionsPerCaller < 1) {
      throw new IllegalArgumentException("--max-connections-per-caller must be at least 1, was " + maxConnectionsPerCaller);
    }
    if (maxForwardedPerCaller < 1) {
      throw new IllegalArgumentException("--max-forwarded-per-caller must be at least 1, was " + maxForwardedPerCaller);
    }
    if (upstream != null && (upstream.getScheme() == null || !upstream.getScheme().equals("http") || upstream.getHost() == null)) {
      throw new IllegalArgumentException("--upstream '" + upstream + "' is not an http://host[:port] URL");
    }
  }

  /** The settings with the per-caller limits at their defaults. */
  public ProxyConfig(InetSocketAddress listen, InetSocketAddress adminListen, String dockerHost, URI upstream,
      Duration upstreamCache, String defaultRole, String roleLabel, String baseRoleArn, Pattern allowedRoles,
      String region, URI stsEndpoint, Duration sessionDuration, boolean tokenRequired, boolean perRoleSessions,
      boolean local, int maxConnections, int ioThreads) {
    this(listen, adminListen, dockerHost, upstream, upstreamCache, defaultRole, roleLabel, baseRoleArn, allowedRoles,
        region, stsEndpoint, sessionDuration, tokenRequired, perRoleSessions, local, maxConnections, ioThreads,
        DEFAULT_MAX_CONNECTIONS_PER_CALLER, DEFAULT_MAX_FORWARDED_PER_CALLER);
  }

  /** These settings with other per-caller limits. */
  public ProxyConfig withCallerLimits(int maxConnectionsPerCaller, int maxForwardedPerCaller) {
    return new ProxyConfig(listen, adminListen, dockerHost, upstream, upstreamCache, defaultRole, roleLabel, baseRoleArn,
        allowedRoles, region, stsEndpoint, sessionDuration, tokenRequired, perRoleSessions, local, maxConnections,
        ioThreads, maxConnectionsPerCaller, maxForwardedPerCaller);
  }
}
