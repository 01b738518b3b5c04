package dev.berth.proxy.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.berth.proxy.credentials.CredentialCache;
import dev.berth.proxy.credentials.CredentialException;
import dev.berth.proxy.credentials.Credentials;
import dev.berth.proxy.docker.Container;
import dev.berth.proxy.docker.ContainerIndex;
import dev.berth.proxy.docker.IndexUnavailableException;
import dev.berth.proxy.policy.Decision;
import dev.berth.proxy.policy.RoleBinding;
import dev.berth.proxy.policy.RolePolicy;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetAddress;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Everything under {@code meta-data/iam/}: the role listing, the credential documents (classic and
 * extended) and {@code info}, answered for the container that asked. Nothing here is ever forwarded.
 */
final class IamHandler {

  private static final Logger log = LoggerFactory.getLogger(IamHandler.class);
  private static final String CREDENTIALS = "security-credentials";
  private static final String EXTENDED = "security-credentials-extended";
  static final String RETRY = "Credentials temporarily unavailable, retry";
  static final String CANNOT_ASSUME = "Credentials unavailable: this container's role cannot be assumed; "
      + "the host's operator can see why in the Berth log";

  private final ContainerIndex containers;
  private final RolePolicy policy;
  private final CredentialCache credentials;
  // Containers and credentials are immutable and replaced, never changed: decisions and rendered
  // documents are kept per instance (weak, identity keys) so the hot path neither runs the policy's
  // regular expressions nor renders JSON again.
  // Their maintenance (draining read buffers, dropping collected keys) is short and never blocks, so it
  // runs on the calling event loop instead of waking a ForkJoinPool thread after every write.
  // The values must not reach their keys (a weak key held by its own value is never collected), so
  // decisions are kept, not Callers.
  private final Cache<Container, Decision> decisions =
      Caffeine.newBuilder().weakKeys().executor(Runnable::run).build();
  private final Cache<Credentials, byte[]> documents =
      Caffeine.newBuilder().weakKeys().executor(Runnable::run).build();
  private final Cache<Credentials, byte[]> extendedDocuments =
      Caffeine.newBuilder().weakKeys().executor(Runnable::run).build();
  private final LogLimiter denialLines = LogLimiter.standard();
  private final LogLimiter failureLines = LogLimiter.standard();
  private final LogLimiter unavailableLines = LogLimiter.standard();

  IamHandler(ContainerIndex containers, RolePolicy policy, CredentialCache credentials) {
    this.containers = containers;
    this.policy = policy;
    this.credentials = credentials;
  }

  Mono<Void> handle(MetadataPath path, InetAddress caller, HttpServerResponse response) {
    List<String> below = path.iamSegments();
    if (below.isEmpty()) {
      return path.trailingSlash()
          ? withBinding(caller, response, binding -> Responses.text(response, HttpResponseStatus.OK,
              "info\n" + CREDENTIALS + "/"))
          : Responses.redirect(response, path.path() + "/");
    }
    String kind = below.get(0);
    boolean extended = kind.equals(EXTENDED);
    if (kind.equals("info") && below.size() == 1 && !path.trailingSlash()) {
      return withBinding(caller, response, binding -> credentials.get(binding)
          .flatMap(c -> Responses.bytes(response, HttpResponseStatus.OK, Responses.TEXT,
              CredentialDocuments.info(binding, c.lastUpdated())))
          .onErrorResume(CredentialException.class, e -> failure(response, binding, e)));
    }
    if (!kind.equals(CREDENTIALS) && !extended) {
      return Responses.notFound(response);
    }
    if (below.size() == 1) {
      return path.trailingSlash()
          ? withBinding(caller, response, binding ->
              Responses.text(response, HttpResponseStatus.OK, binding.roleName()))
          : Responses.redirect(response, path.path() + "/");
    }
    if (below.size() > 2) {
      return Responses.notFound(response);
    }
    String asked = below.get(1);
    return withBinding(caller, response, binding -> {
      if (!asked.equals(binding.roleName())) {
        return Responses.notFound(response);
      }
      return credentials.get(binding)
          .flatMap(c -> document(response, c, extended))
          .onErrorResume(CredentialException.class, e -> failure(response, binding, e));
    });
  }

  private Mono<Void> document(HttpServerResponse response, Credentials c, boolean extended) {
    byte[] body = extended
        ? extendedDocuments.get(c, fresh -> CredentialDocuments.credentials(fresh, true))
        : documents.get(c, fresh -> CredentialDocuments.credentials(fresh, false));
    return Responses.bytes(response, HttpResponseStatus.OK, Responses.TEXT, body);
  }

  private Mono<Void> withBinding(
      InetAddress caller, HttpServerResponse response, Function<RoleBinding, Mono<Void>> then) {
    return containers.byAddress(caller)
        .map(container -> new Caller(container, decisions.get(container, policy::decide)))
        .defaultIfEmpty(Caller.NOBODY)
        .onErrorResume(IndexUnavailableException.class, e -> {
          String suppressed = unavailableLines.admit(IndexUnavailableException.class);
          if (suppressed != null) {
            log.warn("no credentials for the caller at {} for now: {}{}", caller.getHostAddress(), e.getMessage(),
                suppressed);
          }
          return Mono.just(Caller.UNKNOWN_NOW);
        })
        .flatMap(found -> {
          if (found == Caller.UNKNOWN_NOW) {
            // Who holds the address cannot be known now (the engine is restarting): retry, as for STS down.
            return Responses.text(response, HttpResponseStatus.SERVICE_UNAVAILABLE, RETRY);
          }
          if (found.decision() instanceof Decision.Bound bound) {
            return then.apply(bound.binding());
          }
          // Keyed by container id (or address for strangers): Container's own hashCode walks its labels and env.
          String suppressed = denialLines.admit(found.container() == null ? caller : found.container().id());
          if (suppressed != null) {
            log.info("no credentials for {} at {}: {}{}", found.container() == null ? "caller" : found.container(),
                caller.getHostAddress(), ((Decision.Denied) found.decision()).reason(), suppressed);
          }
          return Responses.notFound(response);
        });
  }

  private Mono<Void> failure(HttpServerResponse response, RoleBinding binding, CredentialException e) {
    String suppressed = failureLines.admit(new Failure(binding, e.code()));
    if (suppressed != null) {
      log.warn("cannot serve credentials of {} to {}: {}: {}{}", binding.roleArn(), binding.sessionName(), e.code(),
          e.getMessage(), suppressed);
    }
    // The detail (STS's text, its endpoint, the host's own role ARN) stays in the log: the caller is
    // told only what it can act on.
    return e.retryable()
        ? Responses.text(response, HttpResponseStatus.SERVICE_UNAVAILABLE, RETRY)
        : Responses.text(response, HttpResponseStatus.INTERNAL_SERVER_ERROR, CANNOT_ASSUME);
  }

  /** One failure worth a log line: the same binding failing with another code is news. */
  private record Failure(RoleBinding binding, String code) {}

  private record Caller(Container container, Decision decision) {
    static final Caller NOBODY = new Caller(null, new Decision.Denied("no running container has this address"));
    static final Caller UNKNOWN_NOW = new Caller(null, new Decision.Denied("the container index is unavailable"));
  }
}
