package dev.berth.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Checks a command line's help as a reader meets it. Picocli prints each element of a command's
 * {@code description} as a paragraph, and lists a subcommand under "Commands:" by its first
 * element alone; an element that stops mid-sentence (a manual line break) shows there cut off.
 */
public final class HelpTexts {

  private HelpTexts() {}

  /**
   * Every description paragraph, of the command and each subcommand, that does not end a sentence.
   *
   * @param root the command line
   * @return "command: paragraph" for each offender; empty when every paragraph ends with a full stop
   */
  public static List<String> unfinishedParagraphs(CommandLine root) {
    List<String> unfinished = new ArrayList<>();
    collect(root.getCommandSpec(), unfinished);
    return unfinished;
  }

  /**
   * The "Commands:" list of a rendered help, as a reader sees it: each command's text, its wrapped
   * lines joined.
   *
   * @param help the output of {@code --help}
   * @return text by command name, in the order listed
   */
  public static Map<String, String> commandList(String help) {
    Map<String, String> commands = new LinkedHashMap<>();
    String current = null;
    boolean inList = false;
    for (String line : help.split("\\R")) {
      if (line.equals("Commands:")) {
        inList = true;
      } else if (inList && line.isBlank()) {
        break;
      } else if (inList && line.matches("  \\S.*")) {
        String[] nameAndText = line.strip().split("\\s{2,}", 2);
        current = nameAndText[0];
        commands.put(current, nameAndText.length > 1 ? nameAndText[1] : "");
      } else if (inList && current != null) {
        commands.put(current, (commands.get(current) + " " + line.strip()).strip());
      }
    }
    return commands;
  }

  private static void collect(CommandSpec spec, List<String> unfinished) {
    if (spec.userObject() instanceof CommandLine.HelpCommand) {
      return; // picocli's own
    }
    for (String paragraph : spec.usageMessage().description()) {
      String text = paragraph.strip();
      if (!text.isEmpty() && !(text.endsWith(".") || text.endsWith(".)") || text.endsWith("?"))) {
        unfinished.add(spec.qualifiedName() + ": " + text);
      }
    }
    if (spec.usageMessage().description().length == 0) {
      unfinished.add(spec.qualifiedName() + ": (no description)");
    }
    for (CommandLine sub : spec.subcommands().values()) {
      collect(sub.getCommandSpec(), unfinished);
    }
  }
}
