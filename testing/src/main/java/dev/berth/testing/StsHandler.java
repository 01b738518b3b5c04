package dev.berth.testing;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Answers STS Query requests: the protocol logic of {@link StsEmulator} without the HTTP server.
 *
 * <p>Design notes: order of checks follows STS — injected fault, action and version, signature,
 * then the action's own validation and authorization. {@code AssumeRole} requests are counted
 * before any check so that throttled, invalid and denied calls show in the counts, which is what
 * a test of a client's retry behaviour needs.
 */
final class StsHandler {

  static final String VERSION = "2011-06-15";

  private final Clock clock;
  private final String callerArn;
  private final StsFaults faults;
  private final AtomicLong serial = new AtomicLong();
  private final ConcurrentMap<String, StsEmulator.Issued> issuedByKey = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<StsEmulator.Issued> issuedInOrder = new ConcurrentLinkedQueue<>();
  private final AtomicInteger assumeRoleCalls = new AtomicInteger();
  private final ConcurrentMap<String, AtomicInteger> assumeRoleCallsByRole = new ConcurrentHashMap<>();

  StsHandler(Clock clock, String callerArn, StsFaults faults) {
    this.clock = clock;
    this.callerArn = callerArn;
    this.faults = faults;
  }

  /** Answers {@code request}, held back by {@code delay}. */
  QueryAnswer handle(StsRequest request, Duration delay) {
    String requestId = Ids.requestId();
    try {
      return new QueryAnswer(200, dispatch(request, requestId), requestId, delay);
    } catch (QueryFailure failure) {
      return new QueryAnswer(failure.error().status(), StsXml.error(failure.error(), requestId), requestId, delay);
    }
  }

  Optional<StsEmulator.Issued> issued(String accessKeyId) {
    return Optional.ofNullable(issuedByKey.get(accessKeyId));
  }

  List<StsEmulator.Issued> issued() {
    return List.copyOf(issuedInOrder);
  }

  int assumeRoleCalls() {
    return assumeRoleCalls.get();
  }

  int assumeRoleCalls(String roleArn) {
    AtomicInteger count = assumeRoleCallsByRole.get(roleArn);
    return count == null ? 0 : count.get();
  }

  void resetCounts() {
    assumeRoleCalls.set(0);
    assumeRoleCallsByRole.clear();
  }

  private String dispatch(StsRequest request, String requestId) {
    String action = request.param("Action");
    if ("AssumeRole".equals(action)) {
      assumeRoleCalls.incrementAndGet();
      String roleArn = request.param("RoleArn");
      if (roleArn != null) {
        assumeRoleCallsByRole.computeIfAbsent(roleArn, k -> new AtomicInteger()).incrementAndGet();
      }
    }
    Optional<StsEmulator.Fault> fault = faults.poll();
    if (fault.isPresent()) {
      throw new QueryFailure(StsErrors.of(fault.get()));
    }
    if (action == null || action.isEmpty()) {
      throw new QueryFailure(StsErrors.missingAction());
    }
    String version = request.param("Version");
    boolean known = "AssumeRole".equals(action) || "GetCallerIdentity".equals(action);
    if (!known || !VERSION.equals(version)) {
      throw new QueryFailure(StsErrors.invalidAction(action, version == null ? "NO_VERSION_SPECIFIED" : version));
    }
    Caller caller = caller(StsAuth.accessKeyId(request));
    if ("GetCallerIdentity".equals(action)) {
      return StsXml.getCallerIdentity(caller.arn(), caller.userId(), caller.account(), requestId);
    }
    return assumeRole(AssumeRoleParams.parse(request), caller, requestId);
  }

  private String assumeRole(AssumeRoleParams params, Caller caller, String requestId) {
    if (caller.chained() && params.durationSeconds() > AssumeRoleParams.DEFAULT_DURATION) {
      throw new QueryFailure(StsErrors.validationMessage(
          "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."));
    }
    if (faults.denies(params.roleArn())) {
      throw new QueryFailure(StsErrors.accessDenied(caller.arn(), params.roleArn()));
    }
    String accessKeyId = "ASIA" + Ids.fingerprint(params.roleArn(), 8) + Ids.base36(serial.incrementAndGet(), 8);
    Instant expiration = clock.instant().plusSeconds(params.durationSeconds()).truncatedTo(ChronoUnit.SECONDS);
    StsEmulator.Issued issued = new StsEmulator.Issued(
        params.roleArn(),
        params.roleSessionName(),
        params.externalId(),
        accessKeyId,
        Ids.randomBase64(30),
        sessionToken(params, accessKeyId, expiration),
        expiration,
        params.tags());
    issuedByKey.put(accessKeyId, issued);
    issuedInOrder.add(issued);
    String assumedRoleId = roleId(params.roleArn()) + ":" + params.roleSessionName();
    String assumedRoleArn = assumedRoleArn(params.roleAccount(), params.roleName(), params.roleSessionName());
    return StsXml.assumeRole(issued, assumedRoleId, assumedRoleArn, packedPolicySize(params), requestId);
  }

  private Caller caller(String accessKeyId) {
    StsEmulator.Issued issued = issuedByKey.get(accessKeyId);
    if (issued == null) {
      String account = callerArn.split(":", 6)[4];
      String prefix = callerArn.contains(":user/") ? "AIDA" : "AROA";
      return new Caller(callerArn, prefix + Ids.fingerprint(callerArn, 17), account, false);
    }
    if (!clock.instant().isBefore(issued.expiration())) {
      throw new QueryFailure(StsErrors.expiredToken());
    }
    String arn = issued.roleArn();
    String account = arn.split(":", 6)[4];
    return new Caller(
        assumedRoleArn(account, issued.roleName(), issued.sessionName()),
        roleId(arn) + ":" + issued.sessionName(),
        account,
        true);
  }

  private static String assumedRoleArn(String account, String roleName, String sessionName) {
    return "arn:aws:sts::" + account + ":assumed-role/" + roleName + "/" + sessionName;
  }

  // Stable per role, as a real role's unique id is.
  private static String roleId(String roleArn) {
    return "AROA" + Ids.fingerprint(roleArn, 17);
  }

  // STS reports how full the packed session policy and tags are, in percent, only when either was sent.
  private static Integer packedPolicySize(AssumeRoleParams params) {
    if (!params.hasPolicy() && params.tags().isEmpty()) {
      return null;
    }
    int chars = params.tags().entrySet().stream().mapToInt(e -> e.getKey().length() + e.getValue().length()).sum();
    return Math.min(100, Math.max(1, (chars + (params.hasPolicy() ? 200 : 0)) * 100 / 2048 + 1));
  }

  private static String sessionToken(AssumeRoleParams params, String accessKeyId, Instant expiration) {
    String json = "{\"issuer\":\"berth-sts-emulator\""
        + ",\"roleArn\":" + Text.json(params.roleArn())
        + ",\"roleName\":" + Text.json(params.roleName())
        + ",\"roleSessionName\":" + Text.json(params.roleSessionName())
        + ",\"accessKeyId\":" + Text.json(accessKeyId)
        + ",\"expiration\":" + Text.json(StsXml.timestamp(expiration))
        + "}";
    return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private record Caller(String arn, String userId, String account, boolean chained) {}
}
