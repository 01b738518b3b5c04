package dev.berth.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * One {@code Filter.N} of a Describe request: a name and the values any of which may match, with
 * EC2's wildcards ({@code *} any run, {@code ?} one character, {@code \} escapes). Filters are
 * ANDed, values ORed.
 */
record Ec2Filter(String name, List<Pattern> values) {

  /**
   * Reads every {@code Filter.N} of {@code request}, refusing names outside {@code allowed}
   * ({@code tag:KEY}, {@code tag-key} and {@code tag-value} are always allowed).
   */
  static List<Ec2Filter> parse(Ec2Request request, Set<String> allowed) {
    List<Ec2Filter> filters = new ArrayList<>();
    for (Ec2Request member : request.structs("Filter")) {
      String name = member.param("Name");
      if (name == null || name.isEmpty()) {
        throw new QueryFailure(Ec2Errors.missingParameter("Filter.Name"));
      }
      boolean tagFilter = name.equals("tag-key") || name.equals("tag-value") || (name.startsWith("tag:") && name.length() > 4);
      if (!allowed.contains(name) && !tagFilter) {
        throw new QueryFailure(Ec2Errors.invalidParameterValue("The filter '" + name + "' is invalid"));
      }
      List<String> raw = member.list("Value");
      if (raw.isEmpty()) {
        throw new QueryFailure(Ec2Errors.invalidParameterValue("The filter '" + name + "' requires at least one value"));
      }
      filters.add(new Ec2Filter(name, raw.stream().map(Ec2Filter::glob).toList()));
    }
    return filters;
  }

  /**
   * Whether a resource passes every filter; {@code attribute} answers the resource's values for
   * a filter name ({@code tags} serves {@code tag:KEY}, {@code tag-key} and {@code tag-value}).
   */
  static boolean all(List<Ec2Filter> filters, Map<String, String> tags, BiFunction<String, Map<String, String>, List<String>> attribute) {
    for (Ec2Filter filter : filters) {
      List<String> actual;
      if (filter.name.startsWith("tag:")) {
        String value = tags.get(filter.name.substring(4));
        actual = value == null ? List.of() : List.of(value);
      } else if (filter.name.equals("tag-key")) {
        actual = List.copyOf(tags.keySet());
      } else if (filter.name.equals("tag-value")) {
        actual = List.copyOf(tags.values());
      } else {
        actual = attribute.apply(filter.name, tags);
      }
      if (actual.stream().noneMatch(a -> filter.values.stream().anyMatch(p -> p.matcher(a).matches()))) {
        return false;
      }
    }
    return true;
  }

  private static Pattern glob(String value) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\' && i + 1 < value.length()) {
        regex.append(Pattern.quote(String.valueOf(value.charAt(++i))));
      } else if (c == '*') {
        regex.append(".*");
      } else if (c == '?') {
        regex.append('.');
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }
}
