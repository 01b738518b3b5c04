package dev.berth.provisioner.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A value in the spec document and its JSON path; every accessor checks the type it expects and
 * throws a {@link SpecException} that says where, what was expected, and what was found.
 */
record JsonField(JsonNode node, String path) {

  /** Whether the field is there with a value other than {@code null}. */
  boolean present() {
    return node != null && !node.isNull() && !node.isMissingNode();
  }

  JsonField get(String name) {
    return new JsonField(node == null ? null : node.get(name), path + "." + name);
  }

  JsonField required(String name, String expected) {
    JsonField child = get(name);
    if (!child.present()) {
      throw child.fail("required: " + expected);
    }
    return child;
  }

  SpecException fail(String problem) {
    return new SpecException(path, problem);
  }

  SpecException expected(String expected) {
    return fail("expected " + expected + ", got " + describe(node));
  }

  JsonField object(String expected) {
    if (!present() || !node.isObject()) {
      throw expected(expected);
    }
    return this;
  }

  /** Refuses every field not in {@code allowed}, suggesting the right spelling when only case differs. */
  JsonField only(Set<String> allowed) {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        String hint = allowed.stream().filter(a -> a.equalsIgnoreCase(name)).findFirst()
            .map(a -> " (did you mean \"" + a + "\"? names are case-sensitive)")
            .orElse("; expected one of " + String.join(", ", allowed.stream().sorted().toList()));
        throw get(name).fail("unknown field \"" + name + "\"" + hint);
      }
    }
    return this;
  }

  List<String> fieldNames() {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  String text(String expected) {
    if (!present() || !node.isTextual()) {
      throw expected(expected);
    }
    return node.textValue();
  }

  int integer(int min, int max) {
    if (!present() || !node.isIntegralNumber() || !node.canConvertToLong()
        || node.longValue() < min || node.longValue() > max) {
      throw expected("a whole number from " + min + " to " + max);
    }
    return node.intValue();
  }

  boolean bool() {
    if (!present() || !node.isBoolean()) {
      throw expected("true or false");
    }
    return node.booleanValue();
  }

  List<JsonField> elements(String expected) {
    if (!present() || !node.isArray()) {
      throw expected(expected);
    }
    List<JsonField> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      out.add(new JsonField(node.get(i), path + "[" + i + "]"));
    }
    return out;
  }

  Map<String, String> stringMap(String expected) {
    if (!present()) {
      return Map.of();
    }
    object(expected);
    Map<String, String> out = new LinkedHashMap<>();
    for (String name : fieldNames()) {
      out.put(name, get(name).text("a string value for tag \"" + name + "\""));
    }
    return out;
  }

  static String describe(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    if (node.isNull()) {
      return "null";
    }
    if (node.isTextual()) {
      String text = node.textValue();
      return "the string \"" + (text.length() > 60 ? text.substring(0, 57) + "..." : text) + "\"";
    }
    if (node.isNumber()) {
      return "the number " + node.asText();
    }
    if (node.isBoolean()) {
      return node.asText();
    }
    return (node.isArray() ? "an array" : "an object") + " of " + node.size()
        + (node.isArray() ? " element" : " field") + (node.size() == 1 ? "" : "s");
  }
}
