package dev.berth.testing;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The {@code filters} query parameter of the Docker Engine API: a JSON object of filter names to
 * values, either {@code {"status":["running"]}} or the older {@code {"status":{"running":true}}},
 * and the engine's two ways to match it.
 *
 * <p>Design notes: a hand-written reader for exactly that shape (an object of arrays or objects of
 * strings), so the emulator needs no JSON library. Anything else is the engine's 400.
 */
final class DockerFilters {

  static final DockerFilters NONE = new DockerFilters(Map.of());

  private final Map<String, Set<String>> values;

  private DockerFilters(Map<String, Set<String>> values) {
    this.values = values;
  }

  /** Parses {@code json}; {@code null} or empty means no filters. Accepts only the names in {@code allowed}. */
  static DockerFilters parse(String json, Set<String> allowed) {
    if (json == null || json.isBlank()) {
      return NONE;
    }
    Map<String, Set<String>> parsed = new Reader(json).filters();
    for (String name : parsed.keySet()) {
      if (!allowed.contains(name)) {
        throw new DockerHandler.Failure(400, "invalid filter '" + name + "' (the emulator supports " + allowed + ")");
      }
    }
    return new DockerFilters(parsed);
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  Set<String> values(String name) {
    return values.getOrDefault(name, Set.of());
  }

  /** True when no {@code name} filter is given, or {@code source} is one of its values. */
  boolean exact(String name, String source) {
    Set<String> wanted = values.get(name);
    return wanted == null || wanted.contains(source);
  }

  /** True when no {@code name} filter is given, or one of its values is {@code source} or a prefix of it. */
  boolean fuzzy(String name, String source) {
    Set<String> wanted = values.get(name);
    if (wanted == null) {
      return true;
    }
    if (source == null) {
      return false;
    }
    for (String value : wanted) {
      if (source.startsWith(value)) {
        return true;
      }
    }
    return false;
  }

  /** True when every {@code label} filter, {@code key} or {@code key=value}, holds for {@code labels}. */
  boolean labels(Map<String, String> labels) {
    for (String filter : values("label")) {
      int eq = filter.indexOf('=');
      boolean holds = eq < 0
          ? labels.containsKey(filter)
          : filter.substring(eq + 1).equals(labels.get(filter.substring(0, eq)));
      if (!holds) {
        return false;
      }
    }
    return true;
  }

  private static final class Reader {
    private final String text;
    private int at;

    Reader(String text) {
      this.text = text;
    }

    Map<String, Set<String>> filters() {
      Map<String, Set<String>> filters = new LinkedHashMap<>();
      expect('{');
      if (!peek('}')) {
        do {
          String name = string();
          expect(':');
          filters.put(name, values());
        } while (next(','));
      }
      expect('}');
      skipSpace();
      if (at != text.length()) {
        throw invalid();
      }
      return filters;
    }

    private Set<String> values() {
      Set<String> values = new LinkedHashSet<>();
      if (next('[')) {
        if (!peek(']')) {
          do {
            values.add(string());
          } while (next(','));
        }
        expect(']');
      } else {
        expect('{');
        if (!peek('}')) {
          do {
            String value = string();
            expect(':');
            if (literal("true")) {
              values.add(value);
            } else if (!literal("false")) {
              throw invalid();
            }
          } while (next(','));
        }
        expect('}');
      }
      return values;
    }

    private String string() {
      expect('"');
      StringBuilder out = new StringBuilder();
      while (at < text.length() && text.charAt(at) != '"') {
        char c = text.charAt(at++);
        if (c == '\\') {
          if (at >= text.length()) {
            throw invalid();
          }
          char escaped = text.charAt(at++);
          switch (escaped) {
            case 'n' -> out.append('\n');
            case 't' -> out.append('\t');
            case 'r' -> out.append('\r');
            case 'b' -> out.append('\b');
            case 'f' -> out.append('\f');
            case 'u' -> {
              if (at + 4 > text.length()) {
                throw invalid();
              }
              try {
                out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
              } catch (NumberFormatException e) {
                throw invalid();
              }
              at += 4;
            }
            default -> out.append(escaped);
          }
        } else {
          out.append(c);
        }
      }
      expect('"');
      return out.toString();
    }

    private boolean literal(String word) {
      skipSpace();
      if (text.startsWith(word, at)) {
        at += word.length();
        return true;
      }
      return false;
    }

    private boolean peek(char c) {
      skipSpace();
      return at < text.length() && text.charAt(at) == c;
    }

    private boolean next(char c) {
      if (peek(c)) {
        at++;
        return true;
      }
      return false;
    }

    private void expect(char c) {
      if (!next(c)) {
        throw invalid();
      }
    }

    private void skipSpace() {
      while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
        at++;
      }
    }

    private DockerHandler.Failure invalid() {
      return new DockerHandler.Failure(400, "invalid filter JSON at character " + at + ": " + text);
    }
  }
}
