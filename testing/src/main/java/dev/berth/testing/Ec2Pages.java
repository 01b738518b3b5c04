package dev.berth.testing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * {@code NextToken}s: opaque to clients, they name the last resource of the page by its launch
 * serial, so a page boundary holds still while resources come and go between calls.
 */
final class Ec2Pages {

  private static final String PREFIX = "berth-page:";

  private Ec2Pages() {}

  static String token(long lastSerial) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((PREFIX + lastSerial).getBytes(StandardCharsets.UTF_8));
  }

  /** The serial a page starts after: 0 for the first page. */
  static long after(String token) {
    if (token == null || token.isEmpty()) {
      return 0;
    }
    try {
      String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (decoded.startsWith(PREFIX)) {
        return Long.parseLong(decoded.substring(PREFIX.length()));
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new QueryFailure(Ec2Errors.invalidParameterValue("The specified NextToken is not valid: " + token));
  }

  /**
   * The page of {@code matches} that {@code MaxResults} and {@code NextToken} ask for, in serial
   * order; {@code MaxResults} together with explicit ids is refused, as EC2 does.
   */
  static <T> java.util.List<T> page(Ec2Request request, java.util.List<T> matches,
      java.util.function.ToLongFunction<T> serial, java.util.List<String> ids) {
    Integer maxResults = maxResults(request, ids, "the resource ids");
    long after = after(request.param("NextToken"));
    java.util.List<T> rest = matches.stream().filter(m -> serial.applyAsLong(m) > after).toList();
    return maxResults == null ? rest : rest.subList(0, Math.min(maxResults, rest.size()));
  }

  /** {@code MaxResults}, checked as EC2 does: 5 to 1000, and never with explicit ids ({@code idList} names them). */
  static Integer maxResults(Ec2Request request, java.util.List<String> ids, String idList) {
    Integer maxResults = request.integer("MaxResults");
    if (maxResults != null && !ids.isEmpty()) {
      throw new QueryFailure(Ec2Errors.invalidParameterCombination(
          "The parameter " + idList + " cannot be used with the parameter maxResults"));
    }
    if (maxResults != null && (maxResults < 5 || maxResults > 1000)) {
      throw new QueryFailure(Ec2Errors.invalidParameterValue(
          "Value ( " + maxResults + " ) for parameter maxResults is invalid. Expecting a value between 5 and 1000."));
    }
    return maxResults;
  }

  /** Writes {@code nextToken} when {@code matches} go on after {@code page}. */
  static <T> void next(XmlWriter xml, java.util.List<T> page, java.util.List<T> matches,
      java.util.function.ToLongFunction<T> serial) {
    if (!page.isEmpty()) {
      long last = serial.applyAsLong(page.get(page.size() - 1));
      if (matches.stream().anyMatch(m -> serial.applyAsLong(m) > last)) {
        xml.leaf("nextToken", token(last));
      }
    }
  }
}
