package dev.berth.testing;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * The shapes of EC2's XML documents: the action's {@code <XResponse>} in the {@value #NAMESPACE}
 * namespace, members in lower camel case, lists as {@code <item>}s.
 */
final class Ec2Xml {

  static final String NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private Ec2Xml() {}

  /** A response document for {@code action}, with its {@code requestId}; end it at {@code <action>Response}. */
  static XmlWriter response(String action, String requestId) {
    return XmlWriter.document(XmlWriter.DECLARATION, action + "Response", NAMESPACE).leaf("requestId", requestId);
  }

  /** EC2's error document, which (unlike successes) has no namespace. */
  static String error(QueryError error, String requestId) {
    return XmlWriter.DECLARATION + "<Response><Errors><Error><Code>" + Text.xml(error.code())
        + "</Code><Message>" + Text.xml(error.message()) + "</Message></Error></Errors><RequestID>"
        + requestId + "</RequestID></Response>";
  }

  static String time(Instant instant) {
    return TIME.format(instant);
  }

  /** A {@code tagSet} of {@code item}s with {@code key} and {@code value}; nothing when there are no tags. */
  static XmlWriter tags(XmlWriter xml, Map<String, String> tags) {
    if (tags.isEmpty()) {
      return xml;
    }
    xml.open("tagSet");
    tags.forEach((key, value) -> xml.open("item").leaf("key", key).leaf("value", value).close("item"));
    return xml.close("tagSet");
  }
}
