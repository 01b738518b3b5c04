package dev.berth.testing;

/**
 * Writes the XML documents the Query services answer with, as they write them: one element a line,
 * two spaces of indent a level, character data escaped.
 */
final class XmlWriter {

  static final String DECLARATION = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

  private final StringBuilder out = new StringBuilder(1024);
  private int depth;

  private XmlWriter() {}

  /** A document after {@code prefix} (the declaration, or nothing), its {@code root} opened in {@code namespace}. */
  static XmlWriter document(String prefix, String root, String namespace) {
    XmlWriter xml = new XmlWriter();
    xml.out.append(prefix).append('<').append(root).append(" xmlns=\"").append(namespace).append("\">\n");
    xml.depth = 1;
    return xml;
  }

  XmlWriter open(String name) {
    indent().append('<').append(name).append(">\n");
    depth++;
    return this;
  }

  XmlWriter close(String name) {
    depth--;
    indent().append("</").append(name).append(">\n");
    return this;
  }

  /** {@code <name>value</name>}, or nothing when {@code value} is {@code null}. */
  XmlWriter leaf(String name, Object value) {
    if (value != null) {
      indent().append('<').append(name).append('>').append(Text.xml(value.toString()))
          .append("</").append(name).append(">\n");
    }
    return this;
  }

  /** Closes the {@code root} element and returns the whole document. */
  String end(String root) {
    return close(root).out.toString();
  }

  private StringBuilder indent() {
    return out.append("  ".repeat(depth));
  }
}
