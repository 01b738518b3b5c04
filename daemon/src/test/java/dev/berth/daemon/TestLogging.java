package dev.berth.daemon;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Tests log as berth-proxy.jar does (logback's own default would print DEBUG): logback finds this
 * class through the test classpath's service file and configures itself with {@link Logging}'s lines.
 */
public final class TestLogging extends ContextAwareBase implements Configurator {

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    Logging.berthLines(context);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
