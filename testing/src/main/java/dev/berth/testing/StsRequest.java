package dev.berth.testing;

import java.util.Map;

/**
 * The parts of an STS Query request the emulator reads.
 *
 * @param params the query-string and form parameters, first value of each
 * @param authorization the {@code Authorization} header, or {@code null}
 * @param hasDate whether an {@code X-Amz-Date} or {@code Date} header was sent
 */
record StsRequest(Map<String, String> params, String authorization, boolean hasDate) {

  StsRequest {
    params = Map.copyOf(params);
  }

  String param(String name) {
    return params.get(name);
  }
}
