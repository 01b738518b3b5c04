package dev.berth.testing;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;

/**
 * Decides the metadata service's answer to one request: the protocol logic of
 * {@link MetadataEmulator} without the HTTP server.
 *
 * <p>Design notes: the token endpoint is checked first and on its own terms (method, then
 * {@code X-Forwarded-For}, then TTL); every other path checks the method, then the session
 * token, then looks the path up, so an IMDSv2-only instance answers 401 even for paths that do
 * not exist, as the real service does. A token that is sent but invalid is refused even when
 * tokens are optional.
 */
final class MetadataHandler {

  static final String TOKEN_PATH = "/latest/api/token";
  static final String TOKEN_HEADER = "X-aws-ec2-metadata-token";
  static final String TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds";
  static final int MAX_TTL = 21_600;

  private final MetadataTree tree;
  private final MetadataTokens tokens;
  private final Clock clock;
  private volatile boolean requireToken;

  MetadataHandler(MetadataTree tree, Clock clock, boolean requireToken) {
    this.tree = tree;
    this.tokens = new MetadataTokens(clock);
    this.clock = clock;
    this.requireToken = requireToken;
  }

  void requireToken(boolean required) {
    this.requireToken = required;
  }

  MetadataAnswer answer(String method, String path, RecordedRequest request) {
    if (TOKEN_PATH.equals(path)) {
      return token(method, request);
    }
    if (!"GET".equals(method) && !"HEAD".equals(method)) {
      return MetadataAnswer.error(405, "Method Not Allowed", Map.of("Allow", "OPTIONS, GET, HEAD"));
    }
    String token = request.header(TOKEN_HEADER).orElse(null);
    if (token != null ? !tokens.valid(token) : requireToken) {
      return MetadataAnswer.error(401, "Unauthorized");
    }
    return tree.lookup(path, clock.instant());
  }

  private MetadataAnswer token(String method, RecordedRequest request) {
    if (!"PUT".equals(method)) {
      return MetadataAnswer.error(405, "Method Not Allowed", Map.of("Allow", "OPTIONS, PUT"));
    }
    if (request.header("X-Forwarded-For").isPresent()) {
      return MetadataAnswer.error(403, "Forbidden");
    }
    int ttl;
    try {
      ttl = Integer.parseInt(request.header(TTL_HEADER).orElse("").trim());
    } catch (NumberFormatException e) {
      return MetadataAnswer.error(400, "Bad Request");
    }
    if (ttl < 1 || ttl > MAX_TTL) {
      return MetadataAnswer.error(400, "Bad Request");
    }
    return new MetadataAnswer(200, MetadataAnswer.TEXT, Map.of(TTL_HEADER, Integer.toString(ttl)),
        tokens.issue(ttl).getBytes(StandardCharsets.UTF_8));
  }
}
