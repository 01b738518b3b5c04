package dev.berth.testing;

import dev.berth.testing.DockerLab.ContainerSpec;
import dev.berth.testing.DockerLab.RunningContainer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * Design notes. Each container hammers its own credentials path in a shell loop (the host's curl
 * through chroot /host) and writes one line per answer to a file in its own /tmp; before a container
 * is replaced, or at the end, the file is read back with docker exec. A line says which role the
 * proxy named, the access key of the document it served and its status; the STS emulator names the
 * role every key was issued for, so a key handed to the wrong container is caught however it got
 * there. The churn replaces one container at a time with one of the other role, so addresses are
 * reused while the old container's credentials are still cached.
 */

/**
 * The churn soak of issue 10: containers restarting on reused addresses with alternating roles while
 * every container hammers its credentials through the daemon ({@code berth-proxy --iptables}), with
 * STS down for a while and a {@code kill -9} of the daemon, every answer checked against the asking
 * container's role. Bounded in time; everything runs inside the Docker lab's namespace.
 *
 * <pre>{@code
 * ChurnSoak.Report report = ChurnSoak.builder(lab, Path.of("daemon/target/berth-proxy.jar"))
 *     .churn(Duration.ofSeconds(45)).stsDown(Duration.ofSeconds(15)).killDaemon(true).run();
 * report.mismatches(); // must be 0
 * }</pre>
 */
public final class ChurnSoak {

  private static final Pattern LINE = Pattern.compile("L=(\\S*) K=(\\S*) C=(\\d{3}) T=([0-9.]+) E=(\\d+)");
  private static final List<String> ROLES = List.of("soak-blue", "soak-green");

  /** What one phase saw. */
  public record Phase(String name, long answers, long mismatches, Map<String, Long> statuses, double p99Millis) {}

  /**
   * One restart of the Docker engine: {@code moved} of {@code containers} came back on another address;
   * {@code recoveryMillis} from the engine answering again to every container answered its own role;
   * {@code resyncs} the daemon's {@code berth_docker_resyncs_total{cause="connected"}} over it.
   */
  public record EngineRestart(String phase, int moved, int containers, long recoveryMillis, double resyncs) {}

  /**
   * What the soak saw, by phase; {@code recoveryMillis} is kill -9 to the first good answer after the restart;
   * {@code engineRestarts} what each restart of the engine did.
   */
  public record Report(List<Phase> phases, long recoveryMillis, int assumeRoleCallsAfterStsRecovered,
      List<EngineRestart> engineRestarts) {

    public long mismatches() {
      return phases.stream().mapToLong(Phase::mismatches).sum();
    }

    public long answers() {
      return phases.stream().mapToLong(Phase::answers).sum();
    }

    @Override
    public String toString() {
      StringBuilder out = new StringBuilder(String.format("%-10s %8s %10s %9s  %s%n", "phase", "answers", "mismatches",
          "p99 ms", "statuses"));
      for (Phase phase : phases) {
        out.append(String.format("%-10s %8d %10d %9.1f  %s%n", phase.name(), phase.answers(), phase.mismatches(),
            phase.p99Millis(), phase.statuses()));
      }
      out.append(String.format("total: %d answers, %d mismatches; kill -9 -> first good answer after restart: %d ms; "
          + "AssumeRole calls in the 5 s after STS recovered: %d%n", answers(), mismatches(), recoveryMillis,
          assumeRoleCallsAfterStsRecovered));
      for (EngineRestart restart : engineRestarts) {
        out.append(String.format("%s: %d of %d containers came back on another address; engine answering -> every "
            + "container its own role: %d ms; daemon resyncs on reconnect: %.0f%n", restart.phase(), restart.moved(),
            restart.containers(), restart.recoveryMillis(), restart.resyncs()));
      }
      return out.toString();
    }
  }

  private final DockerLab lab;
  private final Path jar;
  private int slots = 6;
  private Duration churn = Duration.ofSeconds(60);
  private Duration every = Duration.ofSeconds(2);
  private Duration stsDown = Duration.ZERO;
  private boolean killDaemon;
  private final List<EngineBreak> engineBreaks = new ArrayList<>();

  /** How the engine goes away: {@code scripts/lab/engine restart|crash GAP}. */
  private record EngineBreak(String phase, Path script, String command, Duration gap) {}
  private int port = 18_490;

  private ChurnSoak(DockerLab lab, Path jar) {
    this.lab = lab;
    this.jar = jar;
  }

  /** A soak in {@code lab} of the daemon packaged as {@code jar}. */
  public static ChurnSoak builder(DockerLab lab, Path jar) {
    return new ChurnSoak(Objects.requireNonNull(lab, "lab"), Objects.requireNonNull(jar, "jar"));
  }

  /** Containers hammering at once (default 6). */
  public ChurnSoak slots(int count) {
    this.slots = count;
    return this;
  }

  /** How long containers churn with STS up (default 60 s); one is replaced every {@link #every(Duration)}. */
  public ChurnSoak churn(Duration duration) {
    this.churn = duration;
    return this;
  }

  /** How often one container is replaced (default 2 s). */
  public ChurnSoak every(Duration period) {
    this.every = period;
    return this;
  }

  /** How long STS answers nothing but 503, churn going on (default 0: no such phase). */
  public ChurnSoak stsDown(Duration duration) {
    this.stsDown = duration;
    return this;
  }

  /** Whether to end with {@code kill -9} of the daemon and a restart. */
  public ChurnSoak killDaemon(boolean kill) {
    this.killDaemon = kill;
    return this;
  }

  /**
   * Restarts the lab's Docker engine after the churn (phase {@code engine-restart}): {@code script restart
   * GAP} ({@code scripts/lab/engine}) stops it (its containers die with it, their events go out), leaves it
   * down {@code gap}, starts it; containers run with {@code --restart always}, so it starts them again, on
   * addresses it hands out afresh.
   */
  public ChurnSoak restartEngine(Path script, Duration gap) {
    engineBreaks.add(new EngineBreak("engine-restart", Objects.requireNonNull(script, "script"), "restart", gap));
    return this;
  }

  /**
   * As {@link #restartEngine}, with {@code script crash GAP} (phase {@code engine-crash}): {@code kill -9} of
   * the engine, so no event tells the daemon that anything stopped; the new engine kills the containers it
   * finds and starts them again.
   */
  public ChurnSoak crashEngine(Path script, Duration gap) {
    engineBreaks.add(new EngineBreak("engine-crash", Objects.requireNonNull(script, "script"), "crash", gap));
    return this;
  }

  /** The daemon's port (its admin port is the next one). */
  public ChurnSoak port(int newPort) {
    this.port = newPort;
    return this;
  }

  /** Runs the soak; everything it started is stopped when it returns. */
  public Report run() {
    try (StsEmulator sts = StsEmulator.start(); Soak soak = new Soak(sts)) {
      return soak.run();
    }
  }

  private final class Soak implements AutoCloseable {
    private final StsEmulator sts;
    private final List<RunningContainer> running = new ArrayList<>();
    private final List<String> roles = new ArrayList<>();
    private final List<Phase> phases = new ArrayList<>();
    private LabDaemon daemon;
    private int generation;

    Soak(StsEmulator sts) {
      this.sts = sts;
    }

    Report run() {
      daemon = LabDaemon.start(jar, lab, sts, port);
      for (int slot = 0; slot < slots; slot++) {
        roles.add(ROLES.get(slot % 2));
        running.add(start(slot));
      }
      churnFor("churn", churn);
      List<EngineRestart> engineRestarts = new ArrayList<>();
      for (EngineBreak engineBreak : engineBreaks) {
        engineRestarts.add(breakEngine(engineBreak));
      }
      int callsAfterRecovery = 0;
      if (!stsDown.isZero()) {
        sts.faults().down(StsEmulator.Fault.UNAVAILABLE);
        churnFor("sts-down", stsDown);
        sts.faults().clear();
        int before = sts.assumeRoleCalls();
        churnFor("recovered", Duration.ofSeconds(5));
        callsAfterRecovery = sts.assumeRoleCalls() - before;
      }
      long recovery = -1;
      if (killDaemon) {
        daemon.kill();
        long killed = System.nanoTime();
        churnFor("killed", Duration.ofSeconds(3));
        daemon.restart();
        Await.until("a container is answered after the restart", () -> goodAnswer(running.get(0), roles.get(0)));
        recovery = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        churnFor("restarted", Duration.ofSeconds(5));
      }
      return new Report(List.copyOf(phases), recovery, callsAfterRecovery, List.copyOf(engineRestarts));
    }

    /**
     * Restarts or crashes the engine, which starts the containers again, then waits until every container is
     * answered its own role; the phase counts every answer from the stop to then, and 3 s more.
     */
    private EngineRestart breakEngine(EngineBreak engineBreak) {
      Tally tally = new Tally(engineBreak.phase());
      double resyncsBefore = resyncsOnConnect();
      engine(engineBreak.script(), engineBreak.command(), Long.toString(engineBreak.gap().toSeconds()));
      long back = System.nanoTime();
      int moved = 0;
      for (int slot = 0; slot < slots; slot++) {
        RunningContainer container = running.get(slot);
        Await.until(container.name() + " runs again after the engine's restart", () -> runs(container));
        RunningContainer now = lab.refresh(container);
        moved += Objects.equals(now.ipAddress(), container.ipAddress()) ? 0 : 1;
        running.set(slot, now);
      }
      for (int slot = 0; slot < slots; slot++) {
        RunningContainer container = running.get(slot);
        String role = roles.get(slot);
        Await.until(container.name() + " is answered " + role + " again after the engine's restart",
            () -> goodAnswer(container, role));
      }
      long recovered = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back);
      pause(TimeUnit.SECONDS.toNanos(3));
      for (int slot = 0; slot < slots; slot++) {
        tally.add(collect(slot));
      }
      phases.add(tally.phase());
      return new EngineRestart(engineBreak.phase(), moved, slots, recovered, resyncsOnConnect() - resyncsBefore);
    }

    private void engine(Path script, String... command) {
      List<String> argv = new ArrayList<>(List.of(script.toString()));
      argv.addAll(List.of(command));
      try {
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!process.waitFor(90, TimeUnit.SECONDS) || process.exitValue() != 0) {
          throw new IllegalStateException(argv + " failed: " + output);
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted during " + argv, e);
      }
    }

    private boolean runs(RunningContainer container) {
      try {
        return Boolean.TRUE.equals(lab.inspect(container).getState().getRunning());
      } catch (RuntimeException engineNotBackYet) {
        return false;
      }
    }

    /** The daemon's berth_docker_resyncs_total{cause="connected"}, from its admin port. */
    private double resyncsOnConnect() {
      String metrics;
      try {
        var client = java.net.http.HttpClient.newHttpClient();
        metrics = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + (port + 1)
            + "/metrics")).timeout(Duration.ofSeconds(5)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      return metrics.lines().filter(line -> line.startsWith("berth_docker_resyncs_total{") && line.contains("cause=\"connected\""))
          .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    /**
     * Replaces one container every {@link #every} for {@code duration}, then reads what every
     * container saw: each answer counts in the phase during which it was given, give or take the
     * few milliseconds of a read.
     */
    private void churnFor(String phase, Duration duration) {
      long end = System.nanoTime() + duration.toNanos();
      Tally tally = new Tally(phase);
      int slot = 0;
      while (System.nanoTime() < end) {
        long next = System.nanoTime() + every.toNanos();
        tally.add(collect(slot));
        lab.remove(running.get(slot));
        roles.set(slot, ROLES.get((ROLES.indexOf(roles.get(slot)) + 1) % ROLES.size()));
        running.set(slot, start(slot));
        slot = (slot + 1) % slots;
        pause(next - System.nanoTime());
      }
      for (int each = 0; each < slots; each++) {
        tally.add(collect(each));
      }
      phases.add(tally.phase());
    }

    /** The answers slot's container saw, each with the role it should have had. */
    private List<Answer> collect(int slot) {
      // Moved aside first: the loop reopens the file by name for every line, so none is lost or read twice.
      String lines = lab.exec(running.get(slot), "sh", "-c",
          "mv /tmp/soak.log /tmp/soak.read 2>/dev/null; cat /tmp/soak.read 2>/dev/null; rm -f /tmp/soak.read").stdout();
      List<Answer> answers = new ArrayList<>();
      for (String line : lines.split("\n")) {
        Matcher m = LINE.matcher(line);
        if (m.find()) {
          answers.add(new Answer(roles.get(slot), m.group(1), m.group(2), Integer.parseInt(m.group(3)),
              Double.parseDouble(m.group(4)) * 1000, Integer.parseInt(m.group(5))));
        }
      }
      return answers;
    }

    private RunningContainer start(int slot) {
      String role = roles.get(slot);
      String url = "http://169.254.169.254/latest/meta-data/iam/security-credentials/";
      // One line per answer: the role the proxy named, the document's key, the status, the seconds taken and
      // curl's exit status (7: connection refused, 28: timed out, 52: empty reply, 56: reset).
      String loop = "while :; do "
          + "l=$(chroot /host /usr/bin/curl -s -m 2 " + url + "); "
          + "d=$(chroot /host /usr/bin/curl -s -m 2 -w ' C=%{http_code} T=%{time_total}' " + url + role + "); e=$?; "
          + "k=$(echo \"$d\" | sed -n 's/.*\"AccessKeyId\" : \"\\([A-Z0-9]*\\)\".*/\\1/p'); "
          + "echo \"L=$l K=$k$(echo \"$d\" | tail -n 1 | sed -n 's/.*\\( C=[0-9]* T=[0-9.]*\\)$/\\1/p') E=$e\" >> /tmp/soak.log; "
          + "done";
      ContainerSpec spec = ContainerSpec.named("soak-" + slot + "-" + generation++).withEnv("IAM_ROLE", role)
          .withHostRoot().withCommand("sh", "-c", loop);
      return lab.start(engineBreaks.isEmpty() ? spec : spec.withRestartAlways());
    }

    private long lastProbe;

    /** Whether {@code container} is answered its own role now; asks at most every 200 ms (each ask is a docker exec). */
    private boolean goodAnswer(RunningContainer container, String role) {
      if (System.nanoTime() - lastProbe < TimeUnit.MILLISECONDS.toNanos(200)) {
        return false;
      }
      lastProbe = System.nanoTime();
      var result = lab.exec(container, "chroot", DockerLab.HOST_ROOT, "/usr/bin/curl", "-s", "-m", "2",
          "http://169.254.169.254/latest/meta-data/iam/security-credentials/");
      return result.stdout().equals(role);
    }

    private final class Tally {
      private final String name;
      private final Map<String, Long> statuses = new TreeMap<>();
      private final List<Double> millis = new ArrayList<>();
      private long answers;
      private long mismatches;

      Tally(String name) {
        this.name = name;
      }

      void add(List<Answer> seen) {
        for (Answer answer : seen) {
          answers++;
          statuses.merge(answer.kind(), 1L, Long::sum);
          millis.add(answer.millis());
          if (answer.carriesAnotherRole() || answer.status() == 200 && !answer.isItsOwn(sts)) {
            mismatches++;
          }
        }
      }

      Phase phase() {
        millis.sort(Double::compare);
        double p99 = millis.isEmpty() ? 0 : millis.get(Math.min(millis.size() - 1, (int) Math.ceil(millis.size() * 0.99) - 1));
        return new Phase(name, answers, mismatches, Map.copyOf(statuses), p99);
      }
    }

    @Override
    public void close() {
      if (daemon != null) {
        daemon.close();
      }
      running.forEach(lab::remove);
    }
  }

  /** One answer as a container saw it. */
  private record Answer(String role, String listed, String key, int status, double millis, int curlExit) {

    /** The status, or without one what went wrong: refused, timeout, empty (reply), reset, or curl's exit status. */
    String kind() {
      if (status != 0) {
        return Integer.toString(status);
      }
      return switch (curlExit) {
        case 7 -> "refused";
        case 28 -> "timeout";
        case 52 -> "empty";
        case 56 -> "reset";
        default -> "curl-" + curlExit;
      };
    }

    /** The proxy named another soak role as this container's, whatever the status of the document that followed. */
    boolean carriesAnotherRole() {
      return ROLES.contains(listed) && !listed.equals(role);
    }

    /** The document's key was issued for this container's role, and the role it was told of is no other's. */
    boolean isItsOwn(StsEmulator sts) {
      boolean keyIsOwn = sts.issued(key).map(StsEmulator.Issued::roleName).filter(role::equals).isPresent();
      return keyIsOwn && (!ROLES.contains(listed) || listed.equals(role));
    }
  }

  private static void pause(long nanos) {
    if (nanos > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(nanos);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
