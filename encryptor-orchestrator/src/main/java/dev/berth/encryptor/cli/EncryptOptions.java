package dev.berth.encryptor.cli;

import dev.berth.encryptor.EncryptRequest;
import dev.berth.encryptor.EncryptSpec;
import dev.berth.encryptor.Encryptor;
import dev.berth.encryptor.EncryptorException;
import dev.berth.encryptor.InstanceSettings;
import dev.berth.encryptor.Session;
import dev.berth.encryptor.Strategy;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import reactor.core.publisher.Mono;

/** The options {@code encrypt} and {@code update} share, and the run they both make of them. */
final class EncryptOptions {

  @Option(names = "--encrypted-ami-name", paramLabel = "NAME", defaultValue = "${env:BERTH_ENCRYPTED_AMI_NAME}",
      description = "Name of the new image, 3-128 characters [BERTH_ENCRYPTED_AMI_NAME] "
          + "(default: the source's name with \" (encrypted TIMESTAMP ID)\" appended).")
  String encryptedName;

  @Option(names = "--kms-key-id", paramLabel = "KEY", defaultValue = "${env:BERTH_KMS_KEY_ID}",
      description = "KMS key id or key ARN to encrypt under [BERTH_KMS_KEY_ID] (default: the account's EBS default key).")
  String kmsKeyId;

  @Option(names = "--tag", paramLabel = "KEY=VALUE", split = ",", defaultValue = "${env:BERTH_TAGS}",
      description = "Tag for every resource the run creates, the new image included; repeatable "
          + "[BERTH_TAGS, comma-separated].")
  List<String> tags = new ArrayList<>();

  @Option(names = "--strategy", paramLabel = "STRATEGY", defaultValue = "${env:BERTH_STRATEGY:-native}",
      description = "native (EBS encryption by EC2) or instance (an encryptor instance from --encryptor-ami, "
          + "brkt-cli's flow) [BERTH_STRATEGY] (default: ${DEFAULT-VALUE}).")
  String strategy;

  @Option(names = "--encryptor-ami", paramLabel = "ID", defaultValue = "${env:BERTH_ENCRYPTOR_AMI}",
      description = "Strategy instance: the encryptor image of this region [BERTH_ENCRYPTOR_AMI].")
  String encryptorAmi;

  @Option(names = "--encryptor-catalog", paramLabel = "FILE|URL", defaultValue = "${env:BERTH_ENCRYPTOR_CATALOG}",
      description = "Strategy instance: JSON mapping region to encryptor image, as a file or an http(s) URL "
          + "[BERTH_ENCRYPTOR_CATALOG]; excludes --encryptor-ami.")
  String encryptorCatalog;

  @Option(names = "--updater-instance-type", paramLabel = "TYPE",
      defaultValue = "${env:BERTH_UPDATER_INSTANCE_TYPE:-" + EncryptSpec.DEFAULT_INSTANCE_TYPE + "}",
      description = "Strategy instance: the encryptor instance's type [BERTH_UPDATER_INSTANCE_TYPE] (default: ${DEFAULT-VALUE}).")
  String updaterInstanceType;

  @Option(names = "--ntp-server", paramLabel = "HOST", split = ",", defaultValue = "${env:BERTH_NTP_SERVERS}",
      description = "Strategy instance: NTP server for the encryptor; repeatable [BERTH_NTP_SERVERS, comma-separated].")
  List<String> ntpServers = new ArrayList<>();

  @Option(names = "--proxy", paramLabel = "HOST:PORT", split = ",", defaultValue = "${env:BERTH_PROXIES}",
      description = "Strategy instance: HTTP proxy for the encryptor; repeatable; excludes --proxy-config-file "
          + "[BERTH_PROXIES, comma-separated].")
  List<String> proxies = new ArrayList<>();

  @Option(names = "--proxy-config-file", paramLabel = "PATH", defaultValue = "${env:BERTH_PROXY_CONFIG_FILE}",
      description = "Strategy instance: proxy configuration file for the encryptor; excludes --proxy [BERTH_PROXY_CONFIG_FILE].")
  java.nio.file.Path proxyConfigFile;

  @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:BERTH_TOKEN}",
      description = "Strategy instance: identity token for the encryptor [BERTH_TOKEN].")
  String token;

  @Option(names = "--status-port", paramLabel = "PORT", defaultValue = "${env:BERTH_STATUS_PORT:-80}",
      description = "Strategy instance: the encryptor's status port, 1-65535 but 81 [BERTH_STATUS_PORT] (default: ${DEFAULT-VALUE}).")
  int statusPort;

  @Option(names = "--status-timeout", paramLabel = "DURATION", defaultValue = "${env:BERTH_STATUS_TIMEOUT:-10m}",
      converter = DurationConverter.class,
      description = "Strategy instance: end the run when the encryptor reports no progress this long [BERTH_STATUS_TIMEOUT] "
          + "(default: ${DEFAULT-VALUE}).")
  Duration statusTimeout;

  @Option(names = "--status-cidr", paramLabel = "CIDR", defaultValue = "${env:BERTH_STATUS_CIDR}",
      description = "Strategy instance: who may reach the status port [BERTH_STATUS_CIDR] (default: this machine's "
          + "address on its route to --subnet, as a /32; never 0.0.0.0/0).")
  String statusCidr;

  @Option(names = "--guest-instance-type", paramLabel = "TYPE",
      defaultValue = "${env:BERTH_GUEST_INSTANCE_TYPE:-" + EncryptSpec.DEFAULT_INSTANCE_TYPE + "}",
      description = "Type of the instance launched for images with billing product codes [BERTH_GUEST_INSTANCE_TYPE] "
          + "(default: ${DEFAULT-VALUE}, a current small type; brkt-cli's m3.medium is gone from most regions).")
  String guestInstanceType;

  @Option(names = "--subnet", paramLabel = "ID", defaultValue = "${env:BERTH_SUBNET}",
      description = "Subnet of any instance the run launches [BERTH_SUBNET] (default: the account's default).")
  String subnetId;

  @Option(names = "--security-group", paramLabel = "ID", split = ",", defaultValue = "${env:BERTH_SECURITY_GROUPS}",
      description = "Security group of any instance the run launches; repeatable [BERTH_SECURITY_GROUPS, comma-separated].")
  List<String> securityGroups = new ArrayList<>();

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "${env:BERTH_TIMEOUT:-2h}",
      converter = DurationConverter.class,
      description = "Limit for the whole run, e.g. 90s, 10m, 2h; cleanup follows [BERTH_TIMEOUT] (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--no-validate", defaultValue = "${env:BERTH_NO_VALIDATE:-false}",
      description = "Skip the checks that can refuse the request (image not made by this tool, name free, one VPC) "
          + "[BERTH_NO_VALIDATE].")
  boolean noValidate;

  @Option(names = "--pv", defaultValue = "${env:BERTH_PV:-false}",
      description = "Refused: no current instance type runs paravirtual images [BERTH_PV].")
  boolean pv;

  @Option(names = "--daemon", paramLabel = "URL|unix:PATH", defaultValue = "${env:BERTH_DAEMON}",
      description = "encrypt only: run in a Berth daemon (berth-proxy --encryptor-state-dir) instead of in this process: "
          + "its admin address, e.g. http://127.0.0.1:18001, or unix:PATH of its --admin-socket; the output is the same, "
          + "and Ctrl-C cancels the daemon's run [BERTH_DAEMON].")
  String daemon;

  @Mixin
  Ec2Options ec2;

  /**
   * Runs {@code action} for image {@code imageId} in a new session: prints the new id on
   * {@code out}, or cleans up and answers 130 when interrupted.
   */
  int execute(String imageId, PrintWriter out, Action action) throws Exception {
    EncryptSpec spec = spec(imageId);
    if (daemon != null && !daemon.isBlank()) {
      throw new EncryptorException(EncryptorException.Kind.INVALID,
          "--daemon runs encrypt only; run update in this process (drop --daemon)", null);
    }
    try (Ec2Options.Opened opened = ec2.open()) {
      Session session = Session.create();
      return Interrupts.run(opened.encryptor(), session, action.run(opened.encryptor(), spec, session), out::println);
    }
  }

  /** {@code encrypt}: in a daemon with --daemon, else as {@link #execute} does. */
  int encrypt(String imageId, PrintWriter out) throws Exception {
    if (daemon != null && !daemon.isBlank()) {
      EncryptRequest request = request(imageId);
      request.toSpec(); // refused here, as in-process, before anything is sent
      return DaemonEncryption.run(daemon, request, out);
    }
    return execute(imageId, out, (encryptor, spec, session) -> encryptor.encrypt(spec, session));
  }

  /** What a command does with the encryptor. */
  interface Action {
    Mono<String> run(Encryptor encryptor, EncryptSpec spec, Session session);
  }

  EncryptSpec spec(String imageId) {
    return request(imageId).toSpec();
  }

  /** The options as a request: what runs here, or is sent to a daemon with --daemon. */
  EncryptRequest request(String imageId) {
    if (pv) {
      throw new EncryptorException(EncryptorException.Kind.INVALID, "--pv is refused: no current instance type runs "
          + "paravirtual images; expected an HVM image (drop --pv)", null);
    }
    if (!strategy.equals("native") && !strategy.equals("instance")) {
      throw new EncryptorException(EncryptorException.Kind.INVALID,
          "--strategy '" + strategy + "' is unknown; expected native or instance", null);
    }
    Map<String, String> tagged = new LinkedHashMap<>();
    for (String tag : tags) {
      if (tag.isBlank()) {
        continue;
      }
      int eq = tag.indexOf('=');
      if (eq <= 0) {
        throw new EncryptorException(EncryptorException.Kind.INVALID,
            "--tag '" + tag + "' has no key; expected KEY=VALUE", null);
      }
      tagged.put(tag.substring(0, eq), tag.substring(eq + 1));
    }
    return new EncryptRequest(imageId, blankToNull(encryptedName), blankToNull(kmsKeyId), tagged, strategy,
        blankToNull(encryptorAmi), blankToNull(encryptorCatalog), updaterInstanceType, nonBlank(ntpServers),
        nonBlank(proxies), proxyConfig(), blankToNull(token), statusPort, statusTimeout.toMillis() + "ms",
        blankToNull(statusCidr), guestInstanceType, blankToNull(subnetId),
        securityGroups.stream().filter(s -> !s.isBlank()).toList(), timeout.toMillis() + "ms", noValidate);
  }

  private static List<String> nonBlank(List<String> values) {
    return values.stream().filter(v -> !v.isBlank()).toList();
  }

  private String proxyConfig() {
    if (proxyConfigFile == null || proxyConfigFile.toString().isBlank()) {
      return null;
    }
    try {
      return java.nio.file.Files.readString(proxyConfigFile);
    } catch (java.io.IOException e) {
      throw new EncryptorException(EncryptorException.Kind.INVALID, "--proxy-config-file " + proxyConfigFile
          + " cannot be read (" + e.getMessage() + "); expected a readable file", null);
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
