package dev.berth.daemon;

import org.slf4j.LoggerFactory;

/**
 * A process that logs as the libraries inside berth-proxy.jar do, after the same start-up as
 * {@link Main}: the AWS SDK and Reactor Netty through SLF4J, Caffeine and the JDK
 * through java.util.logging. Run by {@link ApplicationLoggingTest}; the argument is the log format.
 */
final class ThirdPartyLines {

  private ThirdPartyLines() {}

  public static void main(String[] args) {
    Logging.configure();
    Logging.format(args[0]);
    LoggerFactory.getLogger(Berth.class).info("a line of Berth's own");
    LoggerFactory.getLogger("software.amazon.awssdk.request").info("aws sdk info, below its level");
    LoggerFactory.getLogger("software.amazon.awssdk.request").warn("aws sdk warning");
    java.util.logging.Logger.getLogger("com.github.benmanes.caffeine.cache.BoundedLocalCache").fine("caffeine fine, below its level");
    java.util.logging.Logger.getLogger("com.github.benmanes.caffeine.cache.BoundedLocalCache").warning("caffeine warning");
    java.util.logging.Logger.getLogger("java.util.prefs").info("jdk info");
    LoggerFactory.getLogger("reactor.netty.transport.ServerTransport").error("reactor netty error",
        new IllegalStateException("boom"));
  }
}
