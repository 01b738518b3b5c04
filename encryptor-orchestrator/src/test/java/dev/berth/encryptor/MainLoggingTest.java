package dev.berth.encryptor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The command line's jar logs in Berth's format, and the library jar configures no one else's
 * logging: the settings sit under the package and only Main reads them.
 */
final class MainLoggingTest {

  private static final String SHORT_NAMES = "org.slf4j.simpleLogger.showShortLogName";
  private static final String LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

  @AfterEach
  void clear() {
    System.clearProperty(SHORT_NAMES);
    System.clearProperty(LEVEL);
  }

  @Test
  void configureLogging_setsBerthsFormat_andAUsersSettingWins() {
    System.clearProperty(SHORT_NAMES);
    System.setProperty(LEVEL, "debug");

    Main.configureLogging();

    assertThat(System.getProperty(SHORT_NAMES)).isEqualTo("true");
    assertThat(System.getProperty("org.slf4j.simpleLogger.log.software.amazon.awssdk")).isEqualTo("warn");
    assertThat(System.getProperty(LEVEL)).isEqualTo("debug");
  }

  @Test
  void libraryJar_hasNoSimpleloggerPropertiesAtItsRoot() {
    // What goes into the jar: src/main/resources (the tests' own settings are in src/test/resources).
    assertThat(Path.of("src/main/resources/simplelogger.properties")).doesNotExist();
    assertThat(Main.class.getResource("simplelogger.properties")).isNotNull();
  }
}
