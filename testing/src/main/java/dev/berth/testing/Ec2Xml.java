package dev.berth.testing;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * Writes the XML documents EC2 answers with: the action's {@code <XResponse>} in the
 * {@value #NAMESPACE} namespace, members in lower camel case, lists as {@code <item>}s.
 */
final class Ec2Xml {

  static final String NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final StringBuilder out = new StringBuilder(1024);
  private int depth;

  private Ec2Xml() {}

  /** A response document for {@code action}, opened and with its {@code requestId}. */
  static Ec2Xml response(String action, String requestId) {
    Ec2Xml xml = new Ec2Xml();
    xml.out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append('<').append(action).append("Response xmlns=\"").append(NAMESPACE).append("\">\n");
    xml.depth = 1;
    return xml.leaf("requestId", requestId);
  }

  /** EC2's error document, which (unlike successes) has no namespace. */
  static String error(Ec2Error error, String requestId) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" + Text.xml(error.code())
        + "</Code><Message>" + Text.xml(error.message()) + "</Message></Error></Errors><RequestID>"
        + requestId + "</RequestID></Response>";
  }

  static String time(Instant instant) {
    return TIME.format(instant);
  }

  Ec2Xml open(String name) {
    indent().append('<').append(name).append(">\n");
    depth++;
    return this;
  }

  Ec2Xml close(String name) {
    depth--;
    indent().append("</").append(name).append(">\n");
    return this;
  }

  /** {@code <name>value</name>}, or nothing when {@code value} is {@code null}. */
  Ec2Xml leaf(String name, Object value) {
    if (value != null) {
      indent().append('<').append(name).append('>').append(Text.xml(value.toString()))
          .append("</").append(name).append(">\n");
    }
    return this;
  }

  /** A {@code tagSet} of {@code item}s with {@code key} and {@code value}. */
  Ec2Xml tags(Map<String, String> tags) {
    if (tags.isEmpty()) {
      return this;
    }
    open("tagSet");
    tags.forEach((key, value) -> open("item").leaf("key", key).leaf("value", value).close("item"));
    return close("tagSet");
  }

  String finish(String action) {
    return out.append("</").append(action).append("Response>\n").toString();
  }

  private StringBuilder indent() {
    return out.append("  ".repeat(depth));
  }
}
