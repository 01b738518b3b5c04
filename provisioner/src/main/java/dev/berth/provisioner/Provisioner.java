package dev.berth.provisioner;

import dev.berth.provisioner.controller.ControllerSettings;
import dev.berth.provisioner.controller.DestroyResult;
import dev.berth.provisioner.controller.GroupController;
import dev.berth.provisioner.ec2.InstancePlugin;
import dev.berth.provisioner.store.SpecStore;
import dev.berth.runtime.BerthRuntime;
import dev.berth.runtime.DaemonClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;

/**
 * The provisioner assembled: the runtime's {@link Ec2AsyncClient} on its event loop, the EC2
 * instance plugin, a state directory, and the group controller over them.
 *
 * <pre>{@code
 * try (Provisioner provisioner = Provisioner.builder()
 *     .runtime(BerthRuntime.builder().region("us-west-2"))   // or .runtime(daemonRuntime): share its loop and client
 *     .stateDirectory(Path.of("/var/lib/berth/groups"))
 *     .start()) {
 *   provisioner.groups().commit(GroupSpec.parse(json), false).block();
 * }
 * }</pre>
 */
public final class Provisioner implements AutoCloseable {

  private final GroupController groups;
  private final Destroying destroying;
  private final List<AutoCloseable> resources;

  private Provisioner(GroupController groups, Destroying destroying, List<AutoCloseable> resources) {
    this.groups = groups;
    this.destroying = destroying;
    this.resources = resources;
  }

  /**
   * A builder; every part not given is made from defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The provisioner of a running Berth daemon ({@code berth-proxy --groups-dir}), acting through its
   * control API; closing it closes {@code daemon}. A destroy asks the daemon every
   * {@code pollInterval} until it has finished (the daemon does the waiting for EC2).
   *
   * @param daemon the daemon's client
   * @param pollInterval how often a destroy asks
   * @return the provisioner
   */
  public static Provisioner through(DaemonClient daemon, Duration pollInterval) {
    GroupController groups = GroupController.daemon(daemon);
    return new Provisioner(groups, Destroying.throughDaemon(groups, pollInterval), List.of(daemon));
  }

  /**
   * The group controller.
   *
   * @return the controller
   */
  public GroupController groups() {
    return groups;
  }

  /**
   * Destroys a group and waits until EC2 shows none of its instances: a destroy pass terminates
   * them, the SDK's {@code InstanceTerminated} waiter waits for them on the runtime's loop (an
   * attempt every poll interval), and a last pass forgets the group. A pass that EC2 fails is
   * repeated every poll interval while there is time.
   *
   * @param groupId the group
   * @param limit how long to wait in all
   * @return the last pass: {@link DestroyResult#done()}, or its problem when EC2 kept failing; an
   *     error when the instances were not terminated within {@code limit} (the group stays marked
   *     for destruction), or {@code UnknownGroupException}
   */
  public Mono<DestroyResult> destroy(String groupId, Duration limit) {
    return destroying.destroy(groupId, limit);
  }

  /** Closes the runtime if this provisioner made it. */
  @Override
  public void close() {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        // Closing is best effort: the next resource must still be released.
      }
    }
  }

  /** Parts and settings of a {@link Provisioner}. */
  public static final class Builder {
    private BerthRuntime shared;
    private BerthRuntime.Builder own;
    private Path stateDirectory;
    private SpecStore store;
    private ControllerSettings settings = ControllerSettings.defaults();
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Runs on {@code runtime}'s loop with its EC2 client (the daemon's); the provisioner does not close it.
     *
     * @param runtime the shared runtime
     * @return this builder
     */
    public Builder runtime(BerthRuntime runtime) {
      this.shared = Objects.requireNonNull(runtime, "runtime");
      this.own = null;
      return this;
    }

    /**
     * Runs on a runtime of its own, made from {@code settings} (region, EC2 endpoint, attempts per
     * call) and closed with the provisioner.
     *
     * @param settings the runtime's settings
     * @return this builder
     */
    public Builder runtime(BerthRuntime.Builder settings) {
      this.own = Objects.requireNonNull(settings, "settings");
      this.shared = null;
      return this;
    }

    /**
     * Where specs are kept, one JSON file per group.
     *
     * @param directory the state directory
     * @return this builder
     */
    public Builder stateDirectory(Path directory) {
      this.stateDirectory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /**
     * A store of one's own instead of a state directory.
     *
     * @param store the store
     * @return this builder
     */
    public Builder store(SpecStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * Pacing and limits.
     *
     * @param settings the settings
     * @return this builder
     */
    public Builder settings(ControllerSettings settings) {
      this.settings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /**
     * The clock of backoffs and rolling-update pacing.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds every part.
     *
     * @return the provisioner; close it when done
     */
    public Provisioner start() {
      if (store == null && stateDirectory == null) {
        throw new IllegalStateException("give a state directory (or a store) for the specs");
      }
      if (shared == null && own == null) {
        throw new IllegalStateException("give a runtime (or the settings for one of its own)");
      }
      List<AutoCloseable> resources = new ArrayList<>();
      BerthRuntime runtime = shared;
      if (runtime == null) {
        runtime = own.build();
        resources.add(runtime);
      }
      Ec2AsyncClient ec2 = runtime.ec2();
      SpecStore specs = store != null ? store : SpecStore.directory(stateDirectory);
      InstancePlugin plugin = InstancePlugin.ec2(ec2);
      GroupController groups = GroupController.create(plugin, specs, settings, clock, runtime.scheduler());
      return new Provisioner(groups, new Destroying(groups, plugin, runtime, settings.pollInterval()),
          resources);
    }
  }
}
