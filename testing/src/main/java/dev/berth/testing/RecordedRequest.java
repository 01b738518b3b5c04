package dev.berth.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One request as an emulator received it, for assertions on what a client (or proxy) sent.
 *
 * @param method the HTTP method, e.g. {@code GET}
 * @param uri the request target as sent, path and query
 * @param headers every header, looked up without regard to case, values in arrival order
 */
public record RecordedRequest(String method, String uri, Map<String, List<String>> headers) {

  /**
   * Null-checks the components and freezes the headers.
   *
   * @param method the HTTP method
   * @param uri the request target
   * @param headers the headers; copied into a case-insensitive map
   */
  public RecordedRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(uri, "uri");
    TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((name, values) -> copy.merge(name, List.copyOf(values), (a, b) -> {
      List<String> both = new ArrayList<>(a);
      both.addAll(b);
      return List.copyOf(both);
    }));
    headers = Collections.unmodifiableMap(copy);
  }

  /**
   * The path of {@link #uri()}, without the query.
   *
   * @return e.g. {@code /latest/meta-data/instance-id}
   */
  public String path() {
    int end = uri.indexOf('?');
    return end < 0 ? uri : uri.substring(0, end);
  }

  /**
   * The first value of a header.
   *
   * @param name the header name, any case
   * @return the value, or empty if the header was not sent
   */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }
}
