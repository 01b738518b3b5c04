package dev.berth.provisioner;

import dev.berth.provisioner.controller.ControllerSettings;
import dev.berth.provisioner.controller.GroupController;
import dev.berth.provisioner.ec2.Ec2Clients;
import dev.berth.provisioner.ec2.InstancePlugin;
import dev.berth.provisioner.store.SpecStore;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;

/**
 * The provisioner assembled: an {@link Ec2AsyncClient} on one Netty event loop, the EC2
 * instance plugin, a state directory, and the group controller over them.
 *
 * <pre>{@code
 * try (Provisioner provisioner = Provisioner.builder()
 *     .region("us-west-2")
 *     .stateDirectory(Path.of("/var/lib/berth/groups"))
 *     .eventLoop(daemonLoop)            // optional: share the daemon's loop; default: a 2-thread loop of its own
 *     .start()) {
 *   provisioner.groups().commit(GroupSpec.parse(json), false).block();
 * }
 * }</pre>
 */
public final class Provisioner implements AutoCloseable {

  private final GroupController groups;
  private final List<AutoCloseable> resources;

  private Provisioner(GroupController groups, List<AutoCloseable> resources) {
    this.groups = groups;
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
   * The group controller.
   *
   * @return the controller
   */
  public GroupController groups() {
    return groups;
  }

  /** Closes the EC2 client, then the event loop if this provisioner made it. */
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
    private String region;
    private URI endpoint;
    private Path stateDirectory;
    private SpecStore store;
    private EventLoopGroup loop;
    private ControllerSettings settings = ControllerSettings.defaults();
    private Clock clock = Clock.systemUTC();
    private int maxAttempts = 3;

    private Builder() {}

    /**
     * The AWS region; default: the SDK's region chain.
     *
     * @param region e.g. {@code us-west-2}
     * @return this builder
     */
    public Builder region(String region) {
      this.region = region;
      return this;
    }

    /**
     * An EC2-compatible endpoint; default: the region's.
     *
     * @param endpoint e.g. {@code http://127.0.0.1:4566}
     * @return this builder
     */
    public Builder endpoint(URI endpoint) {
      this.endpoint = endpoint;
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
     * The event loop the EC2 client runs on; the provisioner does not close it.
     *
     * @param loop a {@code NioEventLoopGroup} or {@code EpollEventLoopGroup}
     * @return this builder
     */
    public Builder eventLoop(EventLoopGroup loop) {
      this.loop = Objects.requireNonNull(loop, "loop");
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
     * Attempts per EC2 call, including the first; 3 by default.
     *
     * @param attempts at least 1
     * @return this builder
     */
    public Builder maxAttempts(int attempts) {
      this.maxAttempts = attempts;
      return this;
    }

    /**
     * Builds every part.
     *
     * @return the provisioner; close it when done
     */
    @SuppressWarnings("deprecation") // NioEventLoopGroup: the SDK accepts no other portable group.
    public Provisioner start() {
      if (store == null && stateDirectory == null) {
        throw new IllegalStateException("give a state directory (or a store) for the specs");
      }
      List<AutoCloseable> resources = new ArrayList<>();
      EventLoopGroup group = loop;
      if (group == null) {
        NioEventLoopGroup own = new NioEventLoopGroup(2);
        resources.add(() -> own.shutdownGracefully(100, 2_000, TimeUnit.MILLISECONDS).syncUninterruptibly());
        group = own;
      }
      Ec2AsyncClient ec2 = Ec2Clients.create(group, region, endpoint, maxAttempts);
      resources.add(ec2);
      SpecStore specs = store != null ? store : SpecStore.directory(stateDirectory);
      return new Provisioner(GroupController.create(InstancePlugin.ec2(ec2), specs, settings, clock), resources);
    }
  }
}
