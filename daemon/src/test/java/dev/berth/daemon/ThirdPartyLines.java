package dev.berth.daemon;

import org.slf4j.LoggerFactory;

/**
 * A process that logs as the libraries inside berth-proxy.jar do, after the same start-up as
 * {@link Main}: docker-java and Reactor Netty through SLF4J, JNA and Guava through
 * java.util.logging. Run by {@link ApplicationLoggingTest}; the argument is the log format.
 */
final class ThirdPartyLines {

  private ThirdPartyLines() {}

  public static void main(String[] args) {
    Logging.configure();
    Logging.format(args[0]);
    LoggerFactory.getLogger(Berth.class).info("a line of Berth's own");
    LoggerFactory.getLogger("com.github.dockerjava.core.DockerClientImpl").info("docker-java info, below its level");
    LoggerFactory.getLogger("com.github.dockerjava.core.DockerClientImpl").warn("docker-java warning");
    java.util.logging.Logger.getLogger("com.sun.jna.Native").fine("jna fine, below its level");
    java.util.logging.Logger.getLogger("com.sun.jna.Native").warning("jna warning");
    java.util.logging.Logger.getLogger("com.google.common.util.concurrent.AggregateFuture").info("guava info");
    LoggerFactory.getLogger("reactor.netty.transport.ServerTransport").error("reactor netty error",
        new IllegalStateException("boom"));
  }
}
