package dev.berth.provisioner.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * JSON written exactly as Go's {@code encoding/json} writes a decoded document with
 * {@code json.MarshalIndent(v, "  ", "  ")}: object keys sorted byte-wise (UTF-8), every number
 * a float64 in Go's shortest form ({@code 1e+21}, {@code 1e-7}, {@code 100}), strings escaped with
 * Go's HTML-safe rules ({@code \u003c}, {@code \u0026}, {@code \u2028}).
 *
 * <p>Design notes: this is the "stable format" InfraKit hashes to tag instances with their
 * configuration; any difference, even one of whitespace, makes every instance InfraKit made look
 * out of date. The vectors in {@code ConfigHashTest} were produced with Go's own encoder.
 */
final class GoJson {

  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final String PREFIX = "  ";
  private static final String INDENT = "  ";

  private GoJson() {}

  static String stable(JsonNode node) {
    StringBuilder out = new StringBuilder(256);
    write(out, node, 0);
    return out.toString();
  }

  private static void write(StringBuilder out, JsonNode node, int depth) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      out.append("null");
    } else if (node.isObject()) {
      writeObject(out, node, depth);
    } else if (node.isArray()) {
      if (node.isEmpty()) {
        out.append("[]");
        return;
      }
      out.append('[');
      for (int i = 0; i < node.size(); i++) {
        newline(out, depth + 1);
        write(out, node.get(i), depth + 1);
        if (i < node.size() - 1) {
          out.append(',');
        }
      }
      newline(out, depth);
      out.append(']');
    } else if (node.isBoolean()) {
      out.append(node.booleanValue());
    } else if (node.isNumber()) {
      out.append(number(node.isBigInteger() ? node.bigIntegerValue().doubleValue() : node.doubleValue()));
    } else {
      string(out, node.asText());
    }
  }

  private static void writeObject(StringBuilder out, JsonNode node, int depth) {
    if (node.isEmpty()) {
      out.append("{}");
      return;
    }
    List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      fields.add(it.next());
    }
    fields.sort((a, b) -> Arrays.compareUnsigned(utf8(a.getKey()), utf8(b.getKey())));
    out.append('{');
    for (int i = 0; i < fields.size(); i++) {
      newline(out, depth + 1);
      string(out, fields.get(i).getKey());
      out.append(": ");
      write(out, fields.get(i).getValue(), depth + 1);
      if (i < fields.size() - 1) {
        out.append(',');
      }
    }
    newline(out, depth);
    out.append('}');
  }

  private static void newline(StringBuilder out, int depth) {
    out.append('\n').append(PREFIX).append(INDENT.repeat(depth));
  }

  private static byte[] utf8(String text) {
    return sanitize(text).getBytes(StandardCharsets.UTF_8);
  }

  /** Go's decoder turns a lone surrogate into U+FFFD before anything is hashed. */
  private static String sanitize(String text) {
    StringBuilder out = new StringBuilder(text.length());
    boolean changed = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        out.append(c).append(text.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        out.append('\uFFFD');
        changed = true;
      } else {
        out.append(c);
      }
    }
    return changed ? out.toString() : text;
  }

  static void string(StringBuilder out, String raw) {
    String text = sanitize(raw);
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '<', '>', '&', '\u2028', '\u2029' -> unicode(out, c);
        default -> {
          if (c < 0x20) {
            unicode(out, c);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static void unicode(StringBuilder out, char c) {
    out.append("\\u").append(HEX[c >> 12 & 0xF]).append(HEX[c >> 8 & 0xF]).append(HEX[c >> 4 & 0xF]).append(HEX[c & 0xF]);
  }

  /** A float64 as Go's encoder writes it: 'f' format from 1e-6 up to 1e21, 'e' format outside. */
  static String number(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("JSON has no " + value);
    }
    if (value == 0) {
      return 1 / value < 0 ? "-0" : "0";
    }
    BigDecimal shortest = shortest(value);
    double abs = Math.abs(value);
    if (abs >= 1e-6 && abs < 1e21) {
      return shortest.toPlainString();
    }
    // Go's 'e' format: shortest digits, an explicit exponent sign, and "e-07" trimmed to "e-7".
    String digits = shortest.unscaledValue().abs().toString();
    int exponent = shortest.precision() - shortest.scale() - 1;
    StringBuilder out = new StringBuilder();
    if (value < 0) {
      out.append('-');
    }
    out.append(digits.charAt(0));
    if (digits.length() > 1) {
      out.append('.').append(digits, 1, digits.length());
    }
    return out.append('e').append(exponent < 0 ? '-' : '+').append(Math.abs(exponent)).toString();
  }

  // The shortest decimal that reads back as the same double, as Go's strconv finds it.
  private static BigDecimal shortest(double value) {
    BigDecimal exact = new BigDecimal(value);
    for (int precision = 1; precision < 17; precision++) {
      BigDecimal candidate = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
      if (candidate.doubleValue() == value) {
        return candidate.stripTrailingZeros();
      }
    }
    return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)).stripTrailingZeros();
  }
}
