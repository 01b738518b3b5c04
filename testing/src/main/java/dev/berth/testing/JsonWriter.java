package dev.berth.testing;

import java.util.List;
import java.util.Map;

/**
 * Writes compact JSON documents, members in the order written, as Go's {@code encoding/json}
 * writes the Docker engine's answers.
 *
 * <p>Design notes: a comma goes before every member or element except the first of its object or
 * array, which is the one written right after the opening bracket or brace — so no stack is needed.
 */
final class JsonWriter {

  private final StringBuilder out = new StringBuilder(512);

  JsonWriter beginObject() {
    separate().append('{');
    return this;
  }

  JsonWriter beginObject(String name) {
    name(name).append('{');
    return this;
  }

  JsonWriter endObject() {
    out.append('}');
    return this;
  }

  JsonWriter beginArray() {
    separate().append('[');
    return this;
  }

  JsonWriter beginArray(String name) {
    name(name).append('[');
    return this;
  }

  JsonWriter endArray() {
    out.append(']');
    return this;
  }

  /** A string member; {@code null} writes {@code null}, as Go does for an unset pointer. */
  JsonWriter field(String name, String value) {
    name(name).append(Text.json(value));
    return this;
  }

  JsonWriter field(String name, long value) {
    name(name).append(value);
    return this;
  }

  JsonWriter field(String name, boolean value) {
    name(name).append(value);
    return this;
  }

  JsonWriter nullField(String name) {
    name(name).append("null");
    return this;
  }

  /** An object of string members, e.g. labels; {@code {}} when empty. */
  JsonWriter field(String name, Map<String, String> members) {
    beginObject(name);
    members.forEach(this::field);
    return endObject();
  }

  /** An array of strings, e.g. an environment; {@code []} when empty. */
  JsonWriter field(String name, List<String> values) {
    beginArray(name);
    values.forEach(value -> separate().append(Text.json(value)));
    return endArray();
  }

  @Override
  public String toString() {
    return out.toString();
  }

  private StringBuilder name(String name) {
    return separate().append(Text.json(name)).append(':');
  }

  private StringBuilder separate() {
    if (out.length() > 0) {
      char last = out.charAt(out.length() - 1);
      if (last != '{' && last != '[' && last != ':') {
        out.append(',');
      }
    }
    return out;
  }
}
