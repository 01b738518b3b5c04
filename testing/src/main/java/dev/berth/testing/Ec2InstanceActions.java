package dev.berth.testing;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code RunInstances}, {@code DescribeInstances} and {@code TerminateInstances} over the
 * {@link Ec2World}; every method runs under the world's monitor.
 *
 * <p>Design notes: validation comes first and has no effect, then {@code DryRun}, then the
 * client token, then capacity, then the launch — the order EC2 documents, so a failed or dry
 * call never launches anything and never uses up its token.
 */
final class Ec2InstanceActions {

  static final Pattern INSTANCE_ID = Pattern.compile("i-([0-9a-f]{8}|[0-9a-f]{17})");
  private static final Pattern INSTANCE_TYPE = Pattern.compile("[a-z][a-z0-9-]*\\.[a-z0-9]+");
  private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
  private static final Set<String> FILTERS = Set.of("instance-state-name", "instance-state-code", "instance-id",
      "image-id", "instance-type", "private-ip-address", "availability-zone", "client-token", "reservation-id",
      "key-name", "subnet-id");

  private final Ec2World world;
  private final Ec2Faults faults;
  private final Ec2LaunchVolumes volumes;

  Ec2InstanceActions(Ec2World world, Ec2Faults faults) {
    this.world = world;
    this.faults = faults;
    this.volumes = new Ec2LaunchVolumes(world);
  }

  String runInstances(Ec2Request request, String requestId) {
    Ec2Launch launch = launch(request);
    if (request.dryRun()) {
      throw new QueryFailure(Ec2Errors.dryRun());
    }
    synchronized (world) {
      String fingerprint = request.fingerprint();
      if (launch.clientToken() != null) {
        Ec2World.TokenUse used = world.token(launch.clientToken());
        if (used != null) {
          if (!used.fingerprint().equals(fingerprint)) {
            throw new QueryFailure(Ec2Errors.idempotentMismatch());
          }
          return reservation(used.reservationId(), requestId);
        }
      }
      if (launch.privateIpAddress() != null && world.addressInUse(launch.privateIpAddress())) {
        throw new QueryFailure(Ec2Errors.addressInUse(launch.privateIpAddress()));
      }
      int room = faults.capacity() - world.live();
      if (room < launch.minCount()) {
        throw new QueryFailure(Ec2Errors.insufficientCapacity(launch.availabilityZone()));
      }
      int count = Math.min(room, launch.maxCount());
      String reservationId = world.newId("r");
      Instant now = world.now();
      for (int i = 0; i < count; i++) {
        String address = launch.privateIpAddress() != null ? launch.privateIpAddress() : world.nextAddress();
        Ec2Machine machine = new Ec2Machine(world.nextSerial(), world.newId("i"), reservationId, launch, address, now, i);
        world.add(machine);
        volumes.attach(machine, launch, now);
      }
      if (launch.clientToken() != null) {
        world.useToken(launch.clientToken(), fingerprint, reservationId);
      }
      return reservation(reservationId, requestId);
    }
  }

  String describeInstances(Ec2Request request, String requestId) {
    List<String> ids = request.list("InstanceId");
    Integer maxResults = Ec2Pages.maxResults(request, ids, "instancesSet");
    List<Ec2Filter> filters = Ec2Filter.parse(request, FILTERS);
    long after = Ec2Pages.after(request.param("NextToken"));
    synchronized (world) {
      ids.forEach(Ec2InstanceActions::checkId);
      List<String> missing = ids.stream().filter(id -> world.instance(id) == null).toList();
      if (!missing.isEmpty()) {
        throw new QueryFailure(missing.size() == 1 ? Ec2Errors.instanceNotFound(missing.get(0))
            : new QueryError(400, "InvalidInstanceID.NotFound",
                "The instance IDs '" + String.join(", ", missing) + "' do not exist"));
      }
      if (request.dryRun()) {
        throw new QueryFailure(Ec2Errors.dryRun());
      }
      List<Ec2Machine> matches = world.instances().stream()
          .filter(m -> m.serial > after)
          .filter(m -> ids.isEmpty() || ids.contains(m.instanceId))
          .filter(m -> Ec2Filter.all(filters, m.tags, (name, tags) -> attribute(m, name)))
          .toList();
      int size = maxResults == null ? matches.size() : Math.min(maxResults, matches.size());
      List<Ec2Machine> page = matches.subList(0, size);
      Map<String, List<Ec2Machine>> byReservation = new LinkedHashMap<>();
      page.forEach(m -> byReservation.computeIfAbsent(m.reservationId, r -> new ArrayList<>()).add(m));
      XmlWriter xml = Ec2Xml.response("DescribeInstances", requestId).open("reservationSet");
      byReservation.forEach((reservationId, members) -> {
        xml.open("item").leaf("reservationId", reservationId).leaf("ownerId", world.accountId);
        instancesSet(xml, members);
        xml.close("item");
      });
      xml.close("reservationSet");
      if (size < matches.size()) {
        xml.leaf("nextToken", Ec2Pages.token(page.get(size - 1).serial));
      }
      return xml.end("DescribeInstancesResponse");
    }
  }

  String terminateInstances(Ec2Request request, String requestId) {
    List<String> ids = request.list("InstanceId");
    if (ids.isEmpty()) {
      throw new QueryFailure(Ec2Errors.missingParameter("InstanceId"));
    }
    if (ids.size() > 1000) {
      throw new QueryFailure(Ec2Errors.invalidParameterValue("You may terminate at most 1000 instances in one request"));
    }
    synchronized (world) {
      existing(ids, request);
      return stateChanges("TerminateInstances", ids, requestId, machine -> {
        if (machine.terminatedAt == null) {
          machine.terminatedAt = world.now();
        }
      });
    }
  }

  String stopInstances(Ec2Request request, String requestId) {
    List<String> ids = request.list("InstanceId");
    if (ids.isEmpty()) {
      throw new QueryFailure(Ec2Errors.missingParameter("InstanceId"));
    }
    ids.forEach(Ec2InstanceActions::checkId);
    synchronized (world) {
      for (String id : ids) {
        Ec2Machine machine = world.instance(id);
        if (machine == null) {
          throw new QueryFailure(Ec2Errors.instanceNotFound(id));
        }
        String state = world.state(machine);
        if (!List.of("running", "stopping", "stopped").contains(state)) {
          throw new QueryFailure(Ec2Errors.incorrectInstanceState(id, state));
        }
      }
      if (request.dryRun()) {
        throw new QueryFailure(Ec2Errors.dryRun());
      }
      return stateChanges("StopInstances", ids, requestId, machine -> {
        if (machine.stoppedAt == null) {
          machine.stoppedAt = world.now();
        }
      });
    }
  }

  // Refuses malformed and unknown ids, then a dry run, in EC2's order; the caller holds the world.
  private void existing(List<String> ids, Ec2Request request) {
    ids.forEach(Ec2InstanceActions::checkId);
    for (String id : ids) {
      if (world.instance(id) == null) {
        throw new QueryFailure(Ec2Errors.instanceNotFound(id));
      }
    }
    if (request.dryRun()) {
      throw new QueryFailure(Ec2Errors.dryRun());
    }
  }

  // The answer of TerminateInstances and StopInstances: each instance's state before and after.
  private String stateChanges(String action, List<String> ids, String requestId, java.util.function.Consumer<Ec2Machine> change) {
    XmlWriter xml = Ec2Xml.response(action, requestId).open("instancesSet");
    for (String id : new java.util.LinkedHashSet<>(ids)) {
      Ec2Machine machine = world.instance(id);
      String before = world.state(machine);
      change.accept(machine);
      String after = world.state(machine);
      xml.open("item").leaf("instanceId", id)
          .open("currentState").leaf("code", Ec2Machine.code(after)).leaf("name", after).close("currentState")
          .open("previousState").leaf("code", Ec2Machine.code(before)).leaf("name", before).close("previousState")
          .close("item");
    }
    return xml.close("instancesSet").end(action + "Response");
  }

  String describeInstanceStatus(Ec2Request request, String requestId) {
    List<String> ids = request.list("InstanceId");
    boolean all = "true".equalsIgnoreCase(request.param("IncludeAllInstances"));
    synchronized (world) {
      existing(ids, request);
      XmlWriter xml = Ec2Xml.response("DescribeInstanceStatus", requestId).open("instanceStatusSet");
      for (Ec2Machine m : world.instances()) {
        String state = world.state(m);
        if ((!ids.isEmpty() && !ids.contains(m.instanceId)) || (!all && !"running".equals(state))) {
          continue;
        }
        // Status checks pass once an instance runs; before that, and once it stops, they are not applicable.
        String check = "running".equals(state) ? "ok" : "not-applicable";
        xml.open("item").leaf("instanceId", m.instanceId).leaf("availabilityZone", m.availabilityZone)
            .open("instanceState").leaf("code", Ec2Machine.code(state)).leaf("name", state).close("instanceState")
            .open("systemStatus").leaf("status", check).close("systemStatus")
            .open("instanceStatus").leaf("status", check).close("instanceStatus")
            .close("item");
      }
      return xml.close("instanceStatusSet").end("DescribeInstanceStatusResponse");
    }
  }

  String getConsoleOutput(Ec2Request request, String requestId) {
    String id = request.required("InstanceId");
    checkId(id);
    synchronized (world) {
      Ec2Machine machine = world.instance(id);
      if (machine == null) {
        throw new QueryFailure(Ec2Errors.instanceNotFound(id));
      }
      if (request.dryRun()) {
        throw new QueryFailure(Ec2Errors.dryRun());
      }
      String text = "[    0.000000] Linux version 6.1.0 (emulated)\r\n" + id + " login: \r\n";
      return Ec2Xml.response("GetConsoleOutput", requestId)
          .leaf("instanceId", id)
          .leaf("timestamp", Ec2Xml.time(world.now()))
          .leaf("output", Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)))
          .end("GetConsoleOutputResponse");
    }
  }

  private String reservation(String reservationId, String requestId) {
    List<Ec2Machine> members = world.instances().stream().filter(m -> m.reservationId.equals(reservationId)).toList();
    XmlWriter xml = Ec2Xml.response("RunInstances", requestId)
        .leaf("reservationId", reservationId)
        .leaf("ownerId", world.accountId);
    instancesSet(xml, members);
    return xml.end("RunInstancesResponse");
  }

  private void instancesSet(XmlWriter xml, List<Ec2Machine> members) {
    xml.open("instancesSet");
    members.forEach(m -> Ec2InstanceXml.item(xml, m, world.state(m), world.region, world.volumesOf(m)));
    xml.close("instancesSet");
  }

  private List<String> attribute(Ec2Machine m, String name) {
    String value = switch (name) {
      case "instance-state-name" -> world.state(m);
      case "instance-state-code" -> Integer.toString(Ec2Machine.code(world.state(m)));
      case "instance-id" -> m.instanceId;
      case "image-id" -> m.imageId;
      case "instance-type" -> m.instanceType;
      case "private-ip-address" -> m.privateIpAddress;
      case "availability-zone" -> m.availabilityZone;
      case "client-token" -> m.clientToken;
      case "reservation-id" -> m.reservationId;
      case "key-name" -> m.keyName;
      case "subnet-id" -> m.subnetId;
      default -> null;
    };
    return value == null ? List.of() : List.of(value);
  }

  private Ec2Launch launch(Ec2Request request) {
    String imageId = request.required("ImageId");
    Integer minCount = request.integer("MinCount");
    Integer maxCount = request.integer("MaxCount");
    if (minCount == null) {
      throw new QueryFailure(Ec2Errors.missingParameter("MinCount"));
    }
    if (maxCount == null) {
      throw new QueryFailure(Ec2Errors.missingParameter("MaxCount"));
    }
    if (minCount < 1 || maxCount < minCount) {
      throw new QueryFailure(Ec2Errors.invalidParameterValue(
          "Invalid value for MinCount (" + minCount + ") and MaxCount (" + maxCount + "): need 1 <= MinCount <= MaxCount"));
    }
    Ec2ImageActions.checkImage(world, imageId);
    String instanceType = request.param("InstanceType") == null ? "m1.small" : request.param("InstanceType");
    if (!INSTANCE_TYPE.matcher(instanceType).matches()) {
      throw new QueryFailure(Ec2Errors.invalidParameterValue(
          "The following supplied instance types do not exist: [" + instanceType + "]"));
    }
    String zone = request.param("Placement.AvailabilityZone");
    if (zone == null) {
      zone = world.region + "a";
    } else if (!zone.matches(Pattern.quote(world.region) + "[a-f]")) {
      throw new QueryFailure(Ec2Errors.invalidParameterValue("Invalid availability zone: [" + zone + "]"));
    }
    String address = request.param("PrivateIpAddress");
    if (address != null) {
      var matcher = IPV4.matcher(address);
      if (!matcher.matches() || !validOctets(matcher)) {
        throw new QueryFailure(Ec2Errors.invalidParameterValue("Invalid value '" + address + "' for PrivateIpAddress"));
      }
      if (maxCount > 1) {
        throw new QueryFailure(Ec2Errors.invalidParameterCombination(
            "You can't specify a private IP address when launching more than one instance"));
      }
    }
    String userData = request.param("UserData");
    if (userData != null) {
      try {
        Base64.getDecoder().decode(userData);
      } catch (IllegalArgumentException e) {
        throw new QueryFailure(Ec2Errors.invalidParameterValue("Invalid BASE64 encoding of user data."));
      }
      if (userData.getBytes(StandardCharsets.US_ASCII).length > 21_848) {
        throw new QueryFailure(Ec2Errors.invalidParameterValue("User data is limited to 16384 bytes"));
      }
    }
    String token = request.param("ClientToken");
    if (token != null && (token.length() > 64 || !token.chars().allMatch(c -> c >= 0x20 && c < 0x7F))) {
      throw new QueryFailure(Ec2Errors.invalidParameterValue("Value (" + token
          + ") for parameter clientToken is invalid. It must be at most 64 ASCII characters."));
    }
    Map<String, String> instanceTags = Ec2TagActions.tagSpecifications(request, "instance");
    Map<String, String> volumeTags = Ec2TagActions.tagSpecifications(request, "volume");
    String subnet = request.param("SubnetId") == null ? "subnet-0a1b2c3d4e5f60718" : request.param("SubnetId");
    return new Ec2Launch(imageId, instanceType, request.param("KeyName"), zone, subnet, address,
        request.list("SecurityGroupId"), userData, token, instanceTags, volumeTags, volumes.mappings(request, imageId),
        minCount, maxCount);
  }

  private static boolean validOctets(java.util.regex.Matcher matcher) {
    for (int i = 1; i <= 4; i++) {
      if (Integer.parseInt(matcher.group(i)) > 255) {
        return false;
      }
    }
    return true;
  }

  private static void checkId(String id) {
    if (!INSTANCE_ID.matcher(id).matches()) {
      throw new QueryFailure(Ec2Errors.instanceMalformed(id));
    }
  }
}
