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

  /**
   * A builder whose defaults are the daemon's: listen on {@code 0.0.0.0:18000}, admin on
   * {@code 127.0.0.1:18001}, the local Docker engine, the real metadata service upstream with a 1 s
   * answer cache, the iam-docker role label, any role, 1 h sessions, one session per container,
   * IMDSv2 optional, one event loop.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Settings of a {@link ProxyConfig}; {@link #build()} checks them together. */
  public static final class Builder {
    private InetSocketAddress listen = new InetSocketAddress("0.0.0.0", 18000);
    private InetSocketAddress adminListen = new InetSocketAddress("127.0.0.1", 18001);
    private String dockerHost = "unix:///var/run/docker.sock";
    private URI upstream = URI.create("http://169.254.169.254");
    private Duration upstreamCache = Duration.ofSeconds(1);
    private String defaultRole;
    private String roleLabel = dev.berth.proxy.policy.RolePolicy.DEFAULT_ROLE_LABEL;
    private String baseRoleArn;
    private Pattern allowedRoles = Pattern.compile(".*");
    private String region;
    private URI stsEndpoint;
    private Duration sessionDuration = Duration.ofHours(1);
    private boolean tokenRequired;
    private boolean perRoleSessions;
    private boolean local;
    private int maxConnections = 10_000;
    private int ioThreads = 1;
    private int maxConnectionsPerCaller = DEFAULT_MAX_CONNECTIONS_PER_CALLER;
    private int maxForwardedPerCaller = DEFAULT_MAX_FORWARDED_PER_CALLER;

    private Builder() {}

    /** Where containers reach the proxy. */
    public Builder listen(InetSocketAddress listen) { this.listen = listen; return this; }

    /** Where {@code /healthz}, {@code /readyz}, {@code /metrics} and the control API are served. */
    public Builder adminListen(InetSocketAddress adminListen) { this.adminListen = adminListen; return this; }

    /** The Docker engine, e.g. {@code unix:///var/run/docker.sock}. */
    public Builder dockerHost(String dockerHost) { this.dockerHost = dockerHost; return this; }

    /** The real metadata service for paths outside {@code iam/}, or {@code null} to answer them 404. */
    public Builder upstream(URI upstream) { this.upstream = upstream; return this; }

    /** How long the upstream's answers are kept; zero forwards every request. */
    public Builder upstreamCache(Duration upstreamCache) { this.upstreamCache = upstreamCache; return this; }

    /** The role for containers that name none, or {@code null}. */
    public Builder defaultRole(String defaultRole) { this.defaultRole = defaultRole; return this; }

    /** The label that names a container's role. */
    public Builder roleLabel(String roleLabel) { this.roleLabel = roleLabel; return this; }

    /** The prefix for short role names, e.g. {@code arn:aws:iam::123456789012:role/}. */
    public Builder baseRoleArn(String baseRoleArn) { this.baseRoleArn = baseRoleArn; return this; }

    /** The pattern every full role ARN must match. */
    public Builder allowedRoles(Pattern allowedRoles) { this.allowedRoles = allowedRoles; return this; }

    /** The AWS region for STS, or {@code null} for the SDK's region chain. */
    public Builder region(String region) { this.region = region; return this; }

    /** The STS endpoint, or {@code null} for the region's. */
    public Builder stsEndpoint(URI stsEndpoint) { this.stsEndpoint = stsEndpoint; return this; }

    /** How long each assumed-role session lasts (45 minutes to 12 hours). */
    public Builder sessionDuration(Duration sessionDuration) { this.sessionDuration = sessionDuration; return this; }

    /** Whether requests without an IMDSv2 token get 401. */
    public Builder tokenRequired(boolean tokenRequired) { this.tokenRequired = tokenRequired; return this; }

    /** One STS session per role instead of one per container. */
    public Builder perRoleSessions(boolean perRoleSessions) { this.perRoleSessions = perRoleSessions; return this; }

    /** Local mode: loopback callers get locally issued credentials; no Docker engine, no AWS account. */
    public Builder local(boolean local) { this.local = local; return this; }

    /** The most client connections held open at once. */
    public Builder maxConnections(int maxConnections) { this.maxConnections = maxConnections; return this; }

    /** Event loops of the daemon's own loop (ignored when the caller hands in its loop). */
    public Builder ioThreads(int ioThreads) { this.ioThreads = ioThreads; return this; }

    /** Per source address: the most connections held open and pass-through requests in flight. */
    public Builder callerLimits(int maxConnectionsPerCaller, int maxForwardedPerCaller) {
      this.maxConnectionsPerCaller = maxConnectionsPerCaller;
      this.maxForwardedPerCaller = maxForwardedPerCaller;
      return this;
    }

    /** The settings, checked together; an {@link IllegalArgumentException} names what cannot work. */
    public ProxyConfig build() {
      return new ProxyConfig(listen, adminListen, dockerHost, upstream, upstreamCache, defaultRole, roleLabel,
          baseRoleArn, allowedRoles, region, stsEndpoint, sessionDuration, tokenRequired, perRoleSessions, local,
          maxConnections, ioThreads, maxConnectionsPerCaller, maxForwardedPerCaller);
    }
  }
}
