package dev.berth.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON documents of the Docker Engine API (version {@value DockerEngineEmulator#API_VERSION}, as
 * Debian's {@code docker.io} 20.10 writes them): members in the engine's order, maps with sorted
 * keys (Go sorts them), and every document followed by a newline.
 */
final class DockerJson {

  private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  private DockerJson() {}

  static String error(String message) {
    return new JsonWriter().beginObject().field("message", message).endObject() + "\n";
  }

  static String version() {
    JsonWriter json = new JsonWriter().beginObject()
        .beginObject("Platform").field("Name", "").endObject()
        .beginArray("Components").beginObject()
        .field("Name", "Engine").field("Version", DockerEngineEmulator.ENGINE_VERSION)
        .beginObject("Details")
        .field("ApiVersion", DockerEngineEmulator.API_VERSION).field("Arch", "amd64").field("GitCommit", "5d6db84")
        .field("GoVersion", "go1.19.8").field("KernelVersion", "6.1.0").field("MinAPIVersion", DockerEngineEmulator.MIN_API_VERSION)
        .field("Os", "linux")
        .endObject().endObject().endArray();
    return json.field("Version", DockerEngineEmulator.ENGINE_VERSION)
        .field("ApiVersion", DockerEngineEmulator.API_VERSION)
        .field("MinAPIVersion", DockerEngineEmulator.MIN_API_VERSION)
        .field("GitCommit", "5d6db84").field("GoVersion", "go1.19.8").field("Os", "linux").field("Arch", "amd64")
        .field("KernelVersion", "6.1.0").field("BuildTime", "2023-05-09T08:46:32.000000000+00:00")
        .endObject() + "\n";
  }

  /** One entry of {@code GET /containers/json}. */
  static void summary(JsonWriter json, DockerContainer c, DockerNetwork network, Clock clock) {
    json.beginObject()
        .field("Id", c.id())
        .field("Names", List.of("/" + c.name()))
        .field("Image", c.image())
        .field("ImageID", imageId(c.image()))
        .field("Command", String.join(" ", DockerContainer.COMMAND))
        .field("Created", c.created().getEpochSecond())
        .beginArray("Ports").endArray()
        .field("Labels", sorted(c.labels()))
        .field("State", c.status())
        .field("Status", humanStatus(c, clock.instant()))
        .beginObject("HostConfig").field("NetworkMode", "default").endObject()
        .beginObject("NetworkSettings").beginObject("Networks");
    if (c.running()) {
      endpoint(json, c, network);
    }
    json.endObject().endObject()
        .beginArray("Mounts").endArray()
        .endObject();
  }

  /** {@code GET /containers/{id}/json}. */
  static String inspect(DockerContainer c, DockerNetwork network) {
    String hostname = c.shortId();
    String runDir = "/var/lib/docker/containers/" + c.id();
    JsonWriter json = new JsonWriter().beginObject()
        .field("Id", c.id())
        .field("Created", c.created().toString())
        .field("Path", DockerContainer.COMMAND.get(0))
        .field("Args", DockerContainer.COMMAND.subList(1, DockerContainer.COMMAND.size()))
        .beginObject("State")
        .field("Status", c.status()).field("Running", c.running()).field("Paused", false)
        .field("Restarting", false).field("OOMKilled", false).field("Dead", false)
        .field("Pid", c.pid()).field("ExitCode", c.exitCode()).field("Error", "")
        .field("StartedAt", c.started().toString())
        .field("FinishedAt", c.running() ? ZERO_TIME : c.finished().toString())
        .endObject()
        .field("Image", imageId(c.image()))
        .field("ResolvConfPath", runDir + "/resolv.conf")
        .field("HostnamePath", runDir + "/hostname")
        .field("HostsPath", runDir + "/hosts")
        .field("LogPath", runDir + "/" + c.id() + "-json.log")
        .field("Name", "/" + c.name())
        .field("RestartCount", 0)
        .field("Driver", "vfs")
        .field("Platform", "linux")
        .field("MountLabel", "").field("ProcessLabel", "").field("AppArmorProfile", "docker-default")
        .nullField("ExecIDs");
    hostConfig(json);
    json.beginObject("GraphDriver").nullField("Data").field("Name", "vfs").endObject()
        .beginArray("Mounts").endArray()
        .beginObject("Config")
        .field("Hostname", hostname).field("Domainname", "").field("User", "")
        .field("AttachStdin", false).field("AttachStdout", false).field("AttachStderr", false)
        .field("Tty", false).field("OpenStdin", false).field("StdinOnce", false)
        .field("Env", c.env())
        .field("Cmd", DockerContainer.COMMAND)
        .field("Image", c.image())
        .nullField("Volumes").field("WorkingDir", "").nullField("Entrypoint").nullField("OnBuild")
        .field("Labels", sorted(c.labels()))
        .endObject();
    boolean onBridge = c.running();
    json.beginObject("NetworkSettings")
        .field("Bridge", "").field("SandboxID", c.running() ? Ids.hexDigest("sandbox " + c.id()) : "")
        .field("HairpinMode", false).field("LinkLocalIPv6Address", "").field("LinkLocalIPv6PrefixLen", 0)
        .beginObject("Ports").endObject()
        .field("SandboxKey", c.running() ? "/var/run/docker/netns/" + hostname : "")
        .nullField("SecondaryIPAddresses").nullField("SecondaryIPv6Addresses")
        .field("EndpointID", onBridge ? endpointId(c) : "")
        .field("Gateway", onBridge && !c.ipAddress().isEmpty() ? network.gateway() : "")
        .field("GlobalIPv6Address", onBridge ? c.ipv6Address() : "")
        .field("GlobalIPv6PrefixLen", onBridge && !c.ipv6Address().isEmpty() ? 64 : 0)
        .field("IPAddress", onBridge ? c.ipAddress() : "")
        .field("IPPrefixLen", onBridge && !c.ipAddress().isEmpty() ? prefixLength(network) : 0)
        .field("IPv6Gateway", "")
        .field("MacAddress", onBridge ? macAddress(c) : "")
        .beginObject("Networks");
    // A stopped container keeps its network, without an address, as the engine reports it.
    if (onBridge) {
      endpoint(json, c, network);
    } else {
      json.beginObject(network.name())
          .nullField("IPAMConfig").nullField("Links").nullField("Aliases")
          .field("NetworkID", network.id()).field("EndpointID", "").field("Gateway", "").field("IPAddress", "")
          .field("IPPrefixLen", 0).field("IPv6Gateway", "").field("GlobalIPv6Address", "").field("GlobalIPv6PrefixLen", 0)
          .field("MacAddress", "").nullField("DriverOpts")
          .endObject();
    }
    return json.endObject().endObject().endObject() + "\n";
  }

  /** One entry of {@code GET /networks}, or {@code GET /networks/{id}}. */
  static void network(JsonWriter json, DockerNetwork n) {
    json.beginObject()
        .field("Name", n.name())
        .field("Id", n.id())
        .field("Created", n.created().toString())
        .field("Scope", "local")
        .field("Driver", n.driver())
        .field("EnableIPv6", false)
        .beginObject("IPAM").field("Driver", "default").nullField("Options").beginArray("Config");
    if (!n.subnet().isEmpty()) {
      json.beginObject().field("Subnet", n.subnet()).field("Gateway", n.gateway()).endObject();
    }
    json.endArray().endObject()
        .field("Internal", false).field("Attachable", false).field("Ingress", false)
        .beginObject("ConfigFrom").field("Network", "").endObject()
        .field("ConfigOnly", false)
        .beginObject("Containers").endObject()
        .field("Options", sorted(n.options()))
        .beginObject("Labels").endObject()
        .endObject();
  }

  /** One message of {@code GET /events}: container events carry the older status/id/from members too. */
  static String event(DockerEvent e) {
    JsonWriter json = new JsonWriter().beginObject();
    if (e.from() != null) {
      json.field("status", e.action()).field("id", e.actorId()).field("from", e.from());
    }
    return json.field("Type", e.type())
        .field("Action", e.action())
        .beginObject("Actor").field("ID", e.actorId()).field("Attributes", sorted(e.attributes())).endObject()
        .field("scope", "local")
        .field("time", e.time().getEpochSecond())
        .field("timeNano", e.time().getEpochSecond() * 1_000_000_000L + e.time().getNano())
        .endObject() + "\n";
  }

  private static void hostConfig(JsonWriter json) {
    json.beginObject("HostConfig")
        .nullField("Binds").field("ContainerIDFile", "")
        .beginObject("LogConfig").field("Type", "json-file").beginObject("Config").endObject().endObject()
        .field("NetworkMode", "default")
        .beginObject("PortBindings").endObject()
        .beginObject("RestartPolicy").field("Name", "no").field("MaximumRetryCount", 0).endObject()
        .field("AutoRemove", false).field("VolumeDriver", "").nullField("VolumesFrom")
        .nullField("CapAdd").nullField("CapDrop").field("CgroupnsMode", "private")
        .field("Dns", List.of()).field("DnsOptions", List.of()).field("DnsSearch", List.of())
        .nullField("ExtraHosts").nullField("GroupAdd").field("IpcMode", "private").field("Cgroup", "")
        .nullField("Links").field("OomScoreAdj", 0).field("PidMode", "").field("Privileged", false)
        .field("PublishAllPorts", false).field("ReadonlyRootfs", false).nullField("SecurityOpt")
        .field("UTSMode", "").field("UsernsMode", "").field("ShmSize", 67_108_864L).field("Runtime", "runc")
        .field("Isolation", "").field("CpuShares", 0).field("Memory", 0).field("NanoCpus", 0)
        .field("CgroupParent", "").field("BlkioWeight", 0).field("PidsLimit", 0L).field("OomKillDisable", false)
        .endObject();
  }

  private static void endpoint(JsonWriter json, DockerContainer c, DockerNetwork network) {
    boolean v4 = !c.ipAddress().isEmpty();
    json.beginObject(network.name())
        .nullField("IPAMConfig").nullField("Links").nullField("Aliases")
        .field("NetworkID", network.id())
        .field("EndpointID", endpointId(c))
        .field("Gateway", v4 ? network.gateway() : "")
        .field("IPAddress", c.ipAddress())
        .field("IPPrefixLen", v4 ? prefixLength(network) : 0)
        .field("IPv6Gateway", "")
        .field("GlobalIPv6Address", c.ipv6Address())
        .field("GlobalIPv6PrefixLen", c.ipv6Address().isEmpty() ? 0 : 64)
        .field("MacAddress", macAddress(c))
        .nullField("DriverOpts")
        .endObject();
  }

  private static String imageId(String image) {
    return "sha256:" + Ids.hexDigest("image " + image);
  }

  private static String endpointId(DockerContainer c) {
    return Ids.hexDigest("endpoint " + c.id());
  }

  private static int prefixLength(DockerNetwork network) {
    return Integer.parseInt(network.subnet().substring(network.subnet().indexOf('/') + 1));
  }

  /** 02:42 and then the IPv4 address, as the engine derives a bridge endpoint's MAC. */
  private static String macAddress(DockerContainer c) {
    String seed = c.ipAddress().isEmpty() ? Ids.hexDigest(c.id()).substring(0, 8) : null;
    StringBuilder mac = new StringBuilder("02:42");
    for (int i = 0; i < 4; i++) {
      int octet = seed != null
          ? Integer.parseInt(seed.substring(2 * i, 2 * i + 2), 16)
          : Integer.parseInt(c.ipAddress().split("\\.")[i]);
      mac.append(':').append(String.format("%02x", octet));
    }
    return mac.toString();
  }

  /** The engine's "Up 3 minutes" / "Exited (143) 2 seconds ago", from go-units' HumanDuration. */
  private static String humanStatus(DockerContainer c, Instant now) {
    return c.running()
        ? "Up " + humanDuration(Duration.between(c.started(), now))
        : "Exited (" + c.exitCode() + ") " + humanDuration(Duration.between(c.finished(), now)) + " ago";
  }

  static String humanDuration(Duration d) {
    long seconds = Math.max(0, d.getSeconds());
    if (seconds < 1) {
      return "Less than a second";
    } else if (seconds == 1) {
      return "1 second";
    } else if (seconds < 60) {
      return seconds + " seconds";
    }
    long minutes = seconds / 60;
    if (minutes == 1) {
      return "About a minute";
    } else if (minutes < 60) {
      return minutes + " minutes";
    }
    long hours = Math.round(seconds / 3600.0);
    if (hours == 1) {
      return "About an hour";
    } else if (hours < 48) {
      return hours + " hours";
    }
    return hours / 24 + " days";
  }

  private static Map<String, String> sorted(Map<String, String> map) {
    return new TreeMap<>(map);
  }
}
