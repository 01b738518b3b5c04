package dev.berth.proxy.http;

import dev.berth.proxy.credentials.CredentialCache;
import dev.berth.proxy.docker.ContainerIndex;
import dev.berth.proxy.policy.RolePolicy;
import dev.berth.proxy.token.TokenIssuer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetAddress;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The request path of the metadata proxy: normalise the path, then answer the token API, check the
 * caller's IMDSv2 token, answer {@code iam/} for the calling container, and pass everything else to
 * the {@link Upstream}.
 *
 * <pre>{@code
 * HttpServer.create().handle(MetadataHandler.builder()
 *     .containers(index).policy(policy).credentials(cache)
 *     .tokens(TokenIssuer.withRandomKey(Clock.systemUTC()))
 *     .upstream(Upstream.disabled())
 *     .build());
 * }</pre>
 */
public final class MetadataHandler implements BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {

  /**
   * Pass-through requests one caller may have in flight by default: a boot script that fetches its
   * metadata in parallel asks for a few dozen paths; more would only queue behind the upstream's connections.
   */
  public static final int DEFAULT_MAX_FORWARDED_PER_CALLER = 32;

  private static final Logger log = LoggerFactory.getLogger(MetadataHandler.class);

  private final TokenHandler tokens;
  private final IamHandler iam;
  private final PassThroughHandler passThrough;
  private final boolean tokenRequired;
  private final MeterRegistry meters;
  private final ConcurrentHashMap<String, Counter[]> counters = new ConcurrentHashMap<>();
  private final LogLimiter badPathLines = LogLimiter.standard();
  private final LogLimiter hostIdentityLines = LogLimiter.standard();
  private final LogLimiter nonCanonicalLines = LogLimiter.standard();

  private MetadataHandler(Builder b) {
    this.tokens = new TokenHandler(b.tokens);
    this.iam = new IamHandler(b.containers, b.policy, b.credentials);
    this.passThrough = new PassThroughHandler(b.upstream, b.maxForwardedPerCaller);
    this.tokenRequired = b.tokenRequired;
    this.meters = b.meters;
  }

  /** A builder; every part but the meter registry is required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Publisher<Void> apply(HttpServerRequest request, HttpServerResponse response) {
    if (request.version().majorVersion() != 1) {
      return count("malformed", Responses.text(response, HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
          "HTTP Version Not Supported"), response);
    }
    InetAddress caller = callerOf(request);
    MetadataPath path;
    try {
      path = MetadataPath.parse(request.uri());
    } catch (IllegalArgumentException malformed) {
      String suppressed = badPathLines.admit(caller);
      if (suppressed != null) {
        log.info("bad request path from {}: {}{}", request.remoteAddress(), malformed.getMessage(), suppressed);
      }
      return count("malformed", Responses.badRequest(response), response);
    }
    if (path.isTokenApi()) {
      return count("token", tokens.handle(request, response, caller), response);
    }
    HttpMethod method = request.method();
    if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
      return count("method", Responses.methodNotAllowed(response, "GET, HEAD"), response);
    }
    if (!tokens.admits(request, caller, tokenRequired)) {
      return count("unauthorized", Responses.unauthorized(response), response);
    }
    if (path.isIam()) {
      return count("iam", iam.handle(path, caller, response), response);
    }
    if (path.isHostIdentity()) {
      String suppressed = hostIdentityLines.admit(caller);
      if (suppressed != null) {
        log.info("refused {} from {}: the host's identity credentials are never passed through{}", path.path(),
            caller.getHostAddress(), suppressed);
      }
      return count("blocked", Responses.notFound(response), response);
    }
    String forward = path.forwardPath();
    if (forward == null) {
      // Deny by default: a spelling the real service might read otherwise than the proxy did stays here.
      String suppressed = nonCanonicalLines.admit(caller);
      if (suppressed != null) {
        log.info("refused {} from {}: not a canonical metadata path, never passed through{}", path.path(),
            caller.getHostAddress(), suppressed);
      }
      return count("blocked", Responses.notFound(response), response);
    }
    return count("passthrough", passThrough.handle(path, caller, response), response);
  }

  private Mono<Void> count(String route, Mono<Void> answer, HttpServerResponse response) {
    if (meters == null) {
      return answer;
    }
    return answer.doOnTerminate(() -> counter(route, response.status().code()).increment());
  }

  /** The counter of (route, status); looked up per request without building a key. */
  private Counter counter(String route, int status) {
    Counter[] byStatus = counters.computeIfAbsent(route, key -> new Counter[1000]);
    boolean cacheable = status >= 0 && status < byStatus.length;
    Counter counter = cacheable ? byStatus[status] : null;
    if (counter == null) {
      // Registering is idempotent, so two loops racing here end up with the same counter.
      counter = Counter.builder("berth.requests")
          .description("Metadata requests answered, by route and status")
          .tag("route", route)
          .tag("status", Integer.toString(status))
          .register(meters);
      if (cacheable) {
        byStatus[status] = counter;
      }
    }
    return counter;
  }

  /** The caller's address, with IPv4-mapped IPv6 addresses turned back into IPv4. */
  static InetAddress callerOf(HttpServerRequest request) {
    return CallerAddress.of(request.remoteAddress());
  }

  /** Assembles a {@link MetadataHandler}. */
  public static final class Builder {
    private ContainerIndex containers;
    private RolePolicy policy;
    private CredentialCache credentials;
    private TokenIssuer tokens;
    private Upstream upstream;
    private boolean tokenRequired;
    private MeterRegistry meters;
    private int maxForwardedPerCaller = DEFAULT_MAX_FORWARDED_PER_CALLER;

    private Builder() {}

    /** Who is calling. */
    public Builder containers(ContainerIndex containers) {
      this.containers = Objects.requireNonNull(containers, "containers");
      return this;
    }

    /** Which role each container gets. */
    public Builder policy(RolePolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Where credentials come from. */
    public Builder credentials(CredentialCache credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /** Issues and checks IMDSv2 tokens. */
    public Builder tokens(TokenIssuer tokens) {
      this.tokens = Objects.requireNonNull(tokens, "tokens");
      return this;
    }

    /** Where other metadata paths go. */
    public Builder upstream(Upstream upstream) {
      this.upstream = Objects.requireNonNull(upstream, "upstream");
      return this;
    }

    /** Whether GETs need an IMDSv2 token ({@code --imdsv2 required}); default: optional. */
    public Builder tokenRequired(boolean required) {
      this.tokenRequired = required;
      return this;
    }

    /** Counts requests by route and status into {@code meters}; optional. */
    public Builder meters(MeterRegistry meters) {
      this.meters = meters;
      return this;
    }

    /**
     * How many pass-through requests one caller (source address) may have in flight; past that it is
     * answered 429 with {@code Retry-After: 1}. Default {@value MetadataHandler#DEFAULT_MAX_FORWARDED_PER_CALLER}.
     */
    public Builder maxForwardedPerCaller(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxForwardedPerCaller must be at least 1, was " + max);
      }
      this.maxForwardedPerCaller = max;
      return this;
    }

    public MetadataHandler build() {
      require(containers, "containers");
      require(policy, "policy");
      require(credentials, "credentials");
      require(tokens, "tokens");
      require(upstream, "upstream");
      return new MetadataHandler(this);
    }

    private static void require(Object part, String name) {
      if (part == null) {
        throw new IllegalStateException("MetadataHandler needs " + name + "(...) before build()");
      }
    }
  }
}
