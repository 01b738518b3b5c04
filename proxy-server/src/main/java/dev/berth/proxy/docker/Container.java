package dev.berth.proxy.docker;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What Berth knows about one running container: enough to pick its role and to name it in logs.
 *
 * <p>Of the container's environment only the variables in {@link #KEPT_ENV} are kept; the
 * constructor drops every other one. Environments often carry secrets (database passwords, API
 * keys), and an index holds its containers for as long as they run: what Berth never reads, it
 * does not keep.
 *
 * @param id the full container id
 * @param name the container name without Docker's leading slash
 * @param image the image the container was created from
 * @param labels the container's labels
 * @param env the container's environment variables named in {@link #KEPT_ENV}; others are dropped
 * @param addresses every address the container holds, on every network, IPv4 and IPv6
 * @param pid the process id of the container's main process on this host, 0 when unknown
 * @param endpoints the container's attachment to each network (MAC and addresses), where known
 */
public record Container(
    String id,
    String name,
    String image,
    Map<String, String> labels,
    Map<String, String> env,
    Set<InetAddress> addresses,
    long pid,
    List<Endpoint> endpoints) {

  /** The environment variable a container may set to name its role ({@code RolePolicy} reads it). */
  public static final String ROLE_ENV = "IAM_ROLE";

  /** The environment variables a container keeps: those the role policy reads, and no others. */
  public static final Set<String> KEPT_ENV = Set.of(ROLE_ENV);

  public Container {
    Objects.requireNonNull(id, "id");
    name = name == null ? "" : stripSlash(name);
    image = image == null ? "" : image;
    labels = Map.copyOf(labels);
    env = kept(env);
    addresses = Set.copyOf(addresses);
    endpoints = List.copyOf(endpoints);
  }

  /** A container whose process and per-network attachments are not known (tests, static indexes). */
  public Container(String id, String name, String image, Map<String, String> labels, Map<String, String> env,
      Set<InetAddress> addresses) {
    this(id, name, image, labels, env, addresses, 0, List.of());
  }

  /** The kept variables of an environment as an engine lists it ({@code NAME=value}); no other value is copied. */
  static Map<String, String> keptEnv(Iterable<String> entries) {
    Map<String, String> env = new HashMap<>();
    for (String entry : entries) {
      int eq = entry.indexOf('=');
      String name = eq > 0 ? entry.substring(0, eq) : "";
      if (KEPT_ENV.contains(name)) {
        env.put(name, entry.substring(eq + 1));
      }
    }
    return env;
  }

  /** The first twelve characters of the id, as {@code docker ps} shows it. */
  public String shortId() {
    return id.length() > 12 ? id.substring(0, 12) : id;
  }

  @Override
  public String toString() {
    return name.isEmpty() ? shortId() : name + " (" + shortId() + ")";
  }

  private static Map<String, String> kept(Map<String, String> env) {
    if (KEPT_ENV.containsAll(env.keySet())) {
      return Map.copyOf(env);
    }
    Map<String, String> kept = new HashMap<>(env);
    kept.keySet().retainAll(KEPT_ENV);
    return Map.copyOf(kept);
  }

  private static String stripSlash(String name) {
    return name.startsWith("/") ? name.substring(1) : name;
  }
}
