package dev.berth.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parameters of one {@code AssumeRole} request, validated the way STS validates them.
 *
 * <p>Design notes: every constraint that fails is reported, joined in one {@code ValidationError}
 * message in STS's own words ("2 validation errors detected: Value ... at 'roleSessionName'
 * failed to satisfy constraint: ..."), so a client sees what it would see from AWS.
 */
record AssumeRoleParams(
    String roleArn,
    String roleSessionName,
    int durationSeconds,
    Optional<String> externalId,
    Map<String, String> tags,
    boolean hasPolicy) {

  static final int MIN_DURATION = 900;
  static final int MAX_DURATION = 43_200;
  static final int DEFAULT_DURATION = 3_600;

  private static final Pattern ROLE_ARN =
      Pattern.compile("arn:(aws|aws-cn|aws-us-gov):iam::(\\d{12}):role/((?:[\\x21-\\x7E]+/)*)([\\w+=,.@-]{1,64})");
  private static final Pattern SESSION_NAME = Pattern.compile("[\\w+=,.@-]*");
  private static final Pattern EXTERNAL_ID = Pattern.compile("[\\w+=,.@:/-]*");
  private static final Pattern TAG_KEY = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+");
  private static final Pattern TAG_PARAM = Pattern.compile("Tags\\.member\\.(\\d+)\\.(Key|Value)");

  AssumeRoleParams {
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
  }

  /** The role's name: the last segment of the ARN, without its path. */
  String roleName() {
    return matcher(roleArn).group(4);
  }

  /** The twelve-digit account that owns the role. */
  String roleAccount() {
    return matcher(roleArn).group(2);
  }

  /** Whether {@code arn} has the shape {@code arn:aws:iam::<12 digits>:role/<path/><name>}. */
  static boolean isRoleArn(String arn) {
    return arn != null && ROLE_ARN.matcher(arn).matches();
  }

  /** The parameters in {@code request}; throws {@link QueryFailure} with a ValidationError otherwise. */
  static AssumeRoleParams parse(StsRequest request) {
    List<String> problems = new ArrayList<>();
    String roleArn = request.param("RoleArn");
    if (roleArn == null) {
      problems.add(notNull("roleArn"));
    } else if (roleArn.length() < 20 || roleArn.length() > 2048) {
      problems.add(constraint(roleArn, "roleArn", "Member must have length "
          + (roleArn.length() < 20 ? "greater than or equal to 20" : "less than or equal to 2048")));
    } else if (!isRoleArn(roleArn)) {
      problems.add(constraint(roleArn, "roleArn",
          "Member must be an IAM role ARN of the form arn:aws:iam::<12-digit account id>:role/<path/><name>"));
    }
    String session = request.param("RoleSessionName");
    if (session == null) {
      problems.add(notNull("roleSessionName"));
    } else {
      checkLength(problems, session, "roleSessionName", 2, 64);
      checkPattern(problems, session, "roleSessionName", SESSION_NAME);
    }
    int duration = DEFAULT_DURATION;
    String durationText = request.param("DurationSeconds");
    if (durationText != null) {
      try {
        duration = Integer.parseInt(durationText.trim());
        if (duration < MIN_DURATION) {
          problems.add(constraint(durationText, "durationSeconds",
              "Member must have value greater than or equal to " + MIN_DURATION));
        } else if (duration > MAX_DURATION) {
          problems.add(constraint(durationText, "durationSeconds",
              "Member must have value less than or equal to " + MAX_DURATION));
        }
      } catch (NumberFormatException e) {
        problems.add(constraint(durationText, "durationSeconds", "Member must be an integer"));
      }
    }
    String externalId = request.param("ExternalId");
    if (externalId != null) {
      checkLength(problems, externalId, "externalId", 2, 1224);
      checkPattern(problems, externalId, "externalId", EXTERNAL_ID);
    }
    Map<String, String> tags = tags(request, problems);
    if (!problems.isEmpty()) {
      throw new QueryFailure(StsErrors.validation(problems));
    }
    boolean hasPolicy = request.param("Policy") != null
        || request.params().keySet().stream().anyMatch(k -> k.startsWith("PolicyArns.member."));
    return new AssumeRoleParams(roleArn, session, duration, Optional.ofNullable(externalId), tags, hasPolicy);
  }

  private static Map<String, String> tags(StsRequest request, List<String> problems) {
    TreeMap<Integer, String[]> byIndex = new TreeMap<>();
    request.params().forEach((name, value) -> {
      Matcher m = TAG_PARAM.matcher(name);
      if (m.matches()) {
        String[] pair = byIndex.computeIfAbsent(Integer.parseInt(m.group(1)), i -> new String[2]);
        pair["Key".equals(m.group(2)) ? 0 : 1] = value;
      }
    });
    if (byIndex.size() > 50) {
      problems.add(constraint("[" + byIndex.size() + " tags]", "tags", "Member must have length less than or equal to 50"));
      return Map.of();
    }
    Map<String, String> tags = new LinkedHashMap<>();
    Map<String, String> seen = new TreeMap<>();
    byIndex.forEach((index, pair) -> {
      String at = "tags." + index + ".member";
      if (pair[0] == null) {
        problems.add(notNull(at + ".key"));
        return;
      }
      checkLength(problems, pair[0], at + ".key", 1, 128);
      checkPattern(problems, pair[0], at + ".key", TAG_KEY);
      String value = pair[1] == null ? "" : pair[1];
      checkLength(problems, value, at + ".value", 0, 256);
      if (seen.put(pair[0].toLowerCase(Locale.ROOT), pair[0]) != null) {
        problems.add("Duplicate tag keys found. Please note that Tag keys are case insensitive.");
      }
      tags.put(pair[0], value);
    });
    return tags;
  }

  private static void checkLength(List<String> problems, String value, String member, int min, int max) {
    if (value.length() < min) {
      problems.add(constraint(value, member, "Member must have length greater than or equal to " + min));
    } else if (value.length() > max) {
      problems.add(constraint(value, member, "Member must have length less than or equal to " + max));
    }
  }

  private static void checkPattern(List<String> problems, String value, String member, Pattern pattern) {
    if (!pattern.matcher(value).matches()) {
      problems.add(constraint(value, member,
          "Member must satisfy regular expression pattern: " + pattern.pattern()));
    }
  }

  private static String notNull(String member) {
    return "Value null at '" + member + "' failed to satisfy constraint: Member must not be null";
  }

  private static String constraint(String value, String member, String rule) {
    return "Value '" + value + "' at '" + member + "' failed to satisfy constraint: " + rule;
  }

  private static Matcher matcher(String arn) {
    Matcher m = ROLE_ARN.matcher(arn);
    if (!m.matches()) {
      throw new IllegalStateException("not a role ARN: " + arn);
    }
    return m;
  }
}
