package dev.berth.proxy.docker;

import java.net.InetAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What Berth knows about one running container: enough to pick its role and to name it in logs.
 *
 * @param id the full container id
 * @param name the container name without Docker's leading slash
 * @param image the image the container was created from
 * @param labels the container's labels
 * @param env the container's environment, parsed from {@code NAME=value} entries
 * @param addresses every address the container holds, on every network, IPv4 and IPv6
 */
public record Container(
    String id,
    String name,
    String image,
    Map<String, String> labels,
    Map<String, String> env,
    Set<InetAddress> addresses) {

  public Container {
    Objects.requireNonNull(id, "id");
    name = name == null ? "" : stripSlash(name);
    image = image == null ? "" : image;
    labels = Map.copyOf(labels);
    env = Map.copyOf(env);
    addresses = Set.copyOf(addresses);
  }

  /** The first twelve characters of the id, as {@code docker ps} shows it. */
  public String shortId() {
    return id.length() > 12 ? id.substring(0, 12) : id;
  }

  @Override
  public String toString() {
    return name.isEmpty() ? shortId() : name + " (" + shortId() + ")";
  }

  private static String stripSlash(String name) {
    return name.startsWith("/") ? name.substring(1) : name;
  }
}
