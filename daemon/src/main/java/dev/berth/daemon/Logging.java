package dev.berth.daemon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.Locale;
import java.util.Map;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/*
 * Design notes. Only the application (berth-proxy.jar, through Main and DaemonCommand) touches
 * the logging backend: a service embedding Berth keeps its own, and logback is an optional
 * dependency of this module, so the embedder's build never sees it. The configuration is made
 * here in code, not read from an XML file: logback's XML configurator (its SAX parser and Joran,
 * about 600 classes) cost every start about 0.12 s on its main thread: from main to the command
 * line's parsing took 0.27-0.32 s with it, 0.15-0.2 s without (class-loading logs of bench/ready.sh's starts). A file of the operator's, named by
 * -Dlogback.configurationFile, still wins. The JSON format swaps the encoder of the one appender
 * after the command line is parsed, so the option needs no second parser running before logback starts.
 */

/** The application jar's logging: Berth's one-line text format on stderr, or one JSON object per line. */
final class Logging {

  /** The appender Berth's configuration writes with. */
  static final String APPENDER = "STDERR";
  /** One line per event: time, level, the logger's short name, the message, then a stack trace if any. */
  static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSX} %level %logger{0} - %msg%n";
  /**
   * The libraries' own lines are warnings and errors only. Reactor Netty logs every request its
   * decoder refuses, with every header name, at WARN: a caller could write the log, so those are
   * logged by dev.berth.proxy.http.RefusedRequestLog, rate-limited. An STS call still in flight
   * when the daemon stops fails after the event loop has ended, which Netty logs as an ERROR with a
   * stack trace: noise at a clean stop, nothing to act on.
   */
  static final Map<String, Level> LEVELS = Map.of(
      "io.netty", Level.WARN,
      "reactor.netty", Level.WARN,
      "software.amazon.awssdk", Level.WARN,
      "reactor.netty.http.server.HttpServerOperations", Level.ERROR,
      "io.netty.util.concurrent.DefaultPromise.rejectedExecution", Level.OFF);

  private Logging() {}

  /**
   * Before the first logger is made: Berth's lines on stderr (unless {@code
   * -Dlogback.configurationFile} names a file), and records of java.util.logging (Caffeine, the
   * JDK) go through SLF4J, so they come out like every other line.
   */
  static void configure() {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    // Initialised here, on the main thread, before any other thread logs: SLF4J otherwise queues
    // the lines of a thread that logs during its initialisation and prints a warning of its own
    // ("SLF4J(W): A number (N) of logging calls during the initialization phase..."), which is not
    // a JSON line. With no file to read, logback starts with its basic console configuration,
    // which is replaced before anything is logged.
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (System.getProperty("logback.configurationFile") == null && factory instanceof LoggerContext context) {
      berthLines(context);
    }
  }

  /** Replaces {@code context}'s configuration with Berth's text lines on stderr. */
  static void berthLines(LoggerContext context) {
    context.reset();
    // java.util.logging levels follow the ones below, so a FINE record is never even built.
    LevelChangePropagator julLevels = new LevelChangePropagator();
    julLevels.setContext(context);
    julLevels.setResetJUL(true);
    context.addListener(julLevels);
    julLevels.start();

    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName(APPENDER);
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();

    LEVELS.forEach((name, level) -> context.getLogger(name).setLevel(level));
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(stderr);
  }

  /**
   * Applies {@code --log-format}.
   *
   * @param format {@code text} (Berth's lines, as configured) or {@code json} (one object per line)
   */
  static void format(String format) {
    String chosen = format == null ? "text" : format.trim().toLowerCase(Locale.ROOT);
    if (!chosen.equals("text") && !chosen.equals("json")) {
      throw new IllegalArgumentException("--log-format '" + format + "' must be one of text, json");
    }
    // Another backend (slf4j-simple, or a caller's) is left as it is: its configuration is its owner's.
    if (chosen.equals("json") && LoggerFactory.getILoggerFactory().getClass().getName()
        .equals("ch.qos.logback.classic.LoggerContext")) {
      json((LoggerContext) LoggerFactory.getILoggerFactory());
    }
  }

  /** Fields: timestamp (epoch milliseconds), level, loggerName, formattedMessage and, with an exception, throwable. */
  private static void json(LoggerContext context) {
    Appender<ILoggingEvent> appender = context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(APPENDER);
    if (!(appender instanceof OutputStreamAppender<ILoggingEvent> out)) {
      return; // a configuration of the user's own, without Berth's appender
    }
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext(context);
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.setWithThreadName(false);
    encoder.setWithContext(false);
    encoder.setWithMarkers(false);
    encoder.setWithMDC(false);
    encoder.setWithKVPList(false);
    encoder.setWithMessage(false);
    encoder.setWithArguments(false);
    encoder.setWithFormattedMessage(true);
    encoder.start();
    out.stop();
    out.setEncoder(encoder);
    out.start();
  }
}
