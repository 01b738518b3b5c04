package dev.berth.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The parameters of one EC2 Query request, with the EC2 protocol's list encoding
 * ({@code Name.1}, {@code Name.2}, {@code Filter.1.Value.1} ...) unfolded on demand.
 *
 * @param params every query-string and form parameter, first value of each
 * @param authorization the {@code Authorization} header, or {@code null}
 */
record Ec2Request(Map<String, String> params, String authorization) {

  Ec2Request {
    params = Map.copyOf(params);
  }

  String action() {
    return params.get("Action");
  }

  String param(String name) {
    return params.get(name);
  }

  String required(String name) {
    String value = params.get(name);
    if (value == null || value.isEmpty()) {
      throw new QueryFailure(Ec2Errors.missingParameter(name));
    }
    return value;
  }

  boolean dryRun() {
    return "true".equalsIgnoreCase(params.get("DryRun"));
  }

  Integer integer(String name) {
    String value = params.get(name);
    if (value == null) {
      return null;
    }
    try {
      return Integer.valueOf(value);
    } catch (NumberFormatException e) {
      throw new QueryFailure(Ec2Errors.invalidParameterValue("Invalid value '" + value + "' for " + name));
    }
  }

  /**
   * What makes two calls "the same request" for {@code ClientToken} idempotency: every parameter
   * but the token itself, {@code DryRun} and the protocol's own.
   */
  String fingerprint() {
    Map<String, String> sorted = new TreeMap<>(params);
    sorted.keySet().removeIf(k -> k.equals("Action") || k.equals("Version") || k.equals("ClientToken")
        || k.equals("DryRun") || k.startsWith("X-Amz-"));
    return sorted.toString();
  }

  /** {@code prefix.1}, {@code prefix.2} ... in index order. */
  List<String> list(String prefix) {
    TreeMap<Integer, String> byIndex = new TreeMap<>();
    String start = prefix + ".";
    params.forEach((key, value) -> {
      if (key.startsWith(start) && key.indexOf('.', start.length()) < 0) {
        byIndex.put(index(key, key.substring(start.length())), value);
      }
    });
    return new ArrayList<>(byIndex.values());
  }

  /**
   * The members of a list of structures: for {@code prefix = "Filter"}, one map per {@code Filter.N}
   * whose keys are what follows {@code Filter.N.} ({@code Name}, {@code Value.1} ...).
   */
  List<Ec2Request> structs(String prefix) {
    TreeMap<Integer, Map<String, String>> byIndex = new TreeMap<>();
    String start = prefix + ".";
    params.forEach((key, value) -> {
      if (key.startsWith(start)) {
        int dot = key.indexOf('.', start.length());
        if (dot > 0) {
          int index = index(key, key.substring(start.length(), dot));
          byIndex.computeIfAbsent(index, i -> new TreeMap<>()).put(key.substring(dot + 1), value);
        }
      }
    });
    List<Ec2Request> out = new ArrayList<>();
    byIndex.values().forEach(member -> out.add(new Ec2Request(member, authorization)));
    return out;
  }

  private static int index(String key, String digits) {
    try {
      int index = Integer.parseInt(digits);
      if (index >= 1) {
        return index;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new QueryFailure(Ec2Errors.invalidParameterValue("Invalid parameter " + key + ": list indexes start at 1"));
  }
}
