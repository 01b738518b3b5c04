package dev.berth.proxy.http;

import dev.berth.proxy.token.TokenIssuer;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/** {@code PUT /latest/api/token}: IMDSv2 session tokens, with the real service's refusals. */
final class TokenHandler {

  static final String TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds";
  static final String TOKEN_HEADER = "X-aws-ec2-metadata-token";
  private static final Logger log = LoggerFactory.getLogger(TokenHandler.class);

  private final TokenIssuer issuer;
  private final LogLimiter forwardedLines = LogLimiter.standard();

  TokenHandler(TokenIssuer issuer) {
    this.issuer = issuer;
  }

  Mono<Void> handle(HttpServerRequest request, HttpServerResponse response, InetAddress caller) {
    if (request.method().equals(HttpMethod.OPTIONS)) {
      response.header("Allow", "OPTIONS, PUT");
      return Responses.text(response, HttpResponseStatus.OK, "");
    }
    if (!request.method().equals(HttpMethod.PUT)) {
      return Responses.methodNotAllowed(response, "OPTIONS, PUT");
    }
    if (request.requestHeaders().contains("X-Forwarded-For")) {
      // The real service refuses forwarded token requests so a misconfigured proxy cannot mint tokens.
      String suppressed = forwardedLines.admit(caller);
      if (suppressed != null) {
        log.info("refused token request from {} carrying X-Forwarded-For{}", caller.getHostAddress(), suppressed);
      }
      return Responses.text(response, HttpResponseStatus.FORBIDDEN, "Forbidden");
    }
    int ttl = parseTtl(request.requestHeaders().get(TTL_HEADER));
    if (ttl < 0) {
      return Responses.badRequest(response);
    }
    response.header(TTL_HEADER, Integer.toString(ttl));
    return Responses.text(response, HttpResponseStatus.OK, issuer.issue(caller, ttl));
  }

  /** Whether a GET may proceed: a presented token must be valid; a missing one only when tokens are optional. */
  boolean admits(HttpServerRequest request, InetAddress caller, boolean required) {
    String token = request.requestHeaders().get(TOKEN_HEADER);
    if (token == null) {
      return !required;
    }
    return issuer.isValid(token, caller);
  }

  /** The TTL in seconds, or -1 when missing, not a number, or outside 1..21600. */
  static int parseTtl(String header) {
    if (header == null || header.isEmpty() || header.length() > 5) {
      return -1;
    }
    for (int i = 0; i < header.length(); i++) {
      if (header.charAt(i) < '0' || header.charAt(i) > '9') {
        return -1;
      }
    }
    int ttl = Integer.parseInt(header);
    return ttl >= TokenIssuer.MIN_TTL_SECONDS && ttl <= TokenIssuer.MAX_TTL_SECONDS ? ttl : -1;
  }
}
