package dev.berth.proxy.policy;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An IAM role ARN that IAM itself would accept, in its one canonical spelling: a name of IAM's
 * characters ({@code [\w+=,.@-]}, at most 64), under a path of such segments (at most 512
 * characters with its slashes), never an empty, {@code .} or {@code ..} segment. A container's
 * label is checked as this before the allow-list sees it, so {@code app-x/../admin} cannot match
 * {@code role/app-.*} and then reach STS, where another reading of it might name {@code admin}.
 */
record RoleArn(String partition, String account, List<String> path, String name) {

  static final int MAX_NAME = 64;
  static final int MAX_PATH = 512;
  private static final Pattern ARN = Pattern.compile("arn:(aws[a-z-]*):iam::(\\d{12}):role/(.*)", Pattern.DOTALL);
  private static final Pattern SEGMENT = Pattern.compile("[\\w+=,.@-]+");
  private static final String RULES = "IAM role names and paths use letters, digits and + = , . @ _ -, "
      + "with no empty, '.' or '..' segment; names up to " + MAX_NAME + " characters, paths up to " + MAX_PATH;

  /** Parses {@code arn}; throws {@link IllegalArgumentException} saying what is wrong with it. */
  static RoleArn parse(String arn) {
    Matcher m = ARN.matcher(arn);
    if (!m.matches()) {
      throw invalid(arn, "not of the form arn:aws:iam::123456789012:role/[path/]name");
    }
    List<String> segments = List.of(m.group(3).split("/", -1));
    for (String segment : segments) {
      if (segment.isEmpty()) {
        throw invalid(arn, "it has an empty path segment");
      }
      if (segment.equals(".") || segment.equals("..")) {
        throw invalid(arn, "it has a '" + segment + "' path segment");
      }
      if (!SEGMENT.matcher(segment).matches()) {
        throw invalid(arn, "'" + printable(segment) + "' has a character IAM does not allow");
      }
    }
    String name = segments.get(segments.size() - 1);
    List<String> path = segments.subList(0, segments.size() - 1);
    if (name.length() > MAX_NAME) {
      throw invalid(arn, "the name is longer than " + MAX_NAME + " characters");
    }
    if (pathOf(path).length() > MAX_PATH) {
      throw invalid(arn, "the path is longer than " + MAX_PATH + " characters");
    }
    return new RoleArn(m.group(1), m.group(2), List.copyOf(path), name);
  }

  /** The canonical ARN, e.g. {@code arn:aws:iam::123456789012:role/team/app}. */
  @Override
  public String toString() {
    return "arn:" + partition + ":iam::" + account + ":role" + pathOf(path) + name;
  }

  private static String pathOf(List<String> path) {
    return path.isEmpty() ? "/" : "/" + String.join("/", path) + "/";
  }

  private static IllegalArgumentException invalid(String arn, String why) {
    return new IllegalArgumentException("role '" + printable(arn) + "' is not a valid IAM role: " + why + " (" + RULES + ")");
  }

  /**
   * {@code text} fit for a log line: the name comes from a container, so control characters are
   * escaped (no forged lines) and it is cut at 200 characters.
   */
  static String printable(String text) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length() && out.length() < 200; i++) {
      char c = text.charAt(i);
      if (c == '\\') {
        out.append("\\\\");
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return text.length() > 200 ? out + "..." : out.toString();
  }
}
