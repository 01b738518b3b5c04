package dev.berth.iptables.cli;

import java.util.Map;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** {@code java -jar berth-iptables.jar}: parses the command line and runs the subcommand. */
public final class Main {

  /*
   * Berth's log line (time, level, the logger's short name, the message) and the libraries'
   * levels, as the other jars have them. Set here rather than in a simplelogger.properties: that
   * file would sit in this module's library jar and configure an embedder's slf4j-simple too.
   */
  private static final Map<String, String> LOGGING = Map.of(
      "org.slf4j.simpleLogger.logFile", "System.err",
      "org.slf4j.simpleLogger.defaultLogLevel", "info",
      "org.slf4j.simpleLogger.showDateTime", "true",
      "org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSX",
      "org.slf4j.simpleLogger.showThreadName", "false",
      "org.slf4j.simpleLogger.showShortLogName", "true",
      "org.slf4j.simpleLogger.log.io.netty", "warn",
      "org.slf4j.simpleLogger.log.reactor", "warn");

  private Main() {}

  public static void main(String[] args) {
    configureLogging();
    System.exit(BerthIptablesCommand.commandLine(Parts.real()).execute(args));
  }

  /**
   * Before the first logger: Berth's format (a {@code -D} of the user's wins), and records of
   * java.util.logging (the JDK's) through SLF4J, so they look the same.
   */
  static void configureLogging() {
    LOGGING.forEach((key, value) -> {
      if (System.getProperty(key) == null) {
        System.setProperty(key, value);
      }
    });
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
  }
}
