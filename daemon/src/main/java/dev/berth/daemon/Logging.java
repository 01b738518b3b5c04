package dev.berth.daemon;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/*
 * Design notes. Only the application (berth-proxy.jar, through Main and DaemonCommand) touches
 * the logging backend: a service embedding Berth keeps its own, and logback is an optional
 * dependency of this module, so the embedder's build never sees it. The configuration file lives
 * under the package (dev/berth/daemon/logback.xml), never at the classpath's root, for the same
 * reason. The JSON format swaps the encoder of that file's one appender after the command line is
 * parsed, so the option needs no second parser running before logback starts.
 */

/** The application jar's logging: Berth's one-line text format on stderr, or one JSON object per line. */
final class Logging {

  /** The configuration Main hands logback, unless {@code -Dlogback.configurationFile} names another. */
  static final String CONFIGURATION = "dev/berth/daemon/logback.xml";
  /** The appender that configuration writes with. */
  static final String APPENDER = "STDERR";

  private Logging() {}

  /**
   * Before the first logger is made: logback reads Berth's configuration, and records of
   * java.util.logging (JNA, Guava, the JDK) go through SLF4J, so they come out like every other line.
   */
  static void configure() {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", CONFIGURATION);
    }
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    // Initialised here, on the main thread, before any other thread logs: SLF4J otherwise queues
    // the lines of a thread that logs during its initialisation and prints a warning of its own
    // ("SLF4J(W): A number (N) of logging calls during the initialization phase..."), which is not
    // a JSON line.
    LoggerFactory.getILoggerFactory();
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
