package dev.berth.testing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * Answers EC2 Query requests: the protocol logic of {@link Ec2Emulator} without the HTTP server.
 *
 * <p>Design notes: the call is counted first, so throttled and invalid calls show in
 * {@link Ec2Emulator#calls(String)}; then an injected fault, the version, the signature, and the
 * action's own logic. A new action is one entry in {@link #routes}.
 */
final class Ec2Handler {

  static final String VERSION = "2016-11-15";
  static final Set<String> ACTIONS = Set.of("RunInstances", "DescribeInstances", "TerminateInstances",
      "StopInstances", "DescribeInstanceStatus", "GetConsoleOutput", "CreateTags", "DeleteTags", "DescribeImages",
      "CopyImage", "CreateImage", "RegisterImage", "DeregisterImage", "DescribeSnapshots", "CreateSnapshot", "DeleteSnapshot",
      "ModifySnapshotAttribute", "DescribeSnapshotAttribute", "CreateVolume", "DescribeVolumes", "AttachVolume", "DeleteVolume",
      "GetEbsDefaultKmsKeyId", "DescribeSubnets", "DescribeSecurityGroups", "CreateSecurityGroup",
      "AuthorizeSecurityGroupIngress", "DeleteSecurityGroup");

  private final Ec2Faults faults;
  private final Map<String, BiFunction<Ec2Request, String, String>> routes;
  private final ConcurrentMap<String, AtomicInteger> calls = new ConcurrentHashMap<>();

  Ec2Handler(Ec2World world, Ec2Faults faults) {
    this.faults = faults;
    Ec2InstanceActions instances = new Ec2InstanceActions(world, faults);
    Ec2TagActions tags = new Ec2TagActions(world);
    Ec2ImageActions images = new Ec2ImageActions(world);
    Ec2SnapshotActions snapshots = new Ec2SnapshotActions(world);
    Ec2VolumeActions volumes = new Ec2VolumeActions(world);
    Ec2NetworkActions network = new Ec2NetworkActions(world);
    this.routes = Map.ofEntries(
        Map.entry("RunInstances", instances::runInstances),
        Map.entry("DescribeInstances", instances::describeInstances),
        Map.entry("TerminateInstances", instances::terminateInstances),
        Map.entry("StopInstances", instances::stopInstances),
        Map.entry("DescribeInstanceStatus", instances::describeInstanceStatus),
        Map.entry("GetConsoleOutput", instances::getConsoleOutput),
        Map.entry("CreateTags", tags::createTags),
        Map.entry("DeleteTags", tags::deleteTags),
        Map.entry("DescribeImages", images::describeImages),
        Map.entry("CopyImage", images::copyImage),
        Map.entry("CreateImage", images::createImage),
        Map.entry("RegisterImage", images::registerImage),
        Map.entry("DeregisterImage", images::deregisterImage),
        Map.entry("DescribeSnapshots", snapshots::describeSnapshots),
        Map.entry("CreateSnapshot", snapshots::createSnapshot),
        Map.entry("DeleteSnapshot", snapshots::deleteSnapshot),
        Map.entry("ModifySnapshotAttribute", snapshots::modifySnapshotAttribute),
        Map.entry("DescribeSnapshotAttribute", snapshots::describeSnapshotAttribute),
        Map.entry("CreateVolume", volumes::createVolume),
        Map.entry("DescribeVolumes", volumes::describeVolumes),
        Map.entry("AttachVolume", volumes::attachVolume),
        Map.entry("DeleteVolume", volumes::deleteVolume),
        Map.entry("GetEbsDefaultKmsKeyId", volumes::getEbsDefaultKmsKeyId),
        Map.entry("DescribeSubnets", network::describeSubnets),
        Map.entry("DescribeSecurityGroups", network::describeSecurityGroups),
        Map.entry("CreateSecurityGroup", network::createSecurityGroup),
        Map.entry("AuthorizeSecurityGroupIngress", network::authorizeSecurityGroupIngress),
        Map.entry("DeleteSecurityGroup", network::deleteSecurityGroup));
  }

  QueryAnswer handle(Ec2Request request) {
    String requestId = Ids.requestId();
    String action = request.action() == null ? "" : request.action();
    calls.computeIfAbsent(action, a -> new AtomicInteger()).incrementAndGet();
    Duration delay = faults.pollDelay(action);
    try {
      return new QueryAnswer(200, dispatch(action, request, requestId), requestId, delay);
    } catch (QueryFailure failure) {
      QueryError error = failure.error();
      String body = error.code() == null ? error.message() : Ec2Xml.error(error, requestId);
      return new QueryAnswer(error.status(), body, requestId, delay);
    }
  }

  int calls(String action) {
    AtomicInteger count = calls.get(action);
    return count == null ? 0 : count.get();
  }

  Map<String, Integer> calls() {
    Map<String, Integer> snapshot = new java.util.TreeMap<>();
    calls.forEach((action, count) -> snapshot.put(action, count.get()));
    return snapshot;
  }

  void resetCounts() {
    calls.clear();
  }

  private String dispatch(String action, Ec2Request request, String requestId) {
    Optional<Ec2Emulator.Fault> fault = faults.poll(action);
    if (fault.isPresent()) {
      throw new QueryFailure(Ec2Errors.of(fault.get()));
    }
    if (action.isEmpty()) {
      throw new QueryFailure(new QueryError(400, "MissingAction", "The request must contain the parameter Action"));
    }
    String version = request.required("Version");
    if (!VERSION.equals(version)) {
      throw new QueryFailure(Ec2Errors.noSuchVersion(version));
    }
    checkSignature(request.authorization());
    BiFunction<Ec2Request, String, String> route = routes.get(action);
    if (route == null) {
      throw new QueryFailure(Ec2Errors.invalidAction(action));
    }
    return route.apply(request, requestId);
  }

  // The shape of a SigV4 signature scoped to ec2; the signature itself is not recomputed, so any
  // secret key is accepted.
  private static void checkSignature(String authorization) {
    if (authorization == null || !authorization.startsWith("AWS4-HMAC-SHA256 ")) {
      throw new QueryFailure(Ec2Errors.authFailure());
    }
    int credential = authorization.indexOf("Credential=");
    String scope = credential < 0 ? "" : authorization.substring(credential + 11).split(",", 2)[0];
    List<String> parts = List.of(scope.split("/", -1));
    if (parts.size() != 5 || parts.get(0).isEmpty() || !"ec2".equals(parts.get(3))) {
      throw new QueryFailure(Ec2Errors.authFailure());
    }
  }
}
