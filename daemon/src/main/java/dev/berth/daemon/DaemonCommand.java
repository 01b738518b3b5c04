package dev.berth.daemon;

import dev.berth.runtime.Durations;
import dev.berth.iptables.IptablesException;
import dev.berth.proxy.FatalErrors;
import dev.berth.proxy.PacketRuleSettings;
import dev.berth.proxy.ProxyConfig;
import dev.berth.proxy.policy.RolePolicy;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import dev.berth.provisioner.controller.ControllerSettings;
import picocli.CommandLine.Option;

/** The daemon's command line; every option can also come from the environment variable it names. */
@Command(
    name = "berth-proxy",
    mixinStandardHelpOptions = true,
    version = "berth-proxy 0.1.0",
    sortOptions = false,
    usageHelpWidth = 110,
    description = {
        "Serves each container the AWS credentials of its own IAM role, over the EC2 instance metadata API.",
        "A container's role comes from its role label, else its IAM_ROLE environment variable, else --default-role.",
        "Every option may also be set by the environment variable shown in brackets.",
        ""},
    footer = {"", "Example, with no Docker engine and no AWS account:",
        "  java -jar berth-proxy.jar --local",
        "  AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:18000/ /usr/bin/aws configure export-credentials"})
final class DaemonCommand implements Callable<Integer> {

  @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "${env:BERTH_LISTEN:-0.0.0.0:18000}",
      description = "Where containers reach the proxy [BERTH_LISTEN] (default: ${DEFAULT-VALUE}).")
  String listen;

  @Option(names = "--admin-listen", paramLabel = "HOST:PORT", defaultValue = "${env:BERTH_ADMIN_LISTEN:-127.0.0.1:18001}",
      description = "Where /healthz, /readyz and /metrics (Prometheus) are served [BERTH_ADMIN_LISTEN] (default: ${DEFAULT-VALUE}).")
  String adminListen;

  @Option(names = "--admin-socket", paramLabel = "PATH", defaultValue = "${env:BERTH_ADMIN_SOCKET}",
      description = "Also serve the admin endpoints and the control API on a unix socket at PATH, mode 0600 "
          + "[BERTH_ADMIN_SOCKET] (default: none).")
  Path adminSocket;

  @Option(names = "--docker-host", paramLabel = "URL", defaultValue = "${env:DOCKER_HOST:-unix:///var/run/docker.sock}",
      description = "The Docker engine [DOCKER_HOST] (default: ${DEFAULT-VALUE}).")
  String dockerHost;

  @Option(names = "--upstream", paramLabel = "URL", defaultValue = "${env:BERTH_UPSTREAM:-http://169.254.169.254}",
      description = "The real metadata service, for paths outside iam/ [BERTH_UPSTREAM] (default: ${DEFAULT-VALUE}).")
  String upstream;

  @Option(names = "--disable-upstream", defaultValue = "${env:BERTH_DISABLE_UPSTREAM:-false}",
      description = "Answer 404 for every path outside iam/ instead of passing it through [BERTH_DISABLE_UPSTREAM].")
  boolean disableUpstream;

  @Option(names = "--upstream-cache", paramLabel = "DURATION", defaultValue = "${env:BERTH_UPSTREAM_CACHE:-1s}",
      description = "Keep the upstream's 200/404 answers this long and merge identical requests in flight, so many "
          + "containers asking the same path cost the real service one request; 0 to 60s, e.g. 500ms, 0 forwards every "
          + "request [BERTH_UPSTREAM_CACHE] (default: ${DEFAULT-VALUE}).")
  String upstreamCache;

  @Option(names = "--default-role", paramLabel = "ROLE", defaultValue = "${env:BERTH_DEFAULT_ROLE}",
      description = "Role (name or ARN) for containers that name none; without it they get no credentials [BERTH_DEFAULT_ROLE].")
  String defaultRole;

  @Option(names = "--role-label", paramLabel = "LABEL", defaultValue = "${env:BERTH_ROLE_LABEL:-" + RolePolicy.DEFAULT_ROLE_LABEL + "}",
      description = "Container label naming its role; it wins over the env var IAM_ROLE [BERTH_ROLE_LABEL] (default: ${DEFAULT-VALUE}).")
  String roleLabel;

  @Option(names = "--base-role-arn", paramLabel = "ARN", defaultValue = "${env:BERTH_BASE_ROLE_ARN}",
      description = "Prefix for short role names, e.g. arn:aws:iam::123456789012:role/ [BERTH_BASE_ROLE_ARN].")
  String baseRoleArn;

  @Option(names = "--allowed-roles", paramLabel = "REGEX", defaultValue = "${env:BERTH_ALLOWED_ROLES:-.*}",
      description = "Regular expression every full role ARN must match [BERTH_ALLOWED_ROLES] (default: any).")
  String allowedRoles;

  @Option(names = "--region", paramLabel = "REGION", defaultValue = "${env:AWS_REGION}",
      description = "AWS region for STS [AWS_REGION] (default: the SDK's region chain, which ends at the metadata service).")
  String region;

  @Option(names = "--sts-endpoint", paramLabel = "URL", defaultValue = "${env:BERTH_STS_ENDPOINT}",
      description = "STS endpoint [BERTH_STS_ENDPOINT] (default: the region's).")
  String stsEndpoint;

  @Option(names = "--groups-dir", paramLabel = "DIR", defaultValue = "${env:BERTH_GROUPS_DIR}",
      description = "Run a group controller for every group spec in DIR (one JSON file per group, as berth-provisioner "
          + "keeps them), committed there or through PUT /v1/groups/ID [BERTH_GROUPS_DIR] (default: no groups).")
  Path groupsDir;

  @Option(names = "--max-instances", paramLabel = "N",
      defaultValue = "${env:BERTH_MAX_INSTANCES:-" + ControllerSettings.DEFAULT_MAX_INSTANCES + "}",
      description = "Hard cap on instances per group, as berth-provisioner's; a spec asking for more is refused "
          + "[BERTH_MAX_INSTANCES] (default: ${DEFAULT-VALUE}).")
  int maxInstances;

  @Option(names = "--encryptor-state-dir", paramLabel = "DIR", defaultValue = "${env:BERTH_ENCRYPTOR_STATE_DIR}",
      description = "Run encryption jobs (POST /v1/encryptions), journaled in DIR as berth-encryptor does "
          + "[BERTH_ENCRYPTOR_STATE_DIR] (default: no jobs).")
  Path encryptorStateDir;

  @Option(names = "--ec2-endpoint", paramLabel = "URL", defaultValue = "${env:BERTH_EC2_ENDPOINT}",
      description = "EC2 endpoint for groups and encryptions, any EC2-compatible one [BERTH_EC2_ENDPOINT] "
          + "(default: the region's).")
  String ec2Endpoint;

  @Option(names = "--ec2-poll-interval", paramLabel = "DURATION", defaultValue = "${env:BERTH_EC2_POLL_INTERVAL}",
      description = "How often EC2 is polled: every group's reconciliation round (default 10s) and an encryption's waits "
          + "(default 15s, the SDK waiters') [BERTH_EC2_POLL_INTERVAL].")
  String ec2PollInterval;

  @Option(names = "--session-duration", paramLabel = "DURATION", defaultValue = "${env:BERTH_SESSION_DURATION:-1h}",
      description = "Length of each assumed-role session, 45m to 12h, e.g. 1h, 90m [BERTH_SESSION_DURATION] (default: ${DEFAULT-VALUE}).")
  String sessionDuration;

  @Option(names = "--session-scope", paramLabel = "container|role", defaultValue = "${env:BERTH_SESSION_SCOPE:-container}",
      description = "One STS session per container (CloudTrail names the container) or per role (fewer STS calls) "
          + "[BERTH_SESSION_SCOPE] (default: ${DEFAULT-VALUE}).")
  String sessionScope;

  @Option(names = "--imdsv2", paramLabel = "optional|required", defaultValue = "${env:BERTH_IMDSV2:-optional}",
      description = "With 'required', requests without a valid session token get 401 [BERTH_IMDSV2] (default: ${DEFAULT-VALUE}).")
  String imdsv2;

  @Option(names = "--max-connections", paramLabel = "N", defaultValue = "${env:BERTH_MAX_CONNECTIONS:-10000}",
      description = "Client connections held open at most; more are closed on accept [BERTH_MAX_CONNECTIONS] (default: ${DEFAULT-VALUE}).")
  int maxConnections;

  @Option(names = "--max-connections-per-caller", paramLabel = "N",
      defaultValue = "${env:BERTH_MAX_CONNECTIONS_PER_CALLER:-" + ProxyConfig.DEFAULT_MAX_CONNECTIONS_PER_CALLER + "}",
      description = "Client connections one source address (one container) holds open at most; more are closed on "
          + "accept, so no container can take the others' share of --max-connections [BERTH_MAX_CONNECTIONS_PER_CALLER] "
          + "(default: ${DEFAULT-VALUE}).")
  int maxConnectionsPerCaller;

  @Option(names = "--max-forwarded-per-caller", paramLabel = "N",
      defaultValue = "${env:BERTH_MAX_FORWARDED_PER_CALLER:-" + ProxyConfig.DEFAULT_MAX_FORWARDED_PER_CALLER + "}",
      description = "Pass-through requests of one source address in flight at most; more are answered 429 with "
          + "Retry-After: 1 [BERTH_MAX_FORWARDED_PER_CALLER] (default: ${DEFAULT-VALUE}).")
  int maxForwardedPerCaller;

  @Option(names = "--max-packets-per-caller", paramLabel = "N", defaultValue = "${env:BERTH_MAX_PACKETS_PER_CALLER:-" + PacketRuleSettings.DEFAULT_MAX_PACKETS_PER_CALLER + "}",
      description = "With --iptables: packets per second one source address may send to the proxy (twice that in a "
          + "burst); the kernel drops more, and limits each source to --max-connections-per-caller connections, so a "
          + "flooding container slows itself down before the proxy spends time on it; 0 for no kernel limits "
          + "[BERTH_MAX_PACKETS_PER_CALLER] (default: ${DEFAULT-VALUE}).")
  int maxPacketsPerCaller;

  @Option(names = "--io-threads", paramLabel = "N", defaultValue = "${env:BERTH_IO_THREADS:-1}",
      description = "Event loops for the server, the upstream client and the STS client. One loop serves about "
          + "45,000 cached requests/s, far above what a host's containers ask; more loops only help past that, and "
          + "on a small host they compete with everything else for the cores [BERTH_IO_THREADS] (default: ${DEFAULT-VALUE}).")
  int ioThreads;

  @Option(names = "--log-format", paramLabel = "text|json", defaultValue = "${env:BERTH_LOG_FORMAT:-text}",
      description = "Log lines on stderr as text, or as one JSON object per line with timestamp, level, loggerName, "
          + "formattedMessage and throwable [BERTH_LOG_FORMAT] (default: ${DEFAULT-VALUE}).")
  String logFormat;

  @Option(names = "--iptables", defaultValue = "${env:BERTH_IPTABLES:-false}",
      description = "Install the iptables rules that steer containers' requests for 169.254.169.254 to the proxy once it "
          + "listens, and remove them on a clean stop; if the proxy dies they stay, so containers get 'connection refused', "
          + "never the host's credentials [BERTH_IPTABLES].")
  boolean iptables;

  @Option(names = "--interface", paramLabel = "NAME", split = ",", defaultValue = "${env:BERTH_INTERFACES}",
      description = "With --iptables: the bridge interfaces to steer (repeatable); default: every Docker bridge network, "
          + "followed as networks come and go [BERTH_INTERFACES, comma-separated].")
  List<String> interfaces;

  @Option(names = "--bridge-guard", negatable = true, defaultValue = "${env:BERTH_BRIDGE_GUARD:-true}", fallbackValue = "true",
      description = "With --iptables: bind every container's bridge port to its own MAC and addresses (nftables), so that "
          + "no neighbour can forge its address and take its role; a container is answered only once its port is bound. "
          + "--no-bridge-guard trusts source addresses alone [BERTH_BRIDGE_GUARD] (default: ${DEFAULT-VALUE}).")
  boolean bridgeGuard;

  @Option(names = "--local", defaultValue = "${env:BERTH_LOCAL:-false}",
      description = "Local mode: no Docker engine, no AWS account. Loopback callers get locally issued credentials "
          + "(ASIALOCAL..., rejected by AWS) and an embedded metadata document [BERTH_LOCAL].")
  boolean local;

  static CommandLine commandLine() {
    CommandLine line = new CommandLine(new DaemonCommand());
    line.setExecutionExceptionHandler((error, cmd, parsed) -> {
      if (error instanceof IllegalArgumentException || error instanceof IptablesException) {
        // Some carry no message of their own (the JDK's UnsupportedAddressTypeException): then their name.
        cmd.getErr().println("berth-proxy: " + (error.getMessage() != null ? error.getMessage() : error));
        return 2;
      }
      throw error;
    });
    return line;
  }

  @Override
  public Integer call() {
    Logging.format(logFormat);
    ProxyConfig config = toConfig();
    if (iptables && config.local()) {
      throw new IllegalArgumentException("--iptables and --local do not go together: local mode serves loopback only");
    }
    // Out of memory (or any JVM-fatal error) ends the daemon, however its JVM was started.
    FatalErrors.haltOnFatalErrors();
    Berth berth = Berth.builder(config)
        .packetRules(iptables ? new PacketRuleSettings(interfaces == null ? List.of() : interfaces, maxPacketsPerCaller,
            bridgeGuard) : null)
        .onFatalError(FatalErrors::report)
        .adminSocket(adminSocket)
        .groupsDirectory(groupsDir)
        .maxInstancesPerGroup(maxInstances)
        .encryptorStateDirectory(encryptorStateDir)
        .ec2PollInterval(ec2PollInterval == null || ec2PollInterval.isBlank() ? null
            : duration("--ec2-poll-interval", ec2PollInterval))
        .ec2Endpoint(ec2Endpoint == null || ec2Endpoint.isBlank() ? null : uri("--ec2-endpoint", ec2Endpoint))
        .build();
    // The hook is in place before the daemon starts (and so before any rule goes in); stop() waits
    // for a start in progress, so a SIGTERM that arrives while the rules go in still takes them out.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> berth.stop().block(), "berth-shutdown"));
    berth.start().block();
    berth.awaitStop();
    return 0;
  }

  ProxyConfig toConfig() {
    new PacketRuleSettings(List.of(), maxPacketsPerCaller, bridgeGuard); // checks the limit before anything starts
    return new ProxyConfig(
        address("--listen", listen),
        address("--admin-listen", adminListen),
        dockerHost,
        disableUpstream ? null : uri("--upstream", upstream),
        duration("--upstream-cache", upstreamCache),
        blankToNull(defaultRole),
        roleLabel,
        blankToNull(baseRoleArn),
        pattern(allowedRoles),
        blankToNull(region),
        stsEndpoint == null || stsEndpoint.isBlank() ? null : uri("--sts-endpoint", stsEndpoint),
        duration("--session-duration", sessionDuration),
        oneOf("--imdsv2", imdsv2, "optional", "required").equals("required"),
        oneOf("--session-scope", sessionScope, "container", "role").equals("role"),
        local,
        maxConnections,
        ioThreads,
        maxConnectionsPerCaller,
        maxForwardedPerCaller);
  }

  static InetSocketAddress address(String option, String value) {
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      throw new IllegalArgumentException(option + " '" + value + "' is not HOST:PORT, e.g. 0.0.0.0:18000 or [::]:18000");
    }
    String host = value.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " '" + value + "' has no numeric port");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException(option + " port " + port + " is outside 0..65535");
    }
    if (!host.matches("[0-9a-fA-F.:]+") && !host.equals("localhost")) {
      throw new IllegalArgumentException(option + " host '" + host + "' is not an IP address");
    }
    return new InetSocketAddress(host, port);
  }

  static Duration duration(String option, String value) {
    return Durations.parse(option, value);
  }

  private static URI uri(String option, String value) {
    try {
      return URI.create(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + " '" + value + "' is not a URL");
    }
  }

  private static Pattern pattern(String regex) {
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("--allowed-roles is not a regular expression: " + e.getDescription());
    }
  }

  private static String oneOf(String option, String value, String... allowed) {
    for (String candidate : allowed) {
      if (candidate.equalsIgnoreCase(value.trim())) {
        return candidate;
      }
    }
    throw new IllegalArgumentException(option + " '" + value + "' must be one of " + String.join(", ", allowed));
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
