package dev.berth.testing;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** One response of the metadata emulator: status, content type, extra headers and body. */
record MetadataAnswer(int status, String contentType, Map<String, String> headers, byte[] body) {

  static final String TEXT = "text/plain";

  MetadataAnswer {
    headers = Map.copyOf(headers);
  }

  static MetadataAnswer ok(String contentType, byte[] body) {
    return new MetadataAnswer(200, contentType, Map.of(), body);
  }

  static MetadataAnswer text(String body) {
    return ok(TEXT, body.getBytes(StandardCharsets.UTF_8));
  }

  static MetadataAnswer error(int status, String reason) {
    return error(status, reason, Map.of());
  }

  static MetadataAnswer error(int status, String reason, Map<String, String> headers) {
    return new MetadataAnswer(status, TEXT, headers, (status + " - " + reason).getBytes(StandardCharsets.UTF_8));
  }
}
