package dev.berth.encryptor.cli;

import dev.berth.encryptor.Encryptor;
import dev.berth.encryptor.EncryptorException;
import dev.berth.runtime.BerthRuntime;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Where EC2 and the journals are: options every command takes, and the client they make. */
final class Ec2Options {

  @Option(names = "--region", paramLabel = "REGION", defaultValue = "${env:AWS_REGION}",
      description = "AWS region, required [AWS_REGION].")
  String region;

  @Option(names = "--endpoint-url", paramLabel = "URL", defaultValue = "${env:AWS_ENDPOINT_URL_EC2}",
      description = "Any EC2-compatible endpoint [AWS_ENDPOINT_URL_EC2] (default: the region's).")
  String endpoint;

  @Option(names = "--state-dir", paramLabel = "DIR",
      defaultValue = "${env:BERTH_ENCRYPTOR_STATE_DIR:-${sys:user.home}/.berth/encryptor}",
      description = "Directory of run journals, one SESSION.jsonl per run [BERTH_ENCRYPTOR_STATE_DIR] (default: ${DEFAULT-VALUE}).")
  Path stateDir;

  @Option(names = "--max-attempts", paramLabel = "N", defaultValue = "${env:BERTH_MAX_ATTEMPTS:-3}",
      description = "Attempts per EC2 call including the first [BERTH_MAX_ATTEMPTS] (default: ${DEFAULT-VALUE}).")
  int maxAttempts;

  @Option(names = "--poll-interval", paramLabel = "DURATION", hidden = true, defaultValue = "${env:BERTH_POLL_INTERVAL}",
      converter = DurationConverter.class,
      description = "Replaces the SDK waiters' polling delay; for tests against an emulator [BERTH_POLL_INTERVAL].")
  Duration pollInterval;

  @Option(names = {"-v", "--verbose"}, description = "Debug logging on standard error.")
  boolean verbose;

  /** The runtime (its loop and EC2 client) and the encryptor over it; closing closes the runtime. */
  Opened open() {
    if (region == null || region.isBlank()) {
      throw new EncryptorException(EncryptorException.Kind.INVALID,
          "--region is required (or AWS_REGION); expected a region such as us-west-2", null);
    }
    if (maxAttempts < 1 || maxAttempts > 10) {
      throw new EncryptorException(EncryptorException.Kind.INVALID,
          "--max-attempts " + maxAttempts + " is outside 1..10", null);
    }
    URI uri = endpoint == null || endpoint.isBlank() ? null : uri(endpoint);
    BerthRuntime runtime = BerthRuntime.builder().region(region).ec2Endpoint(uri).ec2MaxAttempts(maxAttempts).build();
    Encryptor encryptor = Encryptor.builder(runtime).stateDirectory(stateDir).pollInterval(pollInterval)
        .progress(TerminalProgress.forStderr()).build();
    return new Opened(runtime, encryptor);
  }

  private static URI uri(String value) {
    try {
      URI uri = URI.create(value);
      if (uri.getScheme() != null && uri.getHost() != null) {
        return uri;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new EncryptorException(EncryptorException.Kind.INVALID,
        "--endpoint-url '" + value + "' is not a URL; expected e.g. http://127.0.0.1:4566", null);
  }

  /** What {@link #open()} made. */
  record Opened(BerthRuntime runtime, Encryptor encryptor) implements AutoCloseable {
    @Override
    public void close() {
      runtime.close();
    }
  }
}
