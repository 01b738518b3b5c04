package dev.berth.provisioner.spec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code vanilla} flavor: a boot script and extra tags, the same for every instance.
 *
 * @param plugin the flavor plugin's name, {@code vanilla}
 * @param init the lines of the boot script; joined with newlines they become the user data
 * @param tags tags added to every instance
 */
public record FlavorProperties(String plugin, List<String> init, Map<String, String> tags) {

  /**
   * Null-checks and freezes.
   *
   * @param plugin the plugin name
   * @param init the init lines; copied
   * @param tags the tags; copied
   */
  public FlavorProperties {
    Objects.requireNonNull(plugin, "plugin");
    init = List.copyOf(init);
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
  }
}
