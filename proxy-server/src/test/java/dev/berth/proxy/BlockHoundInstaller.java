package dev.berth.proxy;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import reactor.blockhound.BlockHound;

/**
 * Installs BlockHound before any test of this module runs, so that a blocking call on an event-loop
 * thread fails the test that made it (Reactor's and Netty's integrations mark their threads).
 */
public final class BlockHoundInstaller implements LauncherSessionListener {

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    BlockHound.install();
  }
}
