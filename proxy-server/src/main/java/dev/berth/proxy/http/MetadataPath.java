package dev.berth.proxy.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A request path after normalisation: percent-decoded once, {@code //} and {@code .} collapsed,
 * {@code ..} resolved. Routing decisions are made on this form only, so that no spelling of a path
 * reaches a route the plain spelling would not.
 *
 * @param segments the non-empty segments, e.g. {@code [latest, meta-data, iam, info]}
 * @param trailingSlash whether the path ended with a slash
 * @param query the raw query string, or empty
 */
record MetadataPath(List<String> segments, boolean trailingSlash, String query) {

  static final int MAX_URI_CHARS = 2048;

  /** Parses a request URI; throws {@link IllegalArgumentException} for anything malformed. */
  static MetadataPath parse(String uri) {
    if (uri.length() > MAX_URI_CHARS) {
      throw new IllegalArgumentException("URI longer than " + MAX_URI_CHARS + " characters");
    }
    int q = uri.indexOf('?');
    String rawPath = q < 0 ? uri : uri.substring(0, q);
    String query = q < 0 ? "" : uri.substring(q + 1);
    int hash = query.indexOf('#');
    if (hash >= 0) {
      query = query.substring(0, hash);
    }
    if (!rawPath.startsWith("/")) {
      throw new IllegalArgumentException("path does not start with /");
    }
    String path = decode(rawPath);
    List<String> segments = new ArrayList<>();
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        if (segments.isEmpty()) {
          throw new IllegalArgumentException("path climbs above the root");
        }
        segments.remove(segments.size() - 1);
        continue;
      }
      segments.add(segment);
    }
    boolean trailingSlash = path.endsWith("/") && !segments.isEmpty();
    return new MetadataPath(List.copyOf(segments), trailingSlash, query);
  }

  /** The normalised path, e.g. {@code /latest/meta-data/}. */
  String path() {
    if (segments.isEmpty()) {
      return "/";
    }
    return "/" + String.join("/", segments) + (trailingSlash ? "/" : "");
  }

  /** The normalised path with the query, as sent upstream. */
  String pathAndQuery() {
    return query.isEmpty() ? path() : path() + "?" + query;
  }

  /** {@code PUT /latest/api/token}'s path. */
  boolean isTokenApi() {
    return segments.size() == 3 && segments.get(0).equals("latest")
        && segments.get(1).equals("api") && segments.get(2).equals("token");
  }

  /**
   * Whether the path is under {@code meta-data/iam} in any version, compared without regard to case:
   * such a path is answered by the proxy and never forwarded.
   */
  boolean isIam() {
    return isMetaData() && segments.size() >= 3 && segments.get(2).equalsIgnoreCase("iam");
  }

  /**
   * Whether the path reaches the host's own credentials elsewhere than {@code iam/}: the EC2
   * instance identity credentials under {@code meta-data/identity-credentials}. Never forwarded.
   */
  boolean isHostIdentity() {
    return isMetaData() && segments.size() >= 3
        && segments.get(2).equalsIgnoreCase("identity-credentials");
  }

  /** The segments below {@code meta-data/iam}, e.g. {@code [security-credentials, role]}. */
  List<String> iamSegments() {
    return segments.subList(3, segments.size());
  }

  private boolean isMetaData() {
    return segments.size() >= 2 && isVersion(segments.get(0))
        && segments.get(1).equalsIgnoreCase("meta-data");
  }

  /** The metadata API's version segment: {@code latest}, {@code 1.0} or a date like {@code 2021-07-15}. */
  private static boolean isVersion(String segment) {
    if (segment.equals("latest") || segment.equals("1.0")) {
      return true;
    }
    if (segment.length() != 10 || segment.charAt(4) != '-' || segment.charAt(7) != '-') {
      return false;
    }
    for (int i = 0; i < 10; i++) {
      if (i != 4 && i != 7 && !Character.isDigit(segment.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** Percent-decodes once; rejects bad escapes and control characters. */
  private static String decode(String raw) {
    if (raw.indexOf('%') < 0) {
      rejectControl(raw);
      return raw;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          throw new IllegalArgumentException("truncated percent-escape");
        }
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new IllegalArgumentException("bad percent-escape");
        }
        bytes.write(hi << 4 | lo);
        i += 2;
      } else {
        bytes.write(c);
      }
    }
    String decoded = bytes.toString(StandardCharsets.UTF_8);
    rejectControl(decoded);
    return decoded;
  }

  private static void rejectControl(String path) {
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '\\') {
        throw new IllegalArgumentException("control character or backslash in path");
      }
    }
  }
}
