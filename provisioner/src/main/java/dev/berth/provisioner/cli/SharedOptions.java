package dev.berth.provisioner.cli;

import dev.berth.provisioner.Provisioner;
import dev.berth.runtime.BerthRuntime;
import dev.berth.runtime.DaemonClient;
import dev.berth.provisioner.controller.ControllerSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/** Where EC2 is, where specs live, and the controller's limits: options every command takes. */
final class SharedOptions {

  @Option(names = "--region", paramLabel = "REGION", defaultValue = "${env:AWS_REGION}",
      description = "AWS region [AWS_REGION] (default: the SDK's region chain).")
  String region;

  @Option(names = "--endpoint-url", paramLabel = "URL", defaultValue = "${env:AWS_ENDPOINT_URL_EC2}",
      description = "Any EC2-compatible endpoint [AWS_ENDPOINT_URL_EC2] (default: the region's).")
  String endpoint;

  @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "${env:BERTH_STATE_DIR:-${sys:user.home}/.berth/provisioner}",
      description = "Directory of committed specs, one JSON file per group [BERTH_STATE_DIR] (default: ${DEFAULT-VALUE}).")
  Path stateDir;

  @Option(names = "--max-instances", paramLabel = "N", defaultValue = "${env:BERTH_MAX_INSTANCES:-100}",
      description = "Hard cap on instances per group; a spec asking for more is refused [BERTH_MAX_INSTANCES] (default: ${DEFAULT-VALUE}).")
  int maxInstances;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "${env:BERTH_BATCH_SIZE:-100}",
      description = "Instances per RunInstances call [BERTH_BATCH_SIZE] (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--poll-interval", paramLabel = "DURATION", defaultValue = "${env:BERTH_POLL_INTERVAL:-10s}",
      description = "How often groups are reconciled, e.g. 10s, 500ms, 1m [BERTH_POLL_INTERVAL] (default: ${DEFAULT-VALUE}).")
  String pollInterval;

  @Option(names = "--max-attempts", paramLabel = "N", defaultValue = "${env:BERTH_MAX_ATTEMPTS:-3}",
      description = "Attempts per EC2 call including the first [BERTH_MAX_ATTEMPTS] (default: ${DEFAULT-VALUE}).")
  int maxAttempts;

  @Option(names = "--daemon", paramLabel = "URL|unix:PATH", defaultValue = "${env:BERTH_DAEMON}",
      description = "Act through a running berth-proxy (started with --groups-dir) instead of in this process: its "
          + "admin address, e.g. http://127.0.0.1:18001, or unix:PATH of its --admin-socket; the output is the same "
          + "[BERTH_DAEMON].")
  String daemon;

  Duration poll() {
    return duration("--poll-interval", pollInterval);
  }

  Provisioner open() {
    if (daemon != null && !daemon.isBlank()) {
      return Provisioner.through(DaemonClient.connect(daemon), poll());
    }
    ControllerSettings defaults = ControllerSettings.defaults();
    ControllerSettings settings = new ControllerSettings(poll(), maxInstances, batchSize, defaults.launchConcurrency(),
        defaults.backoffBase(), defaults.backoffMax());
    return Provisioner.builder()
        .runtime(BerthRuntime.builder()
            .region(blankToNull(region))
            .ec2Endpoint(endpoint == null || endpoint.isBlank() ? null : uri(endpoint))
            .ec2MaxAttempts(maxAttempts))
        .stateDirectory(stateDir)
        .settings(settings)
        .start();
  }

  static Duration duration(String option, String value) {
    Matcher matcher = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(value.trim());
    if (!matcher.matches()) {
      throw new IllegalArgumentException(option + " '" + value + "' is not a duration like 500ms, 10s, 2m or 1h");
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      default -> Duration.ofHours(amount);
    };
  }

  private static URI uri(String value) {
    try {
      URI uri = URI.create(value);
      if (uri.getScheme() == null || uri.getHost() == null) {
        throw new IllegalArgumentException("--endpoint-url '" + value + "' is not a URL like http://127.0.0.1:4566");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--endpoint-url '" + value + "' is not a URL like http://127.0.0.1:4566");
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
