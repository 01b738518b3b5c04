package dev.berth.proxy.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * A request path after normalisation: percent-decoded once, {@code //} and {@code .} collapsed,
 * {@code ..} resolved. Routing decisions are made on this form only, so that no spelling of a path
 * reaches a route the plain spelling would not; only a canonical path is ever forwarded ({@link #forwardPath()}).
 *
 * @param segments the non-empty segments, e.g. {@code [latest, meta-data, iam, info]}
 * @param trailingSlash whether the path ended with a slash
 */
record MetadataPath(List<String> segments, boolean trailingSlash) {

  static final int MAX_URI_CHARS = 2048;

  /** The versions the real service lists at {@code /} (read from a real instance's listing). */
  static final Set<String> VERSIONS = Set.of("1.0", "2007-01-19", "2007-03-01", "2007-08-29", "2007-10-10",
      "2007-12-15", "2008-02-01", "2008-09-01", "2009-04-04", "2011-01-01", "2011-05-01", "2012-01-12", "2014-02-25",
      "2014-11-05", "2015-10-20", "2016-04-19", "2016-06-30", "2016-09-02", "2018-03-28", "2018-08-17", "2018-09-24",
      "2019-10-01", "2020-10-27", "2021-01-03", "2021-03-23", "2021-07-15", "2022-09-24", "2024-04-11", "latest");

  /** What each version lists; the token API ({@code api}) is answered here and never forwarded. */
  private static final Set<String> CATEGORIES = Set.of("meta-data", "user-data", "dynamic");

  /** {@code iam} and {@code identity-credentials} with case and punctuation folded away (see {@link #foldsTo}). */
  private static final String IAM_FOLDED = "iam";
  private static final String IDENTITY_CREDENTIALS_FOLDED = "identitycredentials";

  /** Parses a request URI; throws {@link IllegalArgumentException} for anything malformed. */
  static MetadataPath parse(String uri) {
    if (uri.length() > MAX_URI_CHARS) {
      throw new IllegalArgumentException("URI longer than " + MAX_URI_CHARS + " characters");
    }
    int q = uri.indexOf('?');
    String rawPath = q < 0 ? uri : uri.substring(0, q);
    if (!rawPath.startsWith("/")) {
      throw new IllegalArgumentException("path does not start with /");
    }
    String path = decode(rawPath);
    // Split by hand into a list that is wrapped, not copied: this runs for every request, and
    // String.split's and List.copyOf's arrays were garbage (about 80 of the ~4,900 bytes a cached
    // credential request allocates; bench/daemon-load.sh's idle runs, young collections x eden).
    List<String> segments = new ArrayList<>(8);
    for (int start = 1, end; start <= path.length(); start = end + 1) {
      end = path.indexOf('/', start);
      if (end < 0) {
        end = path.length();
      }
      int length = end - start;
      if (length == 0 || (length == 1 && path.charAt(start) == '.')) {
        continue;
      }
      if (length == 2 && path.startsWith("..", start)) {
        if (segments.isEmpty()) {
          throw new IllegalArgumentException("path climbs above the root");
        }
        segments.remove(segments.size() - 1);
        continue;
      }
      segments.add(path.substring(start, end));
    }
    boolean trailingSlash = path.endsWith("/") && !segments.isEmpty();
    return new MetadataPath(Collections.unmodifiableList(segments), trailingSlash);
  }

  /** The normalised path, e.g. {@code /latest/meta-data/}. */
  String path() {
    if (segments.isEmpty()) {
      return "/";
    }
    return "/" + String.join("/", segments) + (trailingSlash ? "/" : "");
  }

  /**
   * The path to send to the real metadata service, or {@code null} when it must not leave the proxy.
   *
   * <p>Deny by default: only the canonical form is forwarded — a version the service lists, spelled
   * exactly; one of its categories, spelled exactly; every other segment from the service's own
   * alphabet — and never a path whose third segment, with case and punctuation folded away, reads
   * {@code iam} or {@code identity-credentials}. A canonical path holds no {@code %}, {@code ;},
   * {@code \}, space or character outside ASCII, so no reader, however lenient (decoding again,
   * dropping parameters, folding case or Unicode), can take it for another path than the one it
   * names; and as it is rebuilt from the decoded segments, it goes upstream re-encoded. The query
   * is dropped: the service reads none.
   */
  String forwardPath() {
    if (segments.isEmpty()) {
      return "/";
    }
    if (!VERSIONS.contains(segments.get(0))) {
      return null;
    }
    if (segments.size() > 1 && !CATEGORIES.contains(segments.get(1))) {
      return null;
    }
    for (String segment : segments) {
      if (!isCanonicalSegment(segment)) {
        return null;
      }
    }
    if (segments.size() > 2
        && (foldsTo(segments.get(2), IAM_FOLDED) || foldsTo(segments.get(2), IDENTITY_CREDENTIALS_FOLDED))) {
      return null;
    }
    return path();
  }

  /**
   * Whether every character is one the metadata service's own paths use: letters and digits, the
   * {@code -} and {@code .} of its names, {@code :} of MAC addresses, and {@code _ + = , @} that
   * instance tag keys may hold; and the segment is not dots alone.
   */
  private static boolean isCanonicalSegment(String segment) {
    boolean dotsOnly = true;
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "-._:+=,@".indexOf(c) >= 0;
      if (!allowed) {
        return false;
      }
      dotsOnly &= c == '.';
    }
    return !dotsOnly;
  }

  /**
   * Whether {@code segment}, lower case and with letters and digits only, reads {@code folded}: {@code I.A-M}
   * and {@code iam} fold alike. Char by char, without building the folded copy: only canonical
   * segments, ASCII alone, get here, so no character folds to more than one.
   */
  private static boolean foldsTo(String segment, String folded) {
    int matched = 0;
    for (int i = 0; i < segment.length(); i++) {
      char c = Character.toLowerCase(segment.charAt(i));
      if (!Character.isLetterOrDigit(c)) {
        continue;
      }
      if (matched == folded.length() || c != folded.charAt(matched)) {
        return false;
      }
      matched++;
    }
    return matched == folded.length();
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

  /**
   * The metadata API's version segment, in any case (as every other segment is compared): {@code latest},
   * {@code 1.0} or a date like {@code 2021-07-15}.
   */
  private static boolean isVersion(String segment) {
    if (segment.equalsIgnoreCase("latest") || segment.equals("1.0")) {
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

  /** Percent-decodes once; rejects bad escapes, control characters and line separators. */
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
      // C1 controls and the Unicode line separators too: the path is written to the log.
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029' || c == '\\') {
        throw new IllegalArgumentException("control character or backslash in path");
      }
    }
  }
}
